import { type Instrument, marketTypeOf } from "./instruments.js";

/**
 * USD stablecoins are one collateral for the ledger and risk: a config funded in USDT trades Hyperliquid
 * perps that settle in USDC. Balances and quotes in any of these are booked as `USD`.
 */
const USD_STABLECOINS: ReadonlySet<string> = new Set(["USD", "USDT", "USDC"]);

export function collateralAsset(asset: string): string {
  return USD_STABLECOINS.has(asset.toUpperCase()) ? "USD" : asset;
}

/** How the ledger and risk book `symbol`: its market type, its base asset and its quote as collateral. */
export function bookingOf(
  symbol: string,
  instrument: Instrument,
): { symbol: string; marketType: "spot" | "perp"; base: string; quote: string } {
  return {
    symbol,
    marketType: marketTypeOf(instrument),
    base: instrument.base,
    quote: collateralAsset(instrument.quote),
  };
}
