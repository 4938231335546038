import { execFileSync } from "node:child_process";
import { fromRoot } from "../../../src/runtime/paths.js";

/** The checked-out commit, for the figures' provenance. */
export function commitId(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: fromRoot(), encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

export function utcMinute(date = new Date()): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
