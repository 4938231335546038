import type { Config } from "../config/index.js";
import { loadInstrumentRegistry, type Instrument, type InstrumentRegistry } from "./instruments.js";

/**
 * USD stablecoins are one collateral for the ledger and risk: a config funded in USDT trades Hyperliquid
 * perps that settle in USDC. Balances and quotes in any of these are booked as `USD`.
 */
const USD_STABLECOINS: ReadonlySet<string> = new Set(["USD", "USDT", "USDC"]);

export function collateralAsset(asset: string): string {
  return USD_STABLECOINS.has(asset.toUpperCase()) ? "USD" : asset;
}

/** Actors each load the registry once at init from `symbol_rules_path` (relative to the working directory). */
export function loadRegistry(config: Config): Promise<InstrumentRegistry> {
  return loadInstrumentRegistry(config.symbol_rules_path);
}

/** The instrument a spelling names, or undefined. */
export function instrumentNamed(registry: InstrumentRegistry, spelling: string): Instrument | undefined {
  const found = registry.resolve(spelling);
  return found.ok ? found.instrument : undefined;
}

export function marketTypeOf(instrument: Instrument): "spot" | "perp" {
  return instrument.productType === "perpetual" ? "perp" : "spot";
}
