import type { MarketType, OrderType, ProposeOrder, Side, TimeInForce } from "../../protocol/orders.js";
import { roundToLot } from "../../model/rounding.js";
import type { UniverseInstrument } from "../../model/universe.js";
import type { LeadLagStrategyParams } from "../../config/schema/index.js";

export type SizingResult =
  | { readonly ok: true; readonly size: number; readonly notionalUsd: number }
  | { readonly ok: false; readonly reason: string };

/**
 * size_usd = base_position_size_usd × clamp(|strength| / entry_threshold, 0, max_signal_multiplier), capped by
 * max_single_position_usd and the room left under max_total_notional_usd; quantity rounded down to the lot;
 * refused below the instrument's min notional.
 */
export function sizeEntry(
  strength: number,
  price: number,
  usedNotionalUsd: number,
  instrument: UniverseInstrument,
  p: LeadLagStrategyParams,
): SizingResult {
  const multiplier = Math.min(p.max_signal_multiplier, Math.max(0, Math.abs(strength) / p.entry_threshold));
  const wantedUsd = p.base_position_size_usd * multiplier;
  const usd = Math.min(wantedUsd, p.max_single_position_usd, p.max_total_notional_usd - usedNotionalUsd);
  const size = roundToLot(usd / price, instrument.lotSize);
  const notionalUsd = size * price;
  if (!(size > 0) || notionalUsd < instrument.minNotional) {
    return {
      ok: false,
      reason: `size ${size} × ${price} = ${notionalUsd.toFixed(2)} USD < min notional ${instrument.minNotional}`,
    };
  }
  return { ok: true, size, notionalUsd };
}

/** Market orders need a price on Hyperliquid: the touch moved `bandBps` against us (a protection band). */
export function bandedMarketPrice(side: "buy" | "sell", bestBid: number, bestAsk: number, bandBps: number): number {
  return side === "buy" ? bestAsk * (1 + bandBps / 10_000) : bestBid * (1 - bandBps / 10_000);
}

export interface OrderTerms {
  readonly orderType: OrderType;
  readonly tif: TimeInForce;
  readonly price: number;
}

const TIF: Readonly<Record<LeadLagStrategyParams["entry_time_in_force"], TimeInForce>> = {
  ioc: "IOC",
  gtc: "GTC",
  // No fill-or-kill on the engine (wire doc §2.6): IOC is the closest that never rests.
  fok: "IOC",
};

/**
 * Entry terms: with `entry_banded_ioc_enable` (or `entry_order_type: limit`) a limit at mid ±
 * `entry_ioc_price_band_bps`; otherwise a market IOC carrying the protection price (touch moved by the band).
 * Prices are raw here: risk snaps every price to the venue's rules once, towards the mid (`snapPrice`).
 */
export function entryTerms(side: Side, bestBid: number, bestAsk: number, p: LeadLagStrategyParams): OrderTerms {
  const band = p.entry_ioc_price_band_bps / 1e4;
  const mid = (bestBid + bestAsk) / 2;
  const limitPrice = side === "buy" ? mid * (1 + band) : mid * (1 - band);
  if (p.entry_order_type === "limit") return { orderType: "limit", tif: TIF[p.entry_time_in_force], price: limitPrice };
  if (p.entry_banded_ioc_enable) return { orderType: "limit", tif: "IOC", price: limitPrice };
  return {
    orderType: "market",
    tif: "IOC",
    price: bandedMarketPrice(side, bestBid, bestAsk, p.entry_ioc_price_band_bps),
  };
}

/** Exits always leave: market IOC, reduce-only, protection price from the touch. */
export function exitTerms(side: Side, bestBid: number, bestAsk: number, p: LeadLagStrategyParams): OrderTerms {
  return {
    orderType: "market",
    tif: "IOC",
    price: bandedMarketPrice(side, bestBid, bestAsk, p.entry_ioc_price_band_bps),
  };
}

export function proposeOrder(
  strategy: string,
  intentId: string,
  instrument: UniverseInstrument,
  marketType: MarketType,
  side: Side,
  size: number,
  terms: OrderTerms,
  role: ProposeOrder["role"],
  tsNs: bigint,
): ProposeOrder {
  return {
    type: "ProposeOrder",
    strategy,
    intentId,
    instrument: instrument.id,
    symbol: instrument.symbol,
    marketType,
    side,
    orderType: terms.orderType,
    tif: terms.tif,
    price: terms.price,
    size,
    reduceOnly: role !== "entry",
    role,
    tsNs,
  };
}
