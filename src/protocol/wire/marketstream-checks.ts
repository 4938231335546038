/**
 * The value checks of marketstream payloads, one per field kind, each returning nothing or a
 * `WireRejection` that names the field. Array element names are built only on failure (hot path).
 */
import { WireRejection } from "./marketstream-rejection.js";

export type JsonObject = Record<string, unknown>;

const SNAPSHOT_FEATURES = [
  "best_bid_price",
  "best_bid_size",
  "best_ask_price",
  "best_ask_size",
  "midpoint",
  "relative_spread",
  "breadth",
  "imbalance_lvl1",
  "bid_depth_n",
  "ask_depth_n",
  "depth_n",
  "volatility_mid",
  "ofi_rolling",
] as const;

export function checkString(obj: JsonObject, field: string): WireRejection | undefined {
  const value = obj[field];
  if (typeof value === "string") return undefined;
  return value === undefined
    ? new WireRejection("missing_field", field, "absent")
    : new WireRejection("bad_type", field, `expected string, got ${typeOf(value)}`);
}

export function checkNumber(obj: JsonObject, field: string): WireRejection | undefined {
  const value = obj[field];
  if (typeof value === "number") return undefined;
  return value === undefined
    ? new WireRejection("missing_field", field, "absent")
    : new WireRejection("bad_type", field, `expected number, got ${typeOf(value)}`);
}

/**
 * An integer field marketstream writes as a plain integer (`window_size`, `schema_version`): it must be
 * exact as a number, so a value past 2^53 (or a fraction) is refused rather than rounded.
 */
export function checkInteger(obj: JsonObject, field: string): WireRejection | undefined {
  const value = obj[field];
  if (Number.isSafeInteger(value)) return undefined;
  if (value === undefined) return new WireRejection("missing_field", field, "absent");
  if (typeof value !== "number") return new WireRejection("bad_type", field, `expected integer, got ${typeOf(value)}`);
  return new WireRejection("integer_out_of_range", field, `${value} is not an integer in (-2^53, 2^53)`);
}

export function checkFeatures(obj: JsonObject): WireRejection | undefined {
  for (const field of SNAPSHOT_FEATURES) {
    const problem = checkNumber(obj, field);
    if (problem) return problem;
  }
  return checkInteger(obj, "window_size") ?? checkInteger(obj, "schema_version");
}

/** seq is a counter from 1 per publisher start; a value past 2^53 cannot be held exactly as a number and is refused. */
export function checkSeq(value: unknown): WireRejection | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return undefined;
  if (value === undefined) return new WireRejection("missing_field", "seq", "absent");
  if (typeof value !== "number") return new WireRejection("bad_type", "seq", `expected integer, got ${typeOf(value)}`);
  return new WireRejection("seq_out_of_range", "seq", `${value} is not an integer in [0, 2^53)`);
}

/**
 * Bounds far beyond any instrument (prices ≤ 1e12, sizes ≤ 1e15) but small enough that every feature
 * the feed derives (10-level notional depth, mid, spread) stays finite. `JSON.parse` turns `1e999` into
 * Infinity, which must not travel on.
 */
export const MAX_PRICE = 1e12;
export const MAX_SIZE = 1e15;

/**
 * A price must be a positive number up to MAX_PRICE; `null` (how a NaN arrives after a JS serialiser),
 * a string or an overflowed literal is `nan_price`. `index` names an array element; the field name is
 * only built on failure (hot path).
 */
export function checkPrice(value: unknown, name: string, index = -1): WireRejection | undefined {
  if (typeof value === "number" && value > 0 && value <= MAX_PRICE) return undefined;
  const field = index < 0 ? name : `${name}[${index}]`;
  if (value === undefined) return new WireRejection("missing_field", field, "absent");
  if (typeof value !== "number" || value === Infinity)
    return new WireRejection("nan_price", field, `not a finite number: ${typeOf(value)} ${String(value).slice(0, 20)}`);
  if (value > MAX_PRICE) return new WireRejection("price_out_of_range", field, `${value} > ${MAX_PRICE}`);
  return new WireRejection("nonpositive_price", field, `${value}`);
}

export function checkSize(value: unknown, name: string, index = -1): WireRejection | undefined {
  if (typeof value === "number" && value >= 0 && value <= MAX_SIZE) return undefined;
  const field = index < 0 ? name : `${name}[${index}]`;
  if (value === undefined) return new WireRejection("missing_field", field, "absent");
  if (typeof value !== "number" || value === Infinity)
    return new WireRejection("nan_size", field, `not a finite number: ${typeOf(value)} ${String(value).slice(0, 20)}`);
  if (value > MAX_SIZE) return new WireRejection("size_out_of_range", field, `${value} > ${MAX_SIZE}`);
  return new WireRejection("negative_size", field, `${value}`);
}

export function checkTradeSide(value: unknown): WireRejection | undefined {
  if (value === "buy" || value === "sell") return undefined;
  if (value === undefined) return new WireRejection("missing_field", "side", "absent");
  return new WireRejection("bad_side", "side", `expected "buy" or "sell", got ${JSON.stringify(value)?.slice(0, 20)}`);
}

export function checkArray(value: unknown, field: string): WireRejection | undefined {
  if (Array.isArray(value)) return undefined;
  return value === undefined
    ? new WireRejection("missing_field", field, "absent")
    : new WireRejection("bad_type", field, `expected array, got ${typeOf(value)}`);
}

export function checkPriceArray(value: unknown, field: string): WireRejection | undefined {
  const problem = checkArray(value, field);
  if (problem) return problem;
  const items = value as unknown[];
  for (let i = 0; i < items.length; i++) {
    const p = checkPrice(items[i], field, i);
    if (p) return p;
  }
  return undefined;
}

export function checkSizeArray(value: unknown, field: string): WireRejection | undefined {
  const problem = checkArray(value, field);
  if (problem) return problem;
  const items = value as unknown[];
  for (let i = 0; i < items.length; i++) {
    const p = checkSize(items[i], field, i);
    if (p) return p;
  }
  return undefined;
}

export function checkDeltaSides(value: unknown): WireRejection | undefined {
  const problem = checkArray(value, "side");
  if (problem) return problem;
  const items = value as unknown[];
  for (let i = 0; i < items.length; i++) {
    if (items[i] !== 0 && items[i] !== 1)
      return new WireRejection(
        "bad_side",
        `side[${i}]`,
        `expected 0 or 1, got ${JSON.stringify(items[i])?.slice(0, 20)}`,
      );
  }
  return undefined;
}

export function checkLevelPairs(value: unknown, field: string): WireRejection | undefined {
  const problem = checkArray(value, field);
  if (problem) return problem;
  const levels = value as unknown[];
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (!Array.isArray(level) || level.length !== 2)
      return new WireRejection("bad_type", `${field}[${i}]`, "expected [price, size]");
    const [price, size] = level as unknown[];
    if (
      typeof price === "number" &&
      price > 0 &&
      price <= MAX_PRICE &&
      typeof size === "number" &&
      size >= 0 &&
      size <= MAX_SIZE
    )
      continue;
    const p = checkPrice(price, `${field}[${i}]`, 0) ?? checkSize(size, `${field}[${i}]`, 1);
    if (p) return p;
  }
  return undefined;
}

export function checkSameLength(obj: JsonObject, ...fields: string[]): WireRejection | undefined {
  const length = (obj[fields[0]] as unknown[]).length;
  for (const field of fields) {
    if ((obj[field] as unknown[]).length !== length) {
      return new WireRejection("length_mismatch", field, `${fields.join("/")} lengths differ`);
    }
  }
  return undefined;
}

function typeOf(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}
