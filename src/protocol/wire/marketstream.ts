/**
 * Ingress of latentspeed marketstream messages (wire doc Part 1): topic parsing and payload parsing
 * for trades, book snapshots, book deltas and book checkpoints. Every function returns a value or a
 * `WireRejection`; none throws, whatever the bytes.
 *
 * Parsing is `JSON.parse` plus a targeted scan of the `receipt_timestamp_ns` digits (the parsed double
 * rounds ~1.76e18 to a multiple of 256 ns). A byte scanner in JS for marketstream's exact layout (tried:
 * key literals, hand number parsing, cached timestamp seconds) was no better than V8's native parser, so
 * it was not kept; a BigInt-aware reviver is several times slower than both (figures: docs/benchmarks.md).
 *
 * Validation is hand-written rather than zod: zod `safeParse` walks arrays element by element through
 * closures and costs several times the hand checks (docs/benchmarks.md), and the hand checks yield the
 * drop reason kinds the feed counts (negative_size, nan_price, …) without mapping issue paths back to kinds.
 * The wire shapes (marketstream-types.ts) are the contract; the checks (marketstream-checks.ts) mirror them
 * one field each.
 */
import type { Nanos } from "../../model/time.js";
import {
  MARKETSTREAM_STREAMS,
  type MarketstreamBookCheckpoint,
  type MarketstreamBookDelta,
  type MarketstreamBookSnapshot,
  type MarketstreamMessage,
  type MarketstreamStream,
  type MarketstreamTopic,
  type MarketstreamTrade,
} from "./marketstream-types.js";
import { WireRejection, type WireResult } from "./marketstream-rejection.js";
import {
  checkDeltaSides,
  checkFeatures,
  checkInteger,
  checkLevelPairs,
  checkNumber,
  checkPrice,
  checkPriceArray,
  checkSameLength,
  checkSeq,
  checkSize,
  checkSizeArray,
  checkString,
  checkTradeSide,
  type JsonObject,
} from "./marketstream-checks.js";

export * from "./marketstream-types.js";
export {
  WIRE_REJECT_REASONS,
  WireRejection,
  type WireRejectReason,
  type WireResult,
} from "./marketstream-rejection.js";

const STREAM_SET: ReadonlySet<string> = new Set(MARKETSTREAM_STREAMS);

/** `{EXCHANGE}-{stream}-{SYMBOL}`; the exchange and the stream never contain `-`, the symbol may. */
export function parseTopic(topic: string): WireResult<MarketstreamTopic> {
  const first = topic.indexOf("-");
  const second = first < 0 ? -1 : topic.indexOf("-", first + 1);
  if (first <= 0 || second < 0 || second === topic.length - 1) {
    return new WireRejection("unknown_topic", "", `'${topic.slice(0, 80)}' is not EXCHANGE-stream-SYMBOL`);
  }
  const stream = topic.slice(first + 1, second);
  if (!STREAM_SET.has(stream)) return new WireRejection("unknown_topic", "", `unknown stream '${stream.slice(0, 40)}'`);
  return { exchange: topic.slice(0, first), stream: stream as MarketstreamStream, symbol: topic.slice(second + 1) };
}

/** Parses a payload of the stream named by `topic` and checks that it names the topic's exchange and symbol. */
export function parsePayload(topic: MarketstreamTopic, payload: Uint8Array | string): WireResult<MarketstreamMessage> {
  let parsed: WireResult<MarketstreamMessage>;
  switch (topic.stream) {
    case "preprocessed_trades":
      parsed = parseTrade(payload);
      break;
    case "preprocessed_book":
      parsed = parseBookSnapshot(payload);
      break;
    case "preprocessed_book_delta":
      parsed = parseBookDelta(payload);
      break;
    case "preprocessed_book_ckpt":
      parsed = parseBookCheckpoint(payload);
      break;
  }
  if (parsed instanceof WireRejection) return parsed;
  if (parsed.symbol !== topic.symbol || parsed.exchange !== topic.exchange) {
    return new WireRejection(
      "topic_mismatch",
      "symbol",
      `payload ${parsed.exchange}/${parsed.symbol} on topic ${topic.exchange}/${topic.symbol}`,
    );
  }
  return parsed;
}

export function parseTrade(payload: Uint8Array | string): WireResult<MarketstreamTrade> {
  return parseWith(payload, checkTrade) as WireResult<MarketstreamTrade>;
}

function checkTrade(obj: JsonObject): WireRejection | undefined {
  return (
    checkString(obj, "symbol") ??
    checkString(obj, "exchange") ??
    checkPrice(obj.price, "price") ??
    checkSize(obj.amount, "amount") ??
    checkTradeSide(obj.side) ??
    checkString(obj, "trade_id") ??
    checkNumber(obj, "transaction_price") ??
    checkNumber(obj, "trading_volume") ??
    checkNumber(obj, "volatility_transaction_price") ??
    checkInteger(obj, "window_size") ??
    checkSeq(obj.seq) ??
    checkInteger(obj, "schema_version") ??
    checkString(obj, "preprocessing_timestamp")
  );
}

export function parseBookSnapshot(payload: Uint8Array | string): WireResult<MarketstreamBookSnapshot> {
  return parseWith(payload, checkBookSnapshot) as WireResult<MarketstreamBookSnapshot>;
}

function checkBookSnapshot(obj: JsonObject): WireRejection | undefined {
  return (
    checkString(obj, "symbol") ??
    checkString(obj, "exchange") ??
    checkSeq(obj.seq) ??
    checkFeatures(obj) ??
    checkString(obj, "preprocessing_timestamp") ??
    checkLevelPairs(obj.bids, "bids") ??
    checkLevelPairs(obj.asks, "asks")
  );
}

export function parseBookDelta(payload: Uint8Array | string): WireResult<MarketstreamBookDelta> {
  return parseWith(payload, checkBookDelta) as WireResult<MarketstreamBookDelta>;
}

function checkBookDelta(obj: JsonObject): WireRejection | undefined {
  return (
    checkString(obj, "symbol") ??
    checkString(obj, "exchange") ??
    checkSeq(obj.seq) ??
    checkDeltaSides(obj.side) ??
    checkPriceArray(obj.px, "px") ??
    checkSizeArray(obj.sz, "sz") ??
    checkSameLength(obj, "side", "px", "sz")
  );
}

export function parseBookCheckpoint(payload: Uint8Array | string): WireResult<MarketstreamBookCheckpoint> {
  return parseWith(payload, checkBookCheckpoint) as WireResult<MarketstreamBookCheckpoint>;
}

function checkBookCheckpoint(obj: JsonObject): WireRejection | undefined {
  return (
    checkString(obj, "symbol") ??
    checkString(obj, "exchange") ??
    checkSeq(obj.seq) ??
    checkPriceArray(obj.bid_px, "bid_px") ??
    checkSizeArray(obj.bid_sz, "bid_sz") ??
    checkPriceArray(obj.ask_px, "ask_px") ??
    checkSizeArray(obj.ask_sz, "ask_sz") ??
    checkSameLength(obj, "bid_px", "bid_sz") ??
    checkSameLength(obj, "ask_px", "ask_sz")
  );
}

/** `JSON.parse`, the value checks of the message type, then the exact timestamp. */
function parseWith(
  payload: Uint8Array | string,
  check: (obj: JsonObject) => WireRejection | undefined,
): WireResult<MarketstreamMessage> {
  const text = decode(payload);
  const obj = parseObject(text);
  if (obj instanceof WireRejection) return obj;
  return check(obj) ?? (withExactTimestamp(text, obj) as WireResult<MarketstreamMessage>);
}

function decode(payload: Uint8Array | string): string {
  if (typeof payload === "string") return payload;
  if (Buffer.isBuffer(payload)) return payload.toString("utf8");
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("utf8");
}

function parseObject(text: string): WireResult<JsonObject> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return new WireRejection("invalid_json", "", (err as Error).message.slice(0, 120));
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return new WireRejection("not_an_object", "", `payload is ${value === null ? "null" : typeof value}`);
  }
  return value as JsonObject;
}

const TIMESTAMP_KEY = '"receipt_timestamp_ns":';

/**
 * The largest receipt time accepted: int64's maximum (year 2262). Nanos cross actors as msgpack integers
 * and land in PostgreSQL `bigint` columns, both signed 64-bit; msgpackr throws on a bigint past 2^64, so a
 * value it cannot encode must never leave the parser.
 */
export const MAX_TIMESTAMP_NS: Nanos = (1n << 63n) - 1n;
const MAX_TIMESTAMP_DIGITS = String(MAX_TIMESTAMP_NS).length;

/**
 * Replaces the rounded `receipt_timestamp_ns` with the exact integer read from the text. The scanned
 * value must agree with what `JSON.parse` saw (same key, a plain non-negative integer), so a payload with
 * a duplicated key or a fractional or signed timestamp is refused instead of half-trusted; one past
 * `MAX_TIMESTAMP_NS` is refused as out of range.
 */
function withExactTimestamp(text: string, obj: JsonObject): WireResult<JsonObject> {
  const rounded = obj.receipt_timestamp_ns;
  if (rounded === undefined) return new WireRejection("missing_field", "receipt_timestamp_ns", "absent");
  if (typeof rounded !== "number")
    return new WireRejection("bad_type", "receipt_timestamp_ns", `expected integer, got ${typeof rounded}`);
  const keyAt = text.indexOf(TIMESTAMP_KEY);
  if (keyAt < 0) return new WireRejection("bad_timestamp", "receipt_timestamp_ns", "key spelled with escapes");
  const start = keyAt + TIMESTAMP_KEY.length;
  let end = start;
  for (let c = text.charCodeAt(end); c >= 48 && c <= 57; c = text.charCodeAt(++end));
  const next = text.charCodeAt(end);
  if (end === start || next === 46 /* . */ || next === 101 /* e */ || next === 69 /* E */) {
    return new WireRejection(
      "bad_timestamp",
      "receipt_timestamp_ns",
      `not a non-negative integer: ${text.slice(start, start + 24)}`,
    );
  }
  // Digits counted before BigInt(): a thousand-digit literal costs nothing to refuse.
  const exact: Nanos | undefined = end - start > MAX_TIMESTAMP_DIGITS ? undefined : BigInt(text.slice(start, end));
  if (exact === undefined || exact > MAX_TIMESTAMP_NS) {
    const digits = text.slice(start, Math.min(end, start + 24));
    return new WireRejection("timestamp_out_of_range", "receipt_timestamp_ns", `${digits} > 2^63 - 1`);
  }
  if (Number(exact) !== rounded)
    return new WireRejection("bad_timestamp", "receipt_timestamp_ns", "duplicate key or inconsistent value");
  obj.receipt_timestamp_ns = exact;
  return obj;
}
