/**
 * `market_data.synthetic`: the embedded marketstream stand-in (docs/market-data.md, Synthetic market).
 * Every market key left out takes its value from the `preset`: `plausible` (the default) describes a
 * market with a weak, intermittent lead-lag that the strategy has to find; `demo` is the market the paper
 * demo trades (laggers copy the leader's path, only leaders jump): it shows the plumbing, not an edge.
 */
import { z } from "zod";
import { expected } from "../messages.js";
import {
  anyNumber,
  integer,
  nonNegativeNumber,
  numeric,
  optionalText,
  positiveInt,
  positiveNumber,
  reportRule,
  text,
} from "./fields.js";

export const SYNTHETIC_PRESETS = ["plausible", "demo"] as const;
export type SyntheticPreset = (typeof SYNTHETIC_PRESETS)[number];

/** One generated instrument; a `leader` makes it a lagger that follows the leader's moves `lag_ms` later. */
const syntheticSymbolSchema = z.strictObject({
  symbol: text(), // any spelling in the symbol rules
  price: positiveNumber(), // start price
  volatility_bps: nonNegativeNumber().optional(), // leaders: std-dev of the log price per √second, in bps
  jump_rate_per_min: nonNegativeNumber().optional(), // mean jumps per minute (Poisson): a lagger's are its own
  jump_bps: nonNegativeNumber().optional(), // jump size, sign random
  noise_bps: nonNegativeNumber().optional(), // std-dev of the i.i.d. noise on each quoted mid
  leader: optionalText(), // lagger of this symbol (which must not have a leader itself)
  beta: anyNumber().optional(), // laggers: the leader's (lagged) return times beta, while the lead-lag is on
  lag_ms: nonNegativeNumber().optional(), // laggers: centre of the delay behind the leader
  lag_band_ms: nonNegativeNumber().optional(), // laggers: the delay drifts within lag_ms ± this
  lag_drift_ms: nonNegativeNumber().optional(), // laggers: std-dev of the delay's change over one second
  correlation: numeric(z.number().gt(0).max(1)).optional(), // laggers: |correlation| of lagged returns
});

/** Keys only a lagger (a symbol with `leader`) takes: a leader has nothing to follow. */
const LAGGER_KEYS = ["beta", "lag_ms", "lag_band_ms", "lag_drift_ms", "correlation"] as const;
/** Keys only a leader takes: a lagger's diffusion is set by its leader, beta and correlation. */
const LEADER_KEYS = ["volatility_bps"] as const;

const DEFAULT_SYNTHETIC_SYMBOLS = [
  { symbol: "BTC-USDC-PERP", price: 97000 },
  // Lags beyond the HY exclusion zone (±0.3 s), which can never be chosen as tau* (signal-math §2.5).
  { symbol: "ETH-USDC-PERP", price: 3100, leader: "BTC-USDC-PERP", lag_ms: 1500, correlation: 0.8 },
  { symbol: "SOL-USDC-PERP", price: 145, leader: "BTC-USDC-PERP", lag_ms: 1000, correlation: 0.6 },
];

const leadLagSchema = z.strictObject({
  // switching: a two-state Markov chain (on ↔ off); always / never: the lead-lag is always on / off.
  mode: z.enum(["switching", "always", "never"]).optional(),
  on_mean_s: positiveNumber().optional(), // mean time the lead-lag lasts (exponential)
  off_mean_s: positiveNumber().optional(), // mean time it is gone: laggers move on their own
});

const coJumpsSchema = z.strictObject({
  rate_per_min: nonNegativeNumber().optional(), // market-wide jumps per minute: every symbol in the same 5 ms step
  bps: nonNegativeNumber().optional(), // their size (one sign for all symbols)
});

const tradeIntensitySchema = z.strictObject({
  vol: nonNegativeNumber().optional(), // std-dev of the log trade rate (one market-wide activity factor)
  half_life_s: positiveNumber().optional(), // how fast activity returns to its mean
});

interface SymbolDefaults {
  readonly volatility_bps: number;
  readonly jump_rate_per_min: number;
  readonly jump_bps: number;
  readonly noise_bps: number;
}

interface LaggerDefaults extends SymbolDefaults {
  readonly beta: number;
  readonly lag_ms: number;
  readonly lag_band_ms: number;
  readonly lag_drift_ms: number;
  readonly correlation: number;
}

export interface PresetValues {
  readonly lead_lag: { readonly mode: "switching" | "always" | "never"; on_mean_s: number; off_mean_s: number };
  readonly co_jumps: { readonly rate_per_min: number; readonly bps: number };
  readonly trade_intensity: { readonly vol: number; readonly half_life_s: number };
  readonly leader: SymbolDefaults;
  readonly lagger: LaggerDefaults;
}

/**
 * What each preset fills in. `plausible` is not tuned for the strategy: half the time there is no lead-lag,
 * laggers jump on their own as often as leaders, and market-wide jumps hit everyone at once. `demo` is the
 * synthetic market as it was before presets (every new effect off), byte for byte.
 */
export const SYNTHETIC_PRESET_VALUES: Readonly<Record<SyntheticPreset, PresetValues>> = {
  plausible: {
    lead_lag: { mode: "switching", on_mean_s: 600, off_mean_s: 600 },
    co_jumps: { rate_per_min: 0.05, bps: 40 },
    trade_intensity: { vol: 0.6, half_life_s: 30 },
    leader: { volatility_bps: 1.5, jump_rate_per_min: 0.1, jump_bps: 30, noise_bps: 0.3 },
    lagger: {
      volatility_bps: 0,
      jump_rate_per_min: 0.1,
      jump_bps: 30,
      noise_bps: 0.3,
      beta: 1.2,
      lag_ms: 1500,
      lag_band_ms: 500,
      lag_drift_ms: 100,
      correlation: 0.5,
    },
  },
  demo: {
    lead_lag: { mode: "always", on_mean_s: 600, off_mean_s: 600 },
    co_jumps: { rate_per_min: 0, bps: 0 },
    trade_intensity: { vol: 0, half_life_s: 30 },
    leader: { volatility_bps: 1.5, jump_rate_per_min: 0.3, jump_bps: 30, noise_bps: 0 },
    lagger: {
      volatility_bps: 0,
      jump_rate_per_min: 0,
      jump_bps: 30,
      noise_bps: 0,
      beta: 1,
      lag_ms: 1500,
      lag_band_ms: 0,
      lag_drift_ms: 0,
      correlation: 0.8,
    },
  },
};

const syntheticObject = z.strictObject({
  preset: z.enum(SYNTHETIC_PRESETS).default("plausible"),
  seed: integer().default(42),
  exchange: text().default("HYPERLIQUID"), // topic/payload exchange, as marketstream spells it
  book_mode: z.enum(["deltas", "snapshots"]).default("deltas"), // deltas + checkpoints like the shipped HL config
  checkpoint_every_ms: positiveInt().default(1000),
  depth_levels: numeric(z.number().int().min(1).max(10)).default(10),
  book_rate_hz: positiveNumber().default(20), // mean book updates per second per symbol (Poisson)
  trade_rate_hz: positiveNumber().default(5), // mean trades per second per symbol (its intensity varies)
  publish_interval_ms: positiveInt().default(5), // publisher timer period
  lead_lag: leadLagSchema.prefault({}),
  co_jumps: coJumpsSchema.prefault({}),
  trade_intensity: tradeIntensitySchema.prefault({}),
  symbols: z
    .array(syntheticSymbolSchema)
    .min(1)
    .default(DEFAULT_SYNTHETIC_SYMBOLS.map((s) => syntheticSymbolSchema.parse(s))),
});

export const syntheticSchema = syntheticObject
  .superRefine((synthetic, ctx) => {
    const roots = synthetic.symbols.filter((s) => s.leader === undefined).map((s) => s.symbol);
    const lagger = SYNTHETIC_PRESET_VALUES[synthetic.preset].lagger;
    synthetic.symbols.forEach((s, index) => {
      const at = (key: string) => ["symbols", index, key];
      if (s.leader !== undefined && !roots.includes(s.leader))
        reportRule(ctx, at("leader"), s.leader, expected.oneOf(roots));
      const wrongRole = s.leader === undefined ? LAGGER_KEYS : LEADER_KEYS;
      for (const key of wrongRole)
        if (s[key] !== undefined)
          reportRule(ctx, at(key), s[key], s.leader === undefined ? expected.laggerKey : expected.leaderKey);
      if (s.leader === undefined) return;
      if (s.beta === 0) reportRule(ctx, at("beta"), 0, expected.nonZeroBeta);
      const lag = s.lag_ms ?? lagger.lag_ms;
      const band = s.lag_band_ms ?? lagger.lag_band_ms;
      if (band > lag)
        reportRule(ctx, at("lag_band_ms"), band, expected.bandWithinLag(lag, s.lag_band_ms === undefined));
    });
  })
  .transform((synthetic) => resolvePreset(synthetic));

type SymbolInput = z.output<typeof syntheticSymbolSchema>;

/** Fills every market key left out from the preset, by the symbol's role. */
function resolvePreset(synthetic: z.output<typeof syntheticObject>) {
  const values = SYNTHETIC_PRESET_VALUES[synthetic.preset];
  const { lead_lag: leadLag, co_jumps: coJumps, trade_intensity: intensity } = synthetic;
  return {
    ...synthetic,
    lead_lag: {
      mode: leadLag.mode ?? values.lead_lag.mode,
      on_mean_s: leadLag.on_mean_s ?? values.lead_lag.on_mean_s,
      off_mean_s: leadLag.off_mean_s ?? values.lead_lag.off_mean_s,
    },
    co_jumps: {
      rate_per_min: coJumps.rate_per_min ?? values.co_jumps.rate_per_min,
      bps: coJumps.bps ?? values.co_jumps.bps,
    },
    trade_intensity: {
      vol: intensity.vol ?? values.trade_intensity.vol,
      half_life_s: intensity.half_life_s ?? values.trade_intensity.half_life_s,
    },
    symbols: synthetic.symbols.map((s) => resolveSymbol(s, values)),
  };
}

/** A leader's lagger-only values are the preset's and unused; they keep the resolved type one shape. */
function resolveSymbol(s: SymbolInput, values: PresetValues) {
  const role: SymbolDefaults = s.leader === undefined ? values.leader : values.lagger;
  const lagger = values.lagger;
  return {
    symbol: s.symbol,
    price: s.price,
    leader: s.leader,
    volatility_bps: s.volatility_bps ?? role.volatility_bps,
    jump_rate_per_min: s.jump_rate_per_min ?? role.jump_rate_per_min,
    jump_bps: s.jump_bps ?? role.jump_bps,
    noise_bps: s.noise_bps ?? role.noise_bps,
    beta: s.beta ?? lagger.beta,
    lag_ms: s.lag_ms ?? lagger.lag_ms,
    lag_band_ms: s.lag_band_ms ?? lagger.lag_band_ms,
    lag_drift_ms: s.lag_drift_ms ?? lagger.lag_drift_ms,
    correlation: s.correlation ?? lagger.correlation,
  };
}
