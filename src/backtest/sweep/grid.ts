/**
 * The sweep's grid: `--param PATH=FROM:TO:STEP` or `--param PATH=a,b,c`, checked against the config schema
 * before anything runs, and the cartesian product of the values in a fixed order (the first `--param`
 * varies slowest), so a job's index names the same combination on every run and every machine.
 */
import { parse as parseYamlScalar } from "yaml";
import { configSchema } from "../../config/index.js";
import type { PathSegment } from "../../config/errors.js";
import { knownKeysAt } from "../../config/schema-keys.js";
import { closestKey } from "../../config/suggest.js";

/** A `--param` the sweep cannot use: exit 2 with this one-line message. */
export class SweepRefused extends Error {
  override readonly name = "SweepRefused";
}

export interface SweepParam {
  /** As typed on the command line: the column name in the results. */
  readonly path: string;
  readonly segments: readonly PathSegment[];
  readonly values: readonly unknown[];
}

export type Combination = readonly unknown[];

/** At most this many values per range: a step that small is a typo, and the grid would never finish. */
const MAX_RANGE_VALUES = 10_000;

/** `strategies.0.config.atr_period` or `strategies[0].config.atr_period` → segments (numbers index lists). */
export function pathSegments(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  for (const part of path.replace(/\[(\d+)\]/g, ".$1").split(".")) {
    if (part === "") throw new SweepRefused(`--param ${path}: empty key in the path`);
    segments.push(/^\d+$/.test(part) ? Number(part) : part);
  }
  return segments;
}

/** Refuses a path the schema has no key for, naming the nearest key there is. */
export function checkConfigPath(path: string, segments: readonly PathSegment[]): void {
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (typeof segment === "number") continue;
    const known = knownKeysAt(configSchema, segments.slice(0, i));
    if (known.includes(segment)) continue;
    const prefix = segments.slice(0, i).join(".");
    const nearest = closestKey(segment, known) ?? nearestByEditOrder(segment, known);
    const where = prefix === "" ? "the top level" : prefix;
    const suggestion =
      nearest === undefined ? "" : `; the closest key is ${[...segments.slice(0, i), nearest].join(".")}`;
    throw new SweepRefused(`--param ${path}: ${where} has no key '${segment}'${suggestion}`);
  }
}

/** When nothing is within a typo's distance: the known key sharing the longest prefix (still the closest). */
function nearestByEditOrder(typed: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestShared = -1;
  for (const key of [...known].sort()) {
    let shared = 0;
    while (shared < key.length && shared < typed.length && key[shared] === typed[shared]) shared++;
    if (shared > bestShared) [best, bestShared] = [key, shared];
  }
  return best;
}

/** Number of decimals a step is written with, so `0.1 * 3` is 0.3 and not 0.30000000000000004. */
function decimals(text: string): number {
  const m = /\.(\d+)$/.exec(text.trim());
  return m ? m[1].length : 0;
}

/** `FROM:TO:STEP`, both ends inclusive (TO when it lies on the grid); none = refused. */
export function rangeValues(spec: string, path: string): number[] {
  const parts = spec.split(":");
  const [from, to, step] = parts.map(Number);
  if (parts.length !== 3 || ![from, to, step].every(Number.isFinite))
    throw new SweepRefused(`--param ${path}=${spec}: a range is FROM:TO:STEP with three numbers`);
  if (!(step > 0) || to < from)
    throw new SweepRefused(`--param ${path}=${spec}: the range has no value (it needs FROM <= TO and STEP > 0)`);
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > MAX_RANGE_VALUES)
    throw new SweepRefused(`--param ${path}=${spec}: ${count} values, more than ${MAX_RANGE_VALUES}`);
  const places = Math.max(decimals(parts[0]), decimals(parts[2]));
  return Array.from({ length: count }, (_, i) => Number((from + i * step).toFixed(places)));
}

/** `a,b,c`: each a YAML scalar (`1.5`, `true`, `null`, `market`), as the config file would read it. */
function listValues(spec: string, path: string): unknown[] {
  const items = spec.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) throw new SweepRefused(`--param ${path}=${spec}: an empty value in the list`);
  return items.map((s) => parseYamlScalar(s) as unknown);
}

export function parseParam(arg: string): SweepParam {
  const eq = arg.indexOf("=");
  if (eq <= 0 || eq === arg.length - 1)
    throw new SweepRefused(`--param ${arg}: expected PATH=FROM:TO:STEP or PATH=a,b,c`);
  const path = arg.slice(0, eq);
  const spec = arg.slice(eq + 1);
  const segments = pathSegments(path);
  checkConfigPath(path, segments);
  const values = spec.includes(":") && !spec.includes(",") ? rangeValues(spec, path) : listValues(spec, path);
  return { path, segments, values };
}

export function parseParams(args: readonly string[]): SweepParam[] {
  if (args.length === 0) throw new SweepRefused("give at least one --param PATH=FROM:TO:STEP|a,b,c");
  const params = args.map(parseParam);
  const seen = new Set<string>();
  for (const p of params) {
    const key = p.segments.join(".");
    if (seen.has(key)) throw new SweepRefused(`--param ${p.path} is given twice`);
    seen.add(key);
  }
  return params;
}

/** Every combination, the last param varying fastest. */
export function cartesian(params: readonly SweepParam[]): Combination[] {
  let out: unknown[][] = [[]];
  for (const p of params) out = out.flatMap((prefix) => p.values.map((v) => [...prefix, v]));
  return out;
}
