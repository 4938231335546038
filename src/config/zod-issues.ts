/** Turns zod issues into ConfigIssues: dot path, the value found, and the expectation in our words. */
import type { z } from "zod";
import { type ConfigIssue, MAX_LISTED_ISSUES, type PathSegment, makeIssue } from "./errors.js";
import { expected } from "./messages.js";
import { knownKeysAt } from "./schema-keys.js";
import { closestKey } from "./suggest.js";

type ZodIssue = z.core.$ZodIssue;

export function fromZodIssues(issues: readonly ZodIssue[], schema: z.ZodType): ConfigIssue[] {
  return issues.flatMap((issue) => fromZodIssue(issue, schema));
}

function fromZodIssue(issue: ZodIssue, schema: z.ZodType): ConfigIssue[] {
  const path = issue.path.filter((s): s is PathSegment => typeof s !== "symbol");
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(schema, path);
    // For an unknown key the bad value is the key itself: that is what the user mistyped. Reports list
    // the shallowest issues first, in order, so past the first MAX_LISTED_ISSUES keys of one mapping none
    // is ever listed: no suggestion is searched for them (a file of 100,000 unknown keys stays quick).
    return issue.keys.map((key, i) => {
      const suggestion = i < MAX_LISTED_ISSUES ? closestKey(key, known) : undefined;
      return makeIssue([...path, key], key, expected.knownKey(suggestion));
    });
  }
  return [makeIssue(path, issue.input, expectationOf(issue))];
}

function expectationOf(issue: ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return expected.type(issue.expected);
    case "invalid_value":
      return expected.oneOf(issue.values);
    case "too_small":
      if (issue.origin === "array") return expected.listLength(issue.minimum);
      if (issue.origin === "string") return expected.nonEmptyText;
      return expected.atLeast(issue.minimum, issue.inclusive ?? false, unitOf(issue.origin));
    case "too_big":
      return expected.atMost(issue.maximum, issue.inclusive ?? false, unitOf(issue.origin));
    case "custom":
      return typeof issue.params?.expected === "string" ? issue.params.expected : issue.message;
    case "invalid_format":
      // Our regex checks carry their own wording; zod's built-in formats get a generic one.
      return issue.format === "regex" ? issue.message : expected.format(issue.format);
    default:
      return issue.message;
  }
}

function unitOf(origin: string): string {
  return origin === "int" ? "an integer" : "a number";
}
