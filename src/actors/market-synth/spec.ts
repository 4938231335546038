/** What the synthetic market generates, resolved from `market_data.synthetic` and the symbol rules. */
import type { InstrumentRegistry } from "../../model/instruments.js";

export interface SyntheticSymbolSpec {
  /** Marketstream spelling, e.g. `BTC-USDC-PERP`. */
  readonly symbol: string;
  readonly startPrice: number;
  readonly tickSize: number;
  readonly sizeDecimals: number;
  readonly volatilityBps: number;
  readonly jumpRatePerMin: number;
  readonly jumpBps: number;
  /** Index of the leader in `symbols`; undefined for a leader. */
  readonly leader: number | undefined;
  readonly lagMs: number;
  readonly correlation: number;
}

export interface SyntheticMarketSpec {
  readonly seed: number;
  readonly exchange: string;
  readonly bookMode: "deltas" | "snapshots";
  readonly checkpointEveryMs: number;
  readonly depthLevels: number;
  readonly bookRateHz: number;
  readonly tradeRateHz: number;
  readonly symbols: readonly SyntheticSymbolSpec[];
}

/** The `market_data.synthetic` section as the config schema resolves it. */
export interface SyntheticConfig {
  readonly seed: number;
  readonly exchange: string;
  readonly book_mode: "deltas" | "snapshots";
  readonly checkpoint_every_ms: number;
  readonly depth_levels: number;
  readonly book_rate_hz: number;
  readonly trade_rate_hz: number;
  readonly symbols: readonly {
    readonly symbol: string;
    readonly price: number;
    readonly volatility_bps: number;
    readonly jump_rate_per_min: number;
    readonly jump_bps: number;
    readonly leader?: string | undefined;
    readonly lag_ms: number;
    readonly correlation: number;
  }[];
}

/** Resolves symbol spellings through the registry (tick size, size decimals, marketstream spelling). */
export function syntheticSpecFromConfig(
  config: SyntheticConfig,
  registry: InstrumentRegistry,
  seedOverride?: number,
): SyntheticMarketSpec {
  const instruments = config.symbols.map((s) => {
    const lookup = registry.resolve(s.symbol);
    if (!lookup.ok) throw new Error(`market_data.synthetic.symbols: '${s.symbol}' is not in the symbol rules`);
    return lookup.instrument;
  });
  const indexOf = (name: string) => {
    const lookup = registry.resolve(name);
    return lookup.ok ? instruments.findIndex((i) => i.id === lookup.instrument.id) : -1;
  };
  return {
    seed: seedOverride ?? config.seed,
    exchange: config.exchange,
    bookMode: config.book_mode,
    checkpointEveryMs: config.checkpoint_every_ms,
    depthLevels: config.depth_levels,
    bookRateHz: config.book_rate_hz,
    tradeRateHz: config.trade_rate_hz,
    symbols: config.symbols.map((s, i) => {
      const leader = s.leader === undefined ? undefined : indexOf(s.leader);
      if (leader === -1)
        throw new Error(
          `market_data.synthetic.symbols[${i}].leader: '${s.leader}' is not one of the synthetic symbols`,
        );
      return {
        symbol: instruments[i].mdSymbol,
        startPrice: s.price,
        tickSize: instruments[i].tickSize,
        sizeDecimals: instruments[i].sizeDecimals,
        volatilityBps: s.volatility_bps,
        jumpRatePerMin: s.jump_rate_per_min,
        jumpBps: s.jump_bps,
        leader,
        lagMs: s.lag_ms,
        correlation: s.correlation,
      };
    }),
  };
}
