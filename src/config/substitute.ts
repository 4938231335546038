/**
 * `${VAR}` / `${VAR:default}` substitution, applied to string scalars after YAML parsing so a value
 * can never change the document's structure. `${VAR}` requires VAR to be set; `${VAR:default}` uses
 * the default only when VAR is unset (set-but-empty stays empty); `$${` writes a literal `${`.
 * Keys are never substituted. The result is always text: the schema types it (see schema/fields.ts).
 */
import { type ConfigIssue, type PathSegment, makeIssue } from "./errors.js";
import { expected } from "./messages.js";

export type Environment = Readonly<Record<string, string | undefined>>;

export interface SubstitutionResult {
  readonly data: unknown;
  readonly issues: ConfigIssue[];
}

// Alternatives, in order: an escaped "$${", a closed reference, an unclosed "${".
const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const REFERENCE_BODY = /^([A-Za-z_][A-Za-z0-9_]*)(?::([\s\S]*))?$/;

export function substituteEnvironment(data: unknown, env: Environment): SubstitutionResult {
  const issues: ConfigIssue[] = [];
  const walk = (value: unknown, path: PathSegment[]): unknown => {
    if (typeof value === "string") return substituteText(value, path, env, issues);
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index]));
    if (isMapping(value))
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, [...path, key])]));
    return value;
  };
  return { data: walk(data, []), issues };
}

function substituteText(text: string, path: PathSegment[], env: Environment, issues: ConfigIssue[]): string {
  if (!text.includes("${")) return text;
  return text.replace(REFERENCE, (match: string, body: string | undefined) => {
    if (match === "$${") return "${";
    const reference = body === undefined ? null : REFERENCE_BODY.exec(body);
    if (!reference) {
      issues.push(makeIssue(path, text, expected.closedReference));
      return match;
    }
    const [, name, fallback] = reference;
    const value = env[name] ?? fallback;
    if (value === undefined) {
      issues.push(makeIssue(path, text, expected.environmentVariable(name)));
      return match;
    }
    return value;
  });
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
