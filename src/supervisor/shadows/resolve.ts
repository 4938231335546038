/**
 * Which config a shadow asks for (`POST /control/shadows`): a config file's text, `set` values written over
 * the live config file, or the live config itself; checked by the schema and by what a shadow may change
 * (config.ts). Every error comes back with its path; nothing throws for a bad request.
 */
import {
  ConfigError,
  configFileWith,
  parseConfig,
  type Config,
  type Environment,
  type ShadowThread,
} from "../../config/index.js";
import { setPathIssues, shadowConfigIssues, type ShadowConfigIssue } from "./config.js";

/** What `POST /control/shadows` takes: exactly one of `config` (a config file's text), `set` or `mirror`. */
export interface AttachRequest {
  readonly name: string;
  readonly config?: string;
  readonly set?: Readonly<Record<string, unknown>>;
  readonly mirror?: boolean;
  /** `own` worker (the default) or the daemon's `main` thread (groups.ts checks it). */
  readonly thread?: ShadowThread;
}

export type ShadowSource = "config" | "set" | "mirror";

/** The live daemon's config, and its file's text, profile and environment: what `set` writes over. */
export interface ShadowBase {
  readonly live: Config;
  readonly liveText: string;
  readonly profile: string | undefined;
  readonly env: Environment;
}

export type ResolvedShadowConfig =
  | {
      readonly ok: true;
      readonly config: Config;
      /** The config as a config file (`shadow promote`): `${VAR}` references kept, no secret expanded. */
      readonly file: string;
      readonly source: ShadowSource;
    }
  | { readonly ok: false; readonly errors: ShadowConfigIssue[] };

export function resolveShadowConfig(request: AttachRequest, base: ShadowBase): ResolvedShadowConfig {
  const given = [request.config !== undefined, request.set !== undefined, request.mirror === true].filter(Boolean);
  if (given.length !== 1)
    return { ok: false, errors: [{ path: "", message: "exactly one of config, set or mirror: true" }] };
  const source = request.mirror === true ? "mirror" : request.config !== undefined ? "config" : "set";
  const pathIssues = source === "set" && isMapping(request.set) ? setPathIssues(request.set) : [];
  let config: Config;
  try {
    if (source === "mirror") config = base.live;
    else if (source === "config") {
      if (typeof request.config !== "string")
        return { ok: false, errors: [{ path: "config", message: "a config file's text (YAML or JSON)" }] };
      config = parseConfig(request.config, { env: base.env, sourceName: `shadow ${request.name}` });
    } else {
      if (!isMapping(request.set))
        return { ok: false, errors: [{ path: "set", message: "a mapping of dotted config paths to values" }] };
      config = parseConfig(base.liveText, {
        profile: base.profile,
        env: base.env,
        overrides: request.set,
        sourceName: `shadow ${request.name}`,
      });
    }
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const schemaIssues = err.issues.map((i) => ({
      path: i.path,
      message:
        i.value === undefined ? `expected ${i.expected}` : `expected ${i.expected}, got ${JSON.stringify(i.value)}`,
    }));
    return { ok: false, errors: [...pathIssues, ...schemaIssues] };
  }
  const issues = onePerPath([...pathIssues, ...shadowConfigIssues(base.live, config, source !== "config")]);
  if (issues.length > 0) return { ok: false, errors: issues };
  const { liveText, profile } = base;
  const file =
    source === "config"
      ? (request.config as string)
      : configFileWith(liveText, { profile, overrides: source === "set" ? request.set : undefined });
  return { ok: true, config, file, source };
}

/** The first issue of each path (a `--set` path and the difference it makes say the same). */
function onePerPath(issues: readonly ShadowConfigIssue[]): ShadowConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(i.path) && seen.add(i.path));
}

function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
