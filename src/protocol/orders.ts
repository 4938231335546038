import { z } from "zod";
import { defineMessage } from "./message.js";

/**
 * The trading messages: strategy → risk → orders → venue and back. Commands are imperative, events past
 * tense. Fields are flat so they encode as msgpack records; times are epoch ns (`bigint`). `symbol` is the
 * configured spelling (`BTC-USDT-PERP`), `instrument` the registry id used by market data. An order carries
 * its instrument id from the strategy to the venue, and only the venue adapters map it to a venue's spelling.
 */

const nanos = z.bigint().nonnegative();
const price = z.number().finite().nonnegative();
const size = z.number().finite().nonnegative();

export const Side = z.enum(["buy", "sell"]);
export type Side = z.output<typeof Side>;
export const OrderType = z.enum(["limit", "market"]);
export type OrderType = z.output<typeof OrderType>;
/** The only time-in-force values the engine maps faithfully on Hyperliquid (wire doc §2.6). */
export const TimeInForce = z.enum(["IOC", "GTC", "PO"]);
export type TimeInForce = z.output<typeof TimeInForce>;
export const MarketType = z.enum(["spot", "perp"]);
export type MarketType = z.output<typeof MarketType>;
/** Why the order exists; `entry` opens or adds, the others reduce. Sent to the engine as `tags.role`. */
export const OrderRole = z.enum(["entry", "exit", "sl", "tp"]);
export type OrderRole = z.output<typeof OrderRole>;
/** The engine's canonical reason codes (wire doc §2.9). */
export const ReasonCode = z.enum([
  "ok",
  "invalid_params",
  "risk_blocked",
  "insufficient_balance",
  "post_only_violation",
  "min_size",
  "price_out_of_bounds",
  "rate_limited",
  "network_error",
  "expired",
  "venue_reject",
]);
export type ReasonCode = z.output<typeof ReasonCode>;
export const Liquidity = z.enum(["taker", "maker"]);
export type Liquidity = z.output<typeof Liquidity>;

const orderFields = {
  strategy: z.string(),
  intentId: z.string(),
  instrument: z.number().int().nonnegative(),
  symbol: z.string(),
  marketType: MarketType,
  side: Side,
  orderType: OrderType,
  tif: TimeInForce,
  /** Limit price; for market orders the protection-band price the engine requires. */
  price,
  size,
  reduceOnly: z.boolean(),
  role: OrderRole,
};

/** strategy → risk: an order the strategy would like to send. */
export const ProposeOrder = defineMessage(z.object({ type: z.literal("ProposeOrder"), ...orderFields, tsNs: nanos }));
export type ProposeOrder = z.output<typeof ProposeOrder.schema>;

/** risk → strategy (and the journal): a proposal refused, with the rule and the numbers. */
export const OrderDenied = defineMessage(
  z.object({
    type: z.literal("OrderDenied"),
    strategy: z.string(),
    intentId: z.string(),
    symbol: z.string(),
    rule: z.string(),
    reason: z.string(),
    tsNs: nanos,
  }),
);
export type OrderDenied = z.output<typeof OrderDenied.schema>;

export const RiskDecision = z.enum(["approved", "modified"]);
export type RiskDecision = z.output<typeof RiskDecision>;

/** risk → orders: an approved (possibly modified) order; `reason` says what was changed and why, else "". */
export const SubmitOrder = defineMessage(
  z.object({
    type: z.literal("SubmitOrder"),
    ...orderFields,
    decision: RiskDecision,
    reason: z.string(),
    tsNs: nanos,
  }),
);
export type SubmitOrder = z.output<typeof SubmitOrder.schema>;

/**
 * strategy or risk → orders: cancel one order (`clId`) or, with `clId` "", every open order of `strategy` ("" = all).
 */
export const RequestCancel = defineMessage(
  z.object({
    type: z.literal("RequestCancel"),
    strategy: z.string(),
    clId: z.string(),
    reason: z.string(),
    tsNs: nanos,
  }),
);
export type RequestCancel = z.output<typeof RequestCancel.schema>;

/** orders → venue: place one order under a fresh client id (`0x` + 32 hex). */
export const PlaceOrder = defineMessage(
  z.object({ type: z.literal("PlaceOrder"), clId: z.string(), ...orderFields, tsNs: nanos }),
);
export type PlaceOrder = z.output<typeof PlaceOrder.schema>;

/** orders → venue: cancel `clIdToCancel`; `clId` is the cancel request's own id. */
export const CancelOrder = defineMessage(
  z.object({
    type: z.literal("CancelOrder"),
    clId: z.string(),
    clIdToCancel: z.string(),
    intentId: z.string(),
    instrument: z.number().int().nonnegative(),
    symbol: z.string(),
    marketType: MarketType,
    /** "" when not known yet (an ack without an oid). */
    exchangeOrderId: z.string(),
    tsNs: nanos,
  }),
);
export type CancelOrder = z.output<typeof CancelOrder.schema>;

/**
 * Venue events share these fields. `venueTsNs` is the engine's `ts_ns`, which is TSC-derived (ns since
 * boot, not Unix time) on reports produced while handling an inbound order: `venueTsIsTsc` says so, and
 * such a value must not be used as wall-clock. `recvNs` is leadlag's receipt time.
 */
const venueEventFields = {
  clId: z.string(),
  /** "" when the engine omitted it. */
  exchangeOrderId: z.string(),
  venueTsNs: nanos,
  venueTsIsTsc: z.boolean(),
  recvNs: nanos,
};

export const OrderAccepted = defineMessage(
  z.object({ type: z.literal("OrderAccepted"), ...venueEventFields, reasonText: z.string() }),
);
export type OrderAccepted = z.output<typeof OrderAccepted.schema>;

export const OrderRejected = defineMessage(
  z.object({ type: z.literal("OrderRejected"), ...venueEventFields, reasonCode: ReasonCode, reasonText: z.string() }),
);
export type OrderRejected = z.output<typeof OrderRejected.schema>;

export const OrderCanceled = defineMessage(
  z.object({ type: z.literal("OrderCanceled"), ...venueEventFields, reasonText: z.string() }),
);
export type OrderCanceled = z.output<typeof OrderCanceled.schema>;

/** One execution (not cumulative). `feeAmount` < 0 is a rebate. */
export const OrderFilled = defineMessage(
  z.object({
    type: z.literal("OrderFilled"),
    ...venueEventFields,
    execId: z.string(),
    /** The engine's `symbol_or_pair` (hyphenated form, §2.5); the order manager books by its own order record. */
    venueSymbol: z.string(),
    side: Side,
    price,
    size,
    feeCurrency: z.string(),
    feeAmount: z.number().finite(),
    liquidity: Liquidity,
  }),
);
export type OrderFilled = z.output<typeof OrderFilled.schema>;

export const OrderStatus = z.enum([
  "pending_new",
  "accepted",
  "partially_filled",
  "filled",
  "canceled",
  "rejected",
  "unknown",
]);
export type OrderStatus = z.output<typeof OrderStatus>;

/** orders → strategy, risk: an order changed state (risk counts open orders and their notional from it). */
export const OrderStatusChanged = defineMessage(
  z.object({
    type: z.literal("OrderStatusChanged"),
    clId: z.string(),
    strategy: z.string(),
    intentId: z.string(),
    symbol: z.string(),
    side: Side,
    status: OrderStatus,
    price,
    size,
    filledSize: size,
    avgFillPrice: price,
    tsNs: nanos,
  }),
);
export type OrderStatusChanged = z.output<typeof OrderStatusChanged.schema>;

/**
 * orders → strategy, risk: a position after a fill. `qty` is signed base units; PnL in quote, fees included in `fees`.
 */
export const PositionChanged = defineMessage(
  z.object({
    type: z.literal("PositionChanged"),
    symbol: z.string(),
    marketType: MarketType,
    qty: z.number().finite(),
    avgPrice: price,
    realizedPnl: z.number().finite(),
    fees: z.number().finite(),
    tsNs: nanos,
  }),
);
export type PositionChanged = z.output<typeof PositionChanged.schema>;

/** orders → strategy, risk: one asset's balance after a change. `locked` covers open orders and margin in use. */
export const AccountUpdated = defineMessage(
  z.object({
    type: z.literal("AccountUpdated"),
    accountId: z.string(),
    asset: z.string(),
    total: z.number().finite(),
    locked: z.number().finite(),
    tsNs: nanos,
  }),
);
export type AccountUpdated = z.output<typeof AccountUpdated.schema>;

/**
 * strategy, risk, paper venue → orders: a (re)started actor asks for the account; the order manager answers
 * with every open order's `OrderStatusChanged` and one `PositionChanged` / `AccountUpdated` each, as after
 * its own rebuild, then `AccountStateSent`.
 */
export const RequestAccountState = defineMessage(
  z.object({ type: z.literal("RequestAccountState"), requester: z.string(), tsNs: nanos }),
);
export type RequestAccountState = z.output<typeof RequestAccountState.schema>;

/**
 * orders → the requester: the answer to its `RequestAccountState` is complete (every open order's status,
 * position and balance was sent before this). Lets a requester that reconciles against the answer (the
 * paper venue) know when it has all of it.
 */
export const AccountStateSent = defineMessage(
  z.object({ type: z.literal("AccountStateSent"), requester: z.string(), tsNs: nanos }),
);
export type AccountStateSent = z.output<typeof AccountStateSent.schema>;
