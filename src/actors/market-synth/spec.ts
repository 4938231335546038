/** What the synthetic market generates, resolved from `market_data.synthetic` and the symbol rules. */
import type { Config } from "../../config/index.js";
import type { InstrumentRegistry } from "../../model/instruments.js";

export interface SyntheticSymbolSpec {
  /** Marketstream spelling, e.g. `BTC-USDC-PERP`. */
  readonly symbol: string;
  readonly startPrice: number;
  readonly tickSize: number;
  readonly sizeDecimals: number;
  /** Leaders: diffusion per √s. */
  readonly volatilityBps: number;
  /** A leader's jumps, or a lagger's own (idiosyncratic) ones. */
  readonly jumpRatePerMin: number;
  readonly jumpBps: number;
  /** Std-dev of the i.i.d. noise on each quoted mid. */
  readonly noiseBps: number;
  /** Index of the leader in `symbols`; undefined for a leader. */
  readonly leader: number | undefined;
  readonly beta: number;
  readonly lagMs: number;
  readonly lagBandMs: number;
  readonly lagDriftMs: number;
  readonly correlation: number;
}

export interface SyntheticMarketSpec {
  readonly seed: number;
  readonly preset: "plausible" | "demo";
  readonly exchange: string;
  readonly bookMode: "deltas" | "snapshots";
  readonly checkpointEveryMs: number;
  readonly depthLevels: number;
  readonly bookRateHz: number;
  readonly tradeRateHz: number;
  readonly leadLag: {
    readonly mode: "switching" | "always" | "never";
    readonly onMeanS: number;
    readonly offMeanS: number;
  };
  readonly coJumps: { readonly ratePerMin: number; readonly bps: number };
  readonly tradeIntensity: { readonly vol: number; readonly halfLifeS: number };
  readonly symbols: readonly SyntheticSymbolSpec[];
}

/** The `market_data.synthetic` section as the config schema resolves it (preset values filled in). */
export type SyntheticConfig = Config["market_data"]["synthetic"];

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
    preset: config.preset,
    exchange: config.exchange,
    bookMode: config.book_mode,
    checkpointEveryMs: config.checkpoint_every_ms,
    depthLevels: config.depth_levels,
    bookRateHz: config.book_rate_hz,
    tradeRateHz: config.trade_rate_hz,
    leadLag: {
      mode: config.lead_lag.mode,
      onMeanS: config.lead_lag.on_mean_s,
      offMeanS: config.lead_lag.off_mean_s,
    },
    coJumps: { ratePerMin: config.co_jumps.rate_per_min, bps: config.co_jumps.bps },
    tradeIntensity: { vol: config.trade_intensity.vol, halfLifeS: config.trade_intensity.half_life_s },
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
        noiseBps: s.noise_bps,
        leader,
        beta: s.beta,
        lagMs: s.lag_ms,
        lagBandMs: s.lag_band_ms,
        lagDriftMs: s.lag_drift_ms,
        correlation: s.correlation,
      };
    }),
  };
}

/** What the daemon says at start about the market it generates: a demo preset must never pass for evidence. */
export function presetNotice(spec: SyntheticMarketSpec): string {
  if (spec.preset === "demo")
    return (
      "synthetic market: preset demo — laggers copy the leader's path at a fixed lag, only leaders jump, " +
      "no market-wide co-jumps, no spells without lead-lag, no microstructure noise; its jumps are sized for the " +
      "fee gate. Profit on it shows that the plumbing works, not that the strategy has an edge"
    );
  return (
    "synthetic market: preset plausible — laggers follow with beta and correlation below 1 at a drifting lag, " +
    `the lead-lag comes and goes (${spec.leadLag.mode}), laggers jump on their own, market-wide co-jumps, ` +
    "noisy quotes and a varying trade rate: a market not built for the strategy to win"
  );
}
