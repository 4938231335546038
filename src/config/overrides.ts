/**
 * `--set PATH=VALUE` overrides (a shadow's, docs/shadow.md): each dotted path is written into the config's
 * data after the profile and `${VAR}` substitution and before the schema, so a bad value is reported by the
 * schema at its path like any other. A number segment indexes a list (`strategies.0.config.entry_threshold`).
 */
import { type ConfigIssue, makeIssue, type PathSegment } from "./errors.js";

export type Overrides = Readonly<Record<string, unknown>>;

const SEGMENT = /^(?:[A-Za-z_][A-Za-z0-9_]*|\d+)$/;

/** A copy of `data` with every override written in; a path that cannot be written is an issue, nothing thrown. */
export function applyOverrides(data: unknown, overrides: Overrides): { data: unknown; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  let result: unknown = structuredClone(data ?? {});
  for (const [path, value] of Object.entries(overrides)) {
    const parts = path.split(".");
    if (parts.some((p) => !SEGMENT.test(p))) {
      issues.push(
        makeIssue([], path, `a dotted path of keys and list indices (e.g. strategies.0.config.entry_threshold)`),
      );
      continue;
    }
    const segments: PathSegment[] = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    const written = writeAt(result, segments, value);
    if (written.ok) result = written.data;
    else issues.push(makeIssue(segments.slice(0, written.depth), undefined, written.expected));
  }
  return { data: result, issues };
}

type Written = { ok: true; data: unknown } | { ok: false; depth: number; expected: string };

function writeAt(root: unknown, segments: readonly PathSegment[], value: unknown): Written {
  let node = root as Record<PropertyKey, unknown> | unknown[];
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i];
    if (Array.isArray(node) && (segment as number) > node.length)
      return { ok: false, depth: i, expected: "an index of the list (or one past its end)" };
    const next: unknown = (node as Record<PropertyKey, unknown>)[segment];
    if (next === undefined || next === null) {
      if (typeof segments[i + 1] === "number")
        return { ok: false, depth: i + 1, expected: "an existing list to index" };
      (node as Record<PropertyKey, unknown>)[segment] = {};
    } else if (typeof next !== "object") {
      return { ok: false, depth: i + 1, expected: "a mapping or a list to write into" };
    }
    node = (node as Record<PropertyKey, unknown>)[segment] as Record<PropertyKey, unknown>;
    if (Array.isArray(node) !== (typeof segments[i + 1] === "number"))
      return { ok: false, depth: i + 1, expected: Array.isArray(node) ? "a list index" : "a key of this mapping" };
  }
  const last = segments[segments.length - 1];
  if (Array.isArray(node) && (typeof last !== "number" || last > node.length))
    return { ok: false, depth: segments.length, expected: "an index of the list (or one past its end)" };
  (node as Record<PropertyKey, unknown>)[last] = value;
  return { ok: true, data: root };
}
