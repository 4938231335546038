/**
 * The loading pipeline, in order: YAML → profile merge → `${VAR}` substitution → schema (sections,
 * then cross-section rules) → deep freeze. Every stage collects all of its issues; a file with any
 * issue throws one ConfigError listing them all.
 */
import { open } from "node:fs/promises";
import { stringify as stringifyYaml } from "yaml";
import { ConfigError, type ConfigIssue, listedIssues, makeIssue } from "./errors.js";
import { expected } from "./messages.js";
import { applyProfile } from "./profiles.js";
import { redactValue } from "./redact.js";
import { type Config, configSchema } from "./schema/index.js";
import { type Environment, substituteEnvironment } from "./substitute.js";
import { deepFreeze } from "./freeze.js";
import { parseYamlSource, type YamlSource } from "./yaml-source.js";
import { fromZodIssues } from "./zod-issues.js";
import { applyOverrides, type Overrides } from "./overrides.js";

export interface ParseOptions {
  /** Name of a profile under `profiles:` to merge over the base config. */
  readonly profile?: string;
  /** Variables for `${VAR}` substitution; defaults to process.env. */
  readonly env?: Environment;
  /** How errors name the source (a file path); defaults to "config". */
  readonly sourceName?: string;
  /** Dotted-path values written over the file's (a shadow's `--set`, config/overrides.ts). */
  readonly overrides?: Overrides;
}

export type LoadOptions = Omit<ParseOptions, "sourceName">;

/** A config is a few kilobytes; past this a file is refused before it is parsed (in bounded time). */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
const MAX_CONFIG_SIZE = "4 MiB";

export async function loadConfig(path: string, options: LoadOptions = {}): Promise<Config> {
  let text: string;
  try {
    text = await readConfigText(path);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(path, [
      makeIssue([], undefined, `a readable file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`),
    ]);
  }
  return parseConfig(text, { ...options, sourceName: path });
}

/**
 * The file's text, read up to one byte past the limit and no further (a file that never ends, such as
 * /dev/zero, included). A larger file is a ConfigError; one that cannot be read throws the fs error.
 */
export async function readConfigText(path: string): Promise<string> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_CONFIG_BYTES) throw new ConfigError(path, [tooLarge()]);
    return buffer.toString("utf8", 0, length);
  } finally {
    await handle.close();
  }
}

const tooLarge = () => makeIssue([], undefined, expected.fileSize(MAX_CONFIG_SIZE));

export function parseConfig(text: string, options: ParseOptions = {}): Config {
  const sourceName = options.sourceName ?? "config";
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) throw new ConfigError(sourceName, [tooLarge()]);
  const parsed = parseYamlSource(text);
  if (!parsed.ok) throw new ConfigError(sourceName, parsed.issues);

  const profiled = applyProfile(parsed.source.data, options.profile);
  if (profiled.issues.length > 0) throw located(sourceName, profiled.issues, parsed.source, options.profile);

  const substituted = substituteEnvironment(profiled.data, options.env ?? process.env);
  const overridden =
    options.overrides === undefined
      ? { data: substituted.data, issues: [] }
      : applyOverrides(substituted.data, options.overrides);
  if (overridden.issues.length > 0) throw new ConfigError(sourceName, listedIssues(overridden.issues));
  const result = configSchema.safeParse(overridden.data, { reportInput: true });
  // A reference that could not be substituted already explains its path; the schema's complaint about
  // the raw "${VAR}" text left there would only repeat it.
  const unresolved = new Set(substituted.issues.map((issue) => issue.path));
  const schemaIssues = result.success
    ? []
    : fromZodIssues(result.error.issues, configSchema).filter((issue) => !unresolved.has(issue.path));
  const issues = [...substituted.issues, ...schemaIssues];
  if (issues.length > 0 || !result.success) throw located(sourceName, issues, parsed.source, options.profile);
  return deepFreeze(result.data);
}

/** Only the listed issues are looked up in the file: each lookup walks its mappings. */
function located(source: string, issues: readonly ConfigIssue[], yaml: YamlSource, profile?: string): ConfigError {
  return new ConfigError(source, locateAll(listedIssues(issues), yaml, profile), issues.length);
}

/** The profiles a config text defines (none when it does not parse); check-config validates each. */
export function definedProfiles(text: string): readonly string[] {
  const parsed = parseYamlSource(text);
  return parsed.ok ? applyProfile(parsed.source.data, undefined).defined : [];
}

/** Adds file positions (a profile's override first, then the base) and hides secret values. */
function locateAll(issues: readonly ConfigIssue[], source: YamlSource, profile: string | undefined): ConfigIssue[] {
  return issues.map((issue) => {
    const fromProfile =
      profile === undefined || issue.segments.length === 0
        ? undefined
        : source.locateExact(["profiles", profile, ...issue.segments]);
    const location = fromProfile ?? source.locate(issue.segments);
    return { ...issue, value: redactValue(issue.segments, issue.value), ...(location ? { location } : {}) };
  });
}

/**
 * A config file's text as another config file: the profile merged in (and `profiles:` left out), the overrides
 * written, `${VAR}` references kept as written (no secret is expanded), `shadows:` left out. What
 * `leadlag shadow promote` writes. The text must be one `parseConfig` accepted.
 */
export function configFileWith(text: string, options: { profile?: string; overrides?: Overrides }): string {
  const parsed = parseYamlSource(text);
  if (!parsed.ok) throw new ConfigError("config", parsed.issues);
  const profiled = applyProfile(parsed.source.data, options.profile);
  const overridden = applyOverrides(profiled.data, options.overrides ?? {});
  if (overridden.issues.length > 0) throw new ConfigError("config", overridden.issues);
  const data = { ...(overridden.data as Record<string, unknown>) };
  delete data.shadows;
  return stringifyYaml(data);
}
