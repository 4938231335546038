import { decimalsOf, priceText, roundToLot, type PriceRules } from "../../model/rounding.js";
import { z } from "zod";
import type {
  CancelOrder,
  OrderAccepted,
  OrderCanceled,
  OrderFilled,
  OrderRejected,
  PlaceOrder,
  ReasonCode,
} from "../orders.js";
import { ReasonCode as ReasonCodeSchema } from "../orders.js";

/**
 * The latentspeed trading engine's wire format, client side (wire-latentspeed.md Part 2): serialise
 * `place` / `cancel` ExecutionOrder JSON for the PUSH socket, parse `exec.report` / `exec.fill` from the
 * SUB socket. Nothing here throws on bad input: a malformed frame is a typed rejection the caller counts.
 */

export const EXEC_REPORT_TOPIC = "exec.report";
export const EXEC_FILL_TOPIC = "exec.fill";

/** `ts_ns` below this is TSC-derived (ns since boot), not Unix time (§2.11). */
export const TSC_TS_THRESHOLD_NS = 100_000_000_000_000_000n;

/** Valid as a Hyperliquid cloid verbatim, so it survives an engine restart (§2.6). */
export const CLOID_PATTERN = /^0x[0-9a-f]{32}$/;

/** At most 4 own tags: the engine adds execution_type, venue, intent_id, role within its cap of 8 (§2.10). */
export const MAX_OWN_TAGS = 4;
const MAX_TAG_KEY = 31;
const MAX_TAG_VALUE = 63;
const MAX_SYMBOL = 31;

export interface EngineOrderOptions {
  /** Lower-case venue name the engine has loaded (`hyperliquid`). */
  readonly venue: string;
  /** Symbol as the engine should receive it (the instrument registry's mapping). */
  readonly engineSymbol: string;
  /** Lot size: `size` is rounded down to a multiple of it (the engine does not round sizes, §2.6). */
  readonly lotSize: number;
  /**
   * The prices the venue accepts. Prices arrive snapped (risk does it); one that is not is refused here rather
   * than sent, since the engine would round it the aggressive way (§2.6) or the venue reject it.
   */
  readonly priceRules: PriceRules;
  /** Perp orders carry `details.margin_mode` and `details.leverage`, as trading_core sends them (§2.4). */
  readonly perp?: { readonly marginMode: "cross" | "isolated"; readonly leverage: number };
  /** Extra own tags beyond intent_id/role/strategy; values become strings. */
  readonly extraTags?: Readonly<Record<string, string | number | boolean>>;
}

export type WireFailure =
  | "invalid_cl_id"
  | "invalid_size"
  | "missing_price"
  | "unsnapped_price"
  | "too_many_tags"
  | "tag_too_long"
  | "symbol_too_long"
  | "missing_cancel_id";

export interface WireError {
  readonly reason: WireFailure;
  readonly detail: string;
}

export type SerializeResult = { ok: true; frame: string; size: number } | { ok: false; error: WireError };

const quote = JSON.stringify;

function tagsJson(tags: Record<string, string>): string | WireError {
  const entries = Object.entries(tags);
  if (entries.length > MAX_OWN_TAGS) {
    return { reason: "too_many_tags", detail: `${entries.length} own tags > max ${MAX_OWN_TAGS}` };
  }
  const parts: string[] = [];
  for (const [key, value] of entries) {
    if (key.length > MAX_TAG_KEY || value.length > MAX_TAG_VALUE) {
      return {
        reason: "tag_too_long",
        detail: `tag '${key.slice(0, 40)}' exceeds ${MAX_TAG_KEY}/${MAX_TAG_VALUE} chars`,
      };
    }
    parts.push(`${quote(key)}:${quote(value)}`);
  }
  return `{${parts.join(",")}}`;
}

function productType(marketType: "spot" | "perp"): string {
  return marketType === "perp" ? "perpetual" : "spot";
}

/**
 * One `place` frame. Every number inside `tags` is a string; `ts_ns` an integer literal; size and price are
 * printed from exact decimals (no float noise such as `3110.2276500000003`).
 */
export function serializePlace(order: PlaceOrder, options: EngineOrderOptions): SerializeResult {
  if (!CLOID_PATTERN.test(order.clId))
    return { ok: false, error: { reason: "invalid_cl_id", detail: order.clId.slice(0, 70) } };
  if (options.engineSymbol.length > MAX_SYMBOL) {
    return { ok: false, error: { reason: "symbol_too_long", detail: options.engineSymbol } };
  }
  const size = roundToLot(order.size, options.lotSize);
  if (!(size > 0)) {
    return {
      ok: false,
      error: { reason: "invalid_size", detail: `size ${order.size} rounds to ${size} at lot ${options.lotSize}` },
    };
  }
  if (!(order.price > 0 && Number.isFinite(order.price))) {
    return {
      ok: false,
      error: { reason: "missing_price", detail: `${order.orderType} order needs a price, got ${order.price}` },
    };
  }
  const price = priceText(order.price, options.priceRules);
  if (price === undefined) {
    const { tickSize, maxDecimals, maxSignificantFigures } = options.priceRules;
    const rules = `tick ${tickSize}, ${maxDecimals ?? "any"} decimals, ${maxSignificantFigures ?? "any"} significant figures`;
    return {
      ok: false,
      error: { reason: "unsnapped_price", detail: `price ${order.price} is not a venue price (${rules})` },
    };
  }
  const own: Record<string, string> = { intent_id: order.intentId, role: order.role, strategy: order.strategy };
  for (const [k, v] of Object.entries(options.extraTags ?? {})) own[k] = String(v);
  const tags = tagsJson(own);
  if (typeof tags !== "string") return { ok: false, error: tags };
  const sizeText = size.toFixed(decimalsOf(options.lotSize));
  const perp =
    order.marketType === "perp" && options.perp !== undefined
      ? `,"margin_mode":${quote(options.perp.marginMode)},"leverage":${options.perp.leverage}`
      : "";
  const frame =
    `{"version":1,"cl_id":${quote(order.clId)},"action":"place","venue_type":"cex","venue":${quote(options.venue)},` +
    `"product_type":"${productType(order.marketType)}","details":{"symbol":${quote(options.engineSymbol)},` +
    `"side":"${order.side}","order_type":"${order.orderType}","time_in_force":"${order.tif}",` +
    `"size":${sizeText},"price":${price},"reduce_only":${order.reduceOnly}${perp}},` +
    `"ts_ns":${order.tsNs},"tags":${tags}}`;
  return { ok: true, frame, size };
}

/** One `cancel` frame in the canonical shape: `details.cancel.cl_id_to_cancel` plus `details.symbol` (§2.7). */
export function serializeCancel(
  cancel: CancelOrder,
  options: Pick<EngineOrderOptions, "venue" | "engineSymbol">,
): SerializeResult {
  if (!CLOID_PATTERN.test(cancel.clId))
    return { ok: false, error: { reason: "invalid_cl_id", detail: cancel.clId.slice(0, 70) } };
  if (cancel.clIdToCancel === "")
    return { ok: false, error: { reason: "missing_cancel_id", detail: "clIdToCancel is empty" } };
  const oid = cancel.exchangeOrderId === "" ? "" : `,"exchange_order_id":${quote(cancel.exchangeOrderId)}`;
  const tags = tagsJson({ intent_id: cancel.intentId });
  if (typeof tags !== "string") return { ok: false, error: tags };
  const frame =
    `{"version":1,"cl_id":${quote(cancel.clId)},"action":"cancel","venue_type":"cex","venue":${quote(options.venue)},` +
    `"product_type":"${productType(cancel.marketType)}","details":{"symbol":${quote(options.engineSymbol)},` +
    `"cancel":{"cl_id_to_cancel":${quote(cancel.clIdToCancel)}${oid}}},"ts_ns":${cancel.tsNs},"tags":${tags}}`;
  return { ok: true, frame, size: 0 };
}

/** Hyperliquid has no modify (§2.8): a replace is a cancel of the old order followed by a new place. */
export function serializeReplace(
  cancel: CancelOrder,
  place: PlaceOrder,
  options: EngineOrderOptions,
): { ok: true; frames: [string, string] } | { ok: false; error: WireError } {
  const c = serializeCancel(cancel, options);
  if (!c.ok) return c;
  const p = serializePlace(place, options);
  if (!p.ok) return p;
  return { ok: true, frames: [c.frame, p.frame] };
}

// ─── inbound: exec.report / exec.fill ──────────────────────────────────────────────────────────────

export type EngineReportStatus = "accepted" | "rejected" | "canceled" | "replaced";

export interface EngineReport {
  readonly kind: "report";
  readonly clId: string;
  readonly status: EngineReportStatus;
  readonly exchangeOrderId: string;
  readonly reasonCode: ReasonCode;
  /** The code as sent, when it was outside the canonical set (then `reasonCode` is `venue_reject`). */
  readonly unknownReasonCode: string;
  readonly reasonText: string;
  readonly tsNs: bigint;
  readonly tsIsTsc: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

export interface EngineFill {
  readonly kind: "fill";
  readonly clId: string;
  readonly exchangeOrderId: string;
  readonly execId: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly price: number;
  readonly size: number;
  readonly feeCurrency: string;
  readonly feeAmount: number;
  readonly liquidity: "taker" | "maker";
  readonly tsNs: bigint;
  readonly tsIsTsc: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

export type EngineEvent = EngineReport | EngineFill;

export type ParseFailure = "unknown_topic" | "bad_json" | "bad_shape" | "bad_ts_ns";
export interface ParseError {
  readonly reason: ParseFailure;
  readonly detail: string;
}
export type ParseResult = { ok: true; event: EngineEvent } | { ok: false; error: ParseError };

const tagsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({});

const reportSchema = z.object({
  cl_id: z.string().min(1),
  status: z.enum(["accepted", "rejected", "canceled", "replaced"]),
  exchange_order_id: z.string().default(""),
  reason_code: z.string().default("ok"),
  reason_text: z.string().default(""),
  ts_ns: z.number().nonnegative(), // integer-ness is checked on the text: above 2^53 zod .int() refuses it
  tags: tagsSchema,
});

const fillSchema = z.object({
  cl_id: z.string().min(1),
  exchange_order_id: z.string().default(""),
  exec_id: z.string().min(1),
  symbol_or_pair: z.string(),
  side: z.enum(["buy", "sell"]),
  price: z.number().finite().positive(),
  size: z.number().finite().positive(),
  fee_currency: z.string().default(""),
  fee_amount: z.number().finite().default(0),
  liquidity: z.enum(["taker", "maker"]).default("taker"),
  ts_ns: z.number().nonnegative(), // integer-ness is checked on the text: above 2^53 zod .int() refuses it
  tags: tagsSchema,
});

/**
 * `ts_ns` exceeds 2^53: read the digits from the text, since JSON.parse rounds them. Key order puts the top-level one
 * first.
 */
const TS_NS_LITERAL = /(?<!\\)"ts_ns":(\d+)[,}]/;

function exactTsNs(text: string): bigint | undefined {
  const match = TS_NS_LITERAL.exec(text);
  return match ? BigInt(match[1]) : undefined;
}

function stringTags(tags: Record<string, string | number | boolean>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) out[k] = String(v);
  return out;
}

function shapeError(issues: readonly z.core.$ZodIssue[]): ParseError {
  const first = issues[0];
  return { reason: "bad_shape", detail: `${first.path.join(".") || "(root)"}: ${first.message}` };
}

/** Parses one 2-frame engine event. `payload` is the JSON frame as text. */
export function parseEngineEvent(topic: string, payload: string): ParseResult {
  if (topic !== EXEC_REPORT_TOPIC && topic !== EXEC_FILL_TOPIC) {
    return { ok: false, error: { reason: "unknown_topic", detail: topic.slice(0, 40) } };
  }
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch (err) {
    return { ok: false, error: { reason: "bad_json", detail: (err as Error).message.slice(0, 120) } };
  }
  const schema = topic === EXEC_REPORT_TOPIC ? reportSchema : fillSchema;
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, error: shapeError(parsed.error.issues) };
  const tsNs = exactTsNs(payload);
  if (tsNs === undefined)
    return { ok: false, error: { reason: "bad_ts_ns", detail: "ts_ns is not an integer literal" } };
  const tsIsTsc = tsNs < TSC_TS_THRESHOLD_NS;
  if (topic === EXEC_REPORT_TOPIC) {
    const r = parsed.data as z.output<typeof reportSchema>;
    const known = ReasonCodeSchema.safeParse(r.reason_code);
    return {
      ok: true,
      event: {
        kind: "report",
        clId: r.cl_id,
        status: r.status,
        exchangeOrderId: r.exchange_order_id,
        reasonCode: known.success ? known.data : "venue_reject",
        unknownReasonCode: known.success ? "" : r.reason_code.slice(0, 40),
        reasonText: r.reason_text,
        tsNs,
        tsIsTsc,
        tags: stringTags(r.tags),
      },
    };
  }
  const f = parsed.data as z.output<typeof fillSchema>;
  return {
    ok: true,
    event: {
      kind: "fill",
      clId: f.cl_id,
      exchangeOrderId: f.exchange_order_id,
      execId: f.exec_id,
      symbol: f.symbol_or_pair,
      side: f.side,
      price: f.price,
      size: f.size,
      feeCurrency: f.fee_currency,
      feeAmount: f.fee_amount,
      liquidity: f.liquidity,
      tsNs,
      tsIsTsc,
      tags: stringTags(f.tags),
    },
  };
}

export type VenueEvent = OrderAccepted | OrderRejected | OrderCanceled | OrderFilled;

/**
 * The protocol event for a parsed engine event. `replaced` never succeeds on Hyperliquid (§2.8) and
 * carries no order-state meaning, so it maps to nothing.
 */
export function toVenueEvent(event: EngineEvent, recvNs: bigint): VenueEvent | undefined {
  const common = {
    clId: event.clId,
    exchangeOrderId: event.exchangeOrderId,
    venueTsNs: event.tsNs,
    venueTsIsTsc: event.tsIsTsc,
    recvNs,
  };
  if (event.kind === "fill") {
    return {
      type: "OrderFilled",
      ...common,
      execId: event.execId,
      venueSymbol: event.symbol,
      side: event.side,
      price: event.price,
      size: event.size,
      feeCurrency: event.feeCurrency,
      feeAmount: event.feeAmount,
      liquidity: event.liquidity,
    };
  }
  switch (event.status) {
    case "accepted":
      return { type: "OrderAccepted", ...common, reasonText: event.reasonText };
    case "rejected":
      return { type: "OrderRejected", ...common, reasonCode: event.reasonCode, reasonText: event.reasonText };
    case "canceled":
      return { type: "OrderCanceled", ...common, reasonText: event.reasonText };
    case "replaced":
      return undefined;
  }
}
