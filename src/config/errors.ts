import { issueLine, moreIssues, reportHeadline } from "./messages.js";

export type PathSegment = string | number;

/** Where in the source text an issue points (1-based). */
export interface SourceLocation {
  readonly line: number;
  readonly column: number;
}

/** One problem with a config file: where it is, what it holds, what was expected. */
export interface ConfigIssue {
  /** Dot path as users read it: `strategies[0].config.atr_period`; empty for the whole file. */
  readonly path: string;
  readonly segments: readonly PathSegment[];
  /** What the file holds at `path`; `undefined` when the key is missing. Secrets are redacted. */
  readonly value: unknown;
  /** What would have been accepted, in words. */
  readonly expected: string;
  readonly location?: SourceLocation;
}

/** At most this many issues are listed (and located in the file); the rest are only counted. */
export const MAX_LISTED_ISSUES = 100;

/**
 * A config that cannot be used. Carries the issues found, shallowest first: all of them up to
 * MAX_LISTED_ISSUES, and how many there were in all (`total`).
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly issues: readonly ConfigIssue[];
  readonly total: number;

  constructor(
    readonly sourceName: string,
    issues: readonly ConfigIssue[],
    total = issues.length,
  ) {
    const listed = listedIssues(issues);
    super(formatConfigIssues(sourceName, listed, total));
    this.issues = listed;
    this.total = Math.max(total, issues.length);
  }
}

/** The issues a report lists: shallowest path first (as zod's prettifyError), at most MAX_LISTED_ISSUES. */
export function listedIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.segments.length - b.segments.length).slice(0, MAX_LISTED_ISSUES);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `["strategies", 0, "config", "atr_period"]` → `strategies[0].config.atr_period` (zod's toDotPath style). */
export function toDotPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export function makeIssue(segments: readonly PathSegment[], value: unknown, expectedText: string): ConfigIssue {
  return { path: toDotPath(segments), segments, value, expected: expectedText };
}

function renderValue(value: unknown): string {
  if (value === undefined) return "nothing (the key is missing)";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "a mapping";
  return String(value);
}

/**
 * The listed issues, shallowest path first, each as a ✖ line saying what was expected and what was
 * found, and an → line with the path and, when known, file:line:column; then how many more there were.
 */
export function formatConfigIssues(sourceName: string, issues: readonly ConfigIssue[], total = issues.length): string {
  const ordered = listedIssues(issues);
  const lines = [reportHeadline(sourceName, total, ordered.length)];
  for (const issue of ordered) {
    const received = issue.segments.length === 0 && issue.value === undefined ? undefined : renderValue(issue.value);
    lines.push(`✖ ${issueLine(issue.expected, received)}`);
    const where = issue.location ? ` (${sourceName}:${issue.location.line}:${issue.location.column})` : "";
    lines.push(`  → at ${issue.path || "(top level)"}${where}`);
  }
  if (total > ordered.length) lines.push(moreIssues(total - ordered.length));
  return lines.join("\n");
}
