/**
 * Secrets never leave the loader in clear: `--print` output and error reports show tokens and
 * passwords as "[redacted]". Keys named like a secret are hidden whole; URLs keep everything but
 * the password, so a wrong host or database name is still visible.
 */
import type { PathSegment } from "./errors.js";
import { isMapping } from "./substitute.js";

export const REDACTED = "[redacted]";
const SECRET_KEY = /token|password|secret/i;
const URL_KEYS = new Set(["connection", "database_url"]);

/** The value to show for `value` found at `path`. */
export function redactValue(path: readonly PathSegment[], value: unknown): unknown {
  const key = path.length > 0 ? String(path[path.length - 1]) : "";
  if (typeof value !== "string") return value;
  if (SECRET_KEY.test(key)) return REDACTED;
  if (URL_KEYS.has(key)) return redactUrlPassword(value);
  return value;
}

/** A deep copy of `data` with every secret redacted. */
export function redactSecrets(data: unknown, path: readonly PathSegment[] = []): unknown {
  if (Array.isArray(data)) return data.map((item, index) => redactSecrets(item, [...path, index]));
  if (isMapping(data))
    return Object.fromEntries(Object.entries(data).map(([key, item]) => [key, redactSecrets(item, [...path, key])]));
  return redactValue(path, data);
}

function redactUrlPassword(text: string): string {
  if (!text.includes("@")) return text; // no user-info part, so no password
  try {
    const url = new URL(text);
    if (url.password === "") return text;
    url.password = REDACTED;
    return url.toString().replace(encodeURIComponent(REDACTED), REDACTED); // URL percent-encodes the brackets
  } catch {
    return REDACTED; // unparseable: it may still hold a password, so hide it all
  }
}
