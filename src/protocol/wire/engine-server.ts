import type { ReasonCode } from "../orders.js";
import type { EngineFill, EngineReport } from "./engine.js";

/**
 * The engine's side of the wire: read an ExecutionOrder frame and write `exec.report` / `exec.fill`
 * payloads byte-for-byte in the engine's key order (wire doc §2.4, §2.9, §2.10). The paper venue speaks
 * through it so downstream code sees the same frames in paper and live; tests use it as the engine stand-in.
 */

export interface InboundPlace {
  readonly action: "place";
  readonly clId: string;
  readonly venue: string;
  readonly productType: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly orderType: "limit" | "market";
  readonly tif: string;
  readonly price: number;
  readonly size: number;
  readonly reduceOnly: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

export interface InboundCancel {
  readonly action: "cancel";
  readonly clId: string;
  readonly clIdToCancel: string;
  readonly exchangeOrderId: string;
  readonly symbol: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface InboundRejection {
  readonly action: "rejected";
  readonly clId: string;
  readonly reasonCode: ReasonCode;
  readonly reasonText: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** `undefined` = unparsable JSON, which the engine drops silently (§2.3). */
export type InboundOrder = InboundPlace | InboundCancel | InboundRejection | undefined;

type Json = Record<string, unknown>;

function flatStrings(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== "object" || value === null) return out;
  for (const [k, v] of Object.entries(value as Json)) {
    if (typeof v === "string") out[k] = v;
    else if (typeof v === "boolean") out[k] = v ? "true" : "false";
    else if (typeof v === "number") out[k] = v.toFixed(6); // the engine's C `%f` (§2.4)
  }
  return out;
}

function numeric(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") return Number(value);
  return NaN;
}

export function parseExecutionOrder(text: string): InboundOrder {
  let json: Json;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    json = parsed as Json;
  } catch {
    return undefined;
  }
  const clId = typeof json.cl_id === "string" ? json.cl_id.slice(0, 63) : "";
  const tags = flatStrings(json.tags);
  const details = (typeof json.details === "object" && json.details !== null ? json.details : {}) as Json;
  const reject = (reasonText: string): InboundRejection => ({
    action: "rejected",
    clId,
    reasonCode: "invalid_params",
    reasonText,
    tags,
  });
  const action = typeof json.action === "string" ? json.action.toLowerCase() : "";
  if (action === "") return reject("missing_action");
  if (action === "cancel") {
    const cancel = flatStrings(details.cancel);
    const params = flatStrings(details.params);
    const target = cancel.cl_id_to_cancel ?? params.cancel_cl_id_to_cancel ?? tags.cancel_cl_id_to_cancel ?? "";
    if (target === "") return reject("missing_cancel_id");
    const symbol = typeof details.symbol === "string" ? details.symbol : "";
    return {
      action: "cancel",
      clId,
      clIdToCancel: target,
      exchangeOrderId: cancel.exchange_order_id ?? "",
      symbol,
      tags,
    };
  }
  if (action === "replace")
    return { action: "rejected", clId, reasonCode: "venue_reject", reasonText: "modify not yet implemented", tags };
  if (action !== "place") return reject("invalid_action");
  const symbol = typeof details.symbol === "string" ? details.symbol : "";
  const side = typeof details.side === "string" ? details.side.toLowerCase() : "";
  const orderType = typeof details.order_type === "string" ? details.order_type.toLowerCase() : "";
  if (symbol === "" || side === "" || orderType === "") return reject("missing_parameters");
  const size = numeric(details.size);
  if (!(size > 0)) return reject("invalid_size");
  if (orderType !== "limit" && orderType !== "market") return reject("unsupported_type");
  const price = numeric(details.price);
  if (orderType === "limit" && !(price > 0)) return reject("Price required for limit orders");
  if (orderType === "market" && !(price > 0)) {
    return {
      action: "rejected",
      clId,
      reasonCode: "venue_reject",
      reasonText: "market order requires price or BBO-derived fallback",
      tags,
    };
  }
  const tif = typeof details.time_in_force === "string" ? details.time_in_force.slice(0, 7).toUpperCase() : "";
  const reduceOnly = details.reduce_only === true || details.reduce_only === "true";
  const productType = typeof json.product_type === "string" ? json.product_type : "";
  if (reduceOnly && (productType === "spot" || productType === "")) return reject("invalid_reduce_only");
  return {
    action: "place",
    clId,
    venue: typeof json.venue === "string" ? json.venue.toLowerCase() : "",
    productType,
    symbol,
    // Hyperliquid treats exactly `buy` as buy and anything else as sell (§2.4).
    side: side === "buy" ? "buy" : "sell",
    orderType,
    tif: orderType === "market" ? "IOC" : tif === "" ? "GTC" : tif,
    price,
    size,
    reduceOnly,
    tags,
  };
}

/**
 * A report as the engine publishes it: the fields its reader parses (`EngineReport`), before parsing adds what it
 * learns.
 */
export type OutboundReport = Omit<EngineReport, "kind" | "unknownReasonCode" | "tsIsTsc">;

/** A fill as the engine publishes it; an empty liquidity leaves the field out, and the reader takes it for taker. */
export type OutboundFill = Omit<EngineFill, "kind" | "tsIsTsc" | "liquidity"> & {
  readonly liquidity: EngineFill["liquidity"] | "";
};

const MAX_ENGINE_TAGS = 8;

function sortedTags(tags: Readonly<Record<string, string>>): string {
  const keys = Object.keys(tags).sort().slice(0, MAX_ENGINE_TAGS);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(tags[k])}`).join(",")}}`;
}

/** Report tags are the order's own plus `venue` if missing and there is room (§2.9). */
export function reportTags(orderTags: Readonly<Record<string, string>>, venue: string): Record<string, string> {
  const tags = { ...orderTags };
  if (tags.venue === undefined && Object.keys(tags).length < MAX_ENGINE_TAGS) tags.venue = venue;
  return tags;
}

export function formatExecReport(r: OutboundReport): string {
  const oid = r.exchangeOrderId === "" ? "" : `,"exchange_order_id":${JSON.stringify(r.exchangeOrderId)}`;
  return (
    `{"version":1,"cl_id":${JSON.stringify(r.clId)},"status":"${r.status}"${oid},"reason_code":"${r.reasonCode}",` +
    `"reason_text":${JSON.stringify(r.reasonText.slice(0, 127))},"ts_ns":${r.tsNs},"tags":${sortedTags(r.tags)}}`
  );
}

export function formatExecFill(f: OutboundFill): string {
  const liquidity = f.liquidity === "" ? "" : `,"liquidity":"${f.liquidity}"`;
  return (
    `{"version":1,"cl_id":${JSON.stringify(f.clId)},"exchange_order_id":${JSON.stringify(f.exchangeOrderId)},` +
    `"exec_id":${JSON.stringify(f.execId)},"symbol_or_pair":${JSON.stringify(f.symbol)},"side":"${f.side}",` +
    `"price":${f.price},"size":${f.size},"fee_currency":${JSON.stringify(f.feeCurrency.slice(0, 7))},` +
    `"fee_amount":${f.feeAmount}${liquidity},"ts_ns":${f.tsNs},"tags":${sortedTags(f.tags)}}`
  );
}

/** Fill tags as the engine builds them (§2.10): order tags + execution_type, venue, intent_id, role, capped at 8. */
export function fillTags(
  orderTags: Readonly<Record<string, string>>,
  clId: string,
  venue: string,
): Record<string, string> {
  const tags: Record<string, string> = { ...orderTags, execution_type: "live", venue };
  tags.intent_id = orderTags.intent_id ?? clId.split("::")[0];
  const suffix = clId.split("::")[1];
  tags.role = suffix === "sl" || suffix === "tp" ? suffix : (orderTags.role ?? "entry");
  return tags;
}
