/**
 * Named profiles: a top-level `profiles:` mapping of name → partial config. `--profile P` deep-merges
 * `profiles.P` over the rest of the file before substitution and validation: mappings merge key by
 * key, anything else (lists, scalars, null) replaces. `profiles:` itself never reaches the schema.
 */
import { type ConfigIssue, makeIssue } from "./errors.js";
import { expected } from "./messages.js";
import { isMapping } from "./substitute.js";

export interface ProfileResult {
  readonly data: unknown;
  readonly issues: ConfigIssue[];
  /** Every profile the file defines, for messages and for checking each one. */
  readonly defined: readonly string[];
}

export function applyProfile(document: unknown, profile: string | undefined): ProfileResult {
  if (!isMapping(document)) return { data: document, issues: [makeIssue([], document, expected.mapping)], defined: [] };
  const { profiles, ...base } = document;
  if (profiles !== undefined && !isMapping(profiles))
    return { data: base, issues: [makeIssue(["profiles"], profiles, expected.profileMapping)], defined: [] };
  const defined = Object.keys(profiles ?? {});
  if (profile === undefined) return { data: base, issues: [], defined };
  const overlay = profiles !== undefined && Object.hasOwn(profiles, profile) ? profiles[profile] : undefined;
  if (overlay === undefined)
    return {
      data: base,
      issues: [makeIssue(["profiles"], profile, expected.profileDefined(profile, defined))],
      defined,
    };
  if (!isMapping(overlay))
    return { data: base, issues: [makeIssue(["profiles", profile], overlay, expected.mapping)], defined };
  return { data: deepMerge(base, overlay), issues: [], defined };
}

/** Mappings merge recursively; lists and scalars from `overlay` replace what `base` had. */
export function deepMerge(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const current = merged[key];
    merged[key] = isMapping(current) && isMapping(value) ? deepMerge(current, value) : value;
  }
  return merged;
}
