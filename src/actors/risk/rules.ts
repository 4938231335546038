import type { MarketType, OrderType, Side, TimeInForce } from "../../protocol/orders.js";
import type { BreakerState } from "./circuit-breaker.js";
import type { RiskLimits } from "./limits.js";
import { roundToLot, snapPrice, type PriceRules } from "../../model/rounding.js";
import { elapsedMs } from "../../model/time.js";

/**
 * Pre-trade rules. Each is a small function returning `null` (pass) or a verdict naming the value and the
 * limit: a rejection, or an adjusted price/size the later rules then see. They run in `RULES` order.
 * Exposure rules never block an order that only reduces a position: a stop must always be able to leave.
 */

export interface Candidate {
  readonly symbol: string;
  readonly marketType: MarketType;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly tif: TimeInForce;
  readonly price: number;
  readonly size: number;
  /** Only reduces the current position (opposite side, not larger than it). */
  readonly reduces: boolean;
  readonly lotSize: number;
  /** The venue's prices: a price a rule sets is snapped inwards to them (`snapPrice`), as the proposal's was. */
  readonly priceRules: PriceRules;
}

/** What risk knows when it checks one order. Open quantities include orders approved but not yet acknowledged. */
export interface RiskView {
  readonly nowNs: bigint;
  readonly breaker: BreakerState;
  /** Why entries are refused outright (the daemon is stopping), or undefined. */
  readonly entriesStopped: string | undefined;
  readonly mid: number | undefined;
  readonly bookRecvNs: bigint | undefined;
  /** Signed position in the order's symbol. */
  readonly position: number;
  readonly openBuyQty: number;
  readonly openSellQty: number;
  readonly openOrderCount: number;
  /** Σ |position| × mid plus open-order notional, every symbol. */
  readonly grossUsd: number;
  /** The same over perps only. */
  readonly perpGrossUsd: number;
  readonly equityUsd: number;
  readonly ordersLastSecond: number;
}

export type Verdict =
  | { readonly rule: string; readonly reason: string; readonly reject: true }
  | {
      readonly rule: string;
      readonly reason: string;
      readonly reject: false;
      readonly price: number;
      readonly size: number;
    };

export type Rule = (c: Candidate, v: RiskView, l: RiskLimits) => Verdict | null;

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/\.?0+$/, ""));

function reject(rule: string, reason: string): Verdict {
  return { rule, reason, reject: true };
}

/** Shrinks the order to at most `maxSize` (whole lots), or rejects when not one lot fits. */
function clip(rule: string, c: Candidate, maxSize: number, reason: string): Verdict {
  const lots = Math.floor(maxSize / c.lotSize + 1e-9);
  const size = Number((lots * c.lotSize).toPrecision(12));
  if (lots < 1 || !(size > 0)) return reject(rule, reason);
  return { rule, reason: `${reason}; size ${fmt(c.size)} -> ${fmt(size)}`, reject: false, price: c.price, size };
}

/** A halted breaker closes positions (risk flattens them): an order that only reduces still goes out. */
export const circuitBreaker: Rule = (c, v) => {
  if (v.breaker === "HALTED" && !c.reduces)
    return reject(
      "CircuitBreaker",
      "circuit breaker HALTED: only position-reducing orders until an operator resets it",
    );
  if (v.breaker === "REDUCING" && !c.reduces)
    return reject("CircuitBreaker", "circuit breaker REDUCING: only position-reducing orders");
  return null;
};

export const entriesStopped: Rule = (c, v) =>
  v.entriesStopped !== undefined && !c.reduces ? reject("Shutdown", `entries stopped: ${v.entriesStopped}`) : null;

export const staleData: Rule = (c, v, l) => {
  if (l.rejectOnStaleDataMs === undefined || c.reduces) return null;
  if (v.bookRecvNs === undefined || v.mid === undefined) return reject("StaleData", `no book for ${c.symbol}`);
  const ageMs = elapsedMs(v.bookRecvNs, v.nowNs);
  return ageMs > l.rejectOnStaleDataMs
    ? reject("StaleData", `book age ${fmt(ageMs)} ms > max ${l.rejectOnStaleDataMs} ms`)
    : null;
};

/**
 * Aggressive prices beyond the band are pulled back to its edge (snapped inwards to the venue's prices) (a market order's protection price is
 * exactly that); passive prices beyond it cannot fill badly, but entries resting that far are refused.
 */
export const priceBand: Rule = (c, v, l) => {
  if (l.pxBandBp === undefined || v.mid === undefined) return null;
  // The band's edges as venue prices, inside the band (a buy is pulled to hi, a sell to lo).
  const hi = snapPrice(v.mid * (1 + l.pxBandBp / 10_000), c.priceRules, "down") ?? 0;
  const lo = snapPrice(v.mid * (1 - l.pxBandBp / 10_000), c.priceRules, "up") ?? 0;
  const band = `band ${fmt(lo)}..${fmt(hi)} (${l.pxBandBp} bp of mid ${fmt(v.mid)})`;
  if (c.side === "buy" && c.price > hi)
    return {
      rule: "PriceBand",
      reason: `price ${fmt(c.price)} > ${band}; price -> ${fmt(hi)}`,
      reject: false,
      price: hi,
      size: c.size,
    };
  if (c.side === "sell" && c.price < lo)
    return {
      rule: "PriceBand",
      reason: `price ${fmt(c.price)} < ${band}; price -> ${fmt(lo)}`,
      reject: false,
      price: lo,
      size: c.size,
    };
  if (!c.reduces && (c.price > hi || c.price < lo))
    return reject("PriceBand", `passive price ${fmt(c.price)} outside ${band}`);
  return null;
};

export const maxNotional: Rule = (c, _v, l) => {
  if (l.maxNotionalPerOrder === undefined || c.reduces) return null;
  const notional = c.price * c.size;
  if (notional <= l.maxNotionalPerOrder) return null;
  return clip(
    "MaxNotional",
    c,
    l.maxNotionalPerOrder / c.price,
    `notional ${fmt(notional)} > max ${l.maxNotionalPerOrder}`,
  );
};

export const maxOpenOrders: Rule = (c, v, l) => {
  if (l.maxOpenOrders === undefined || c.reduces) return null;
  return v.openOrderCount >= l.maxOpenOrders
    ? reject("MaxOpenOrders", `open orders ${v.openOrderCount} >= max ${l.maxOpenOrders}`)
    : null;
};

export const inventoryBands: Rule = (c, v, l) => {
  const band = l.inventoryBands[c.symbol];
  if (band === undefined || c.reduces) return null;
  if (c.side === "buy") {
    const projected = v.position + v.openBuyQty + c.size;
    if (projected <= band.max) return null;
    return clip(
      "InventoryBands",
      c,
      band.max - v.position - v.openBuyQty,
      `projected position ${fmt(projected)} > max ${band.max} (${c.symbol}, open orders included)`,
    );
  }
  const projected = v.position - v.openSellQty - c.size;
  if (projected >= band.min) return null;
  return clip(
    "InventoryBands",
    c,
    v.position - v.openSellQty - band.min,
    `projected position ${fmt(projected)} < min ${band.min} (${c.symbol}, open orders included)`,
  );
};

export const portfolioExposure: Rule = (c, v, l) => {
  if (l.maxGrossUsd === undefined || c.reduces) return null;
  const gross = v.grossUsd + c.price * c.size;
  if (gross <= l.maxGrossUsd) return null;
  return clip(
    "PortfolioExposure",
    c,
    (l.maxGrossUsd - v.grossUsd) / c.price,
    `gross exposure ${fmt(gross)} USD > max ${l.maxGrossUsd}`,
  );
};

export const orderRate: Rule = (c, v, l) => {
  if (l.maxOrdRatePerSec === undefined || c.reduces) return null;
  return v.ordersLastSecond >= l.maxOrdRatePerSec
    ? reject("OrderRate", `orders in the last second ${v.ordersLastSecond} >= max ${l.maxOrdRatePerSec}/s`)
    : null;
};

export const perpMaxOrderNotional: Rule = (c, _v, l) => {
  if (c.marketType !== "perp" || l.maxOrderNotionalUsd === undefined || c.reduces) return null;
  const notional = c.price * c.size;
  if (notional <= l.maxOrderNotionalUsd) return null;
  return clip(
    "PerpMaxOrderNotional",
    c,
    l.maxOrderNotionalUsd / c.price,
    `perp order notional ${fmt(notional)} USD > max ${l.maxOrderNotionalUsd}`,
  );
};

export const perpMaxLeverage: Rule = (c, v, l) => {
  if (c.marketType !== "perp" || l.maxLeverage === undefined || c.reduces) return null;
  if (!(v.equityUsd > 0)) return reject("PerpMaxLeverage", `equity ${fmt(v.equityUsd)} USD <= 0`);
  const leverage = (v.perpGrossUsd + c.price * c.size) / v.equityUsd;
  if (leverage <= l.maxLeverage) return null;
  const room = l.maxLeverage * v.equityUsd - v.perpGrossUsd;
  return clip(
    "PerpMaxLeverage",
    c,
    room / c.price,
    `leverage ${fmt(leverage)}x > max ${l.maxLeverage}x (equity ${fmt(v.equityUsd)} USD)`,
  );
};

/**
 * Equity must cover the initial margin of every perp position and order at `max_leverage` plus a buffer of
 * `maintenance_buffer_bps` of that gross notional, so a small adverse move cannot reach liquidation.
 */
export const perpMaintenanceBuffer: Rule = (c, v, l) => {
  if (c.marketType !== "perp" || l.maintenanceBufferBps === undefined || l.maxLeverage === undefined || c.reduces)
    return null;
  const perUsd = 1 / l.maxLeverage + l.maintenanceBufferBps / 10_000;
  const gross = v.perpGrossUsd + c.price * c.size;
  const required = gross * perUsd;
  if (v.equityUsd >= required) return null;
  const room = v.equityUsd / perUsd - v.perpGrossUsd;
  return clip(
    "PerpMaintenanceBuffer",
    c,
    room / c.price,
    `equity ${fmt(v.equityUsd)} USD < margin + ${l.maintenanceBufferBps} bp buffer ${fmt(required)} USD`,
  );
};

/**
 * Last: the size the venue will receive, whole lots (the engine does not round, §2.6). Done here so the
 * order manager reserves and completes against exactly what is sent.
 */
export const lotSize: Rule = (c) => {
  const size = roundToLot(c.size, c.lotSize);
  if (!(size > 0)) return reject("LotSize", `size ${fmt(c.size)} < lot ${c.lotSize}`);
  if (Math.abs(size - c.size) <= c.lotSize * 1e-9) return null;
  return {
    rule: "LotSize",
    reason: `size ${fmt(c.size)} -> ${fmt(size)} (lot ${c.lotSize})`,
    reject: false,
    price: c.price,
    size,
  };
};

/** The fixed order the rules run in. */
export const RULES: readonly Rule[] = [
  circuitBreaker,
  entriesStopped,
  staleData,
  priceBand,
  maxNotional,
  maxOpenOrders,
  inventoryBands,
  portfolioExposure,
  orderRate,
  perpMaxOrderNotional,
  perpMaxLeverage,
  perpMaintenanceBuffer,
  lotSize,
];
