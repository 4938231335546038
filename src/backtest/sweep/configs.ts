/**
 * One config text per combination: the CONFIG file's YAML with each swept path set to the combination's
 * value (comments and layout kept, so the best one can be written back as a config a person reads). A job
 * carries that text, so a queue worker on another machine needs no copy of the file.
 */
import { isMap, isSeq, parseDocument } from "yaml";
import { ConfigError, type Config, parseConfig } from "../../config/index.js";
import type { PathSegment } from "../../config/errors.js";
import { type Combination, type SweepParam, SweepRefused } from "./grid.js";

export interface ConfigSource {
  /** The CONFIG file's text, as read. */
  readonly text: string;
  /** How messages name it (the file's path). */
  readonly name: string;
  readonly profile?: string;
}

/** The file's text with every param set to the combination's value (the base, not a profile: see below). */
export function combinationText(source: ConfigSource, params: readonly SweepParam[], values: Combination): string {
  const doc = parseDocument(source.text);
  params.forEach((p, i) => {
    refuseMissingList(doc.contents, p);
    doc.setIn(p.segments, values[i]);
  });
  return doc.toString();
}

/** `strategies.3.config.x` on a file with one strategy would make a list item from nothing: refused. */
function refuseMissingList(root: unknown, param: SweepParam): void {
  let node = root;
  for (const segment of param.segments) {
    if (typeof segment === "number") {
      const length = isSeq(node) ? node.items.length : 0;
      if (segment >= length)
        throw new SweepRefused(`--param ${param.path}: the config has no item ${segment} there (it has ${length})`);
      node = isSeq(node) ? node.items[segment] : undefined;
    } else {
      node = isMap(node) ? node.get(segment, true) : undefined;
      if (node === undefined) return;
    }
  }
}

/** The config one combination runs with; refused (exit 2) naming the path and value when it is invalid. */
export function combinationConfig(
  source: ConfigSource,
  params: readonly SweepParam[],
  values: Combination,
  text = combinationText(source, params, values),
): Config {
  let config: Config;
  try {
    config = parseConfig(text, { profile: source.profile, sourceName: source.name });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new SweepRefused(invalidMessage(err, params, values));
  }
  // A profile that sets a swept path would replace every value of the grid with its own.
  params.forEach((p, i) => {
    const got = valueAt(config, p.segments);
    if (source.profile !== undefined && !sameValue(got, values[i]))
      throw new SweepRefused(
        `--param ${p.path}: profile ${source.profile} overrides it (the value there is ${JSON.stringify(got)}), which ` +
          "would hide the swept value; sweep without --profile or remove the key from the profile",
      );
  });
  return config;
}

function invalidMessage(err: ConfigError, params: readonly SweepParam[], values: Combination): string {
  const dot = (segments: readonly PathSegment[]) => segments.join(".");
  for (const issue of err.issues) {
    const i = params.findIndex((p) => dot(p.segments) === dot(issue.segments));
    if (i >= 0)
      return `--param ${params[i].path}: the value ${JSON.stringify(values[i])} is invalid: ${issue.expected}`;
  }
  const combination = params.map((p, i) => `${p.path}=${JSON.stringify(values[i])}`).join(", ");
  const first = err.issues[0];
  return `the combination ${combination} is invalid: ${first ? `${first.path}: ${first.expected}` : err.message}`;
}

function valueAt(root: unknown, segments: readonly PathSegment[]): unknown {
  let node = root;
  for (const s of segments)
    node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[s] : undefined;
  return node;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
