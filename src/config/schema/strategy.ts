/** `strategies:` — one entry per strategy instance; `config:` holds the lead-lag strategy's parameters. */
import { z } from "zod";
import { expected } from "../messages.js";
import {
  anyNumber,
  flag,
  nonNegativeNumber,
  nullableNumber,
  numeric,
  openUnitInterval,
  positiveInt,
  positiveNumber,
  reportRule,
  text,
  unitInterval,
  uniqueList,
} from "./fields.js";

/** leadlag's lead-lag strategy. */
export const LEADLAG_STRATEGY_TYPE = "leadlag";
/** The class path trading_core users write; accepted as a synonym. */
export const TRADING_CORE_STRATEGY_ALIAS = "leadlag.strategy.adaptive_arbitrage.AdaptiveLeadLagStrategy";

export const FEATURES = ["trade", "mid", "ofi", "imbalance"] as const;

const hyEstimatorSchema = z
  .strictObject({
    lag_min_s: anyNumber().default(-12.0),
    lag_max_s: anyNumber().default(12.0),
    lag_step_s: positiveNumber().default(0.05),
    // lags in [exclude_low_s, exclude_high_s] are ignored (microstructure noise)
    exclude_low_s: anyNumber().default(-0.3),
    exclude_high_s: anyNumber().default(0.3),
  })
  .superRefine((hy, ctx) => {
    if (hy.lag_min_s >= hy.lag_max_s) {
      reportRule(ctx, ["lag_min_s"], hy.lag_min_s, expected.lessThan("lag_max_s"));
      return;
    }
    const insideGrid =
      hy.lag_min_s <= hy.exclude_low_s && hy.exclude_low_s <= hy.exclude_high_s && hy.exclude_high_s <= hy.lag_max_s;
    if (!insideGrid) reportRule(ctx, ["exclude_low_s"], hy.exclude_low_s, expected.excludeZoneInsideGrid);
    if (hy.lag_step_s > hy.lag_max_s - hy.lag_min_s)
      reportRule(ctx, ["lag_step_s"], hy.lag_step_s, expected.atMostField("lag_max_s - lag_min_s"));
  });

const jumpDetectionSchema = z.strictObject({
  window_K: positiveInt().default(50), // bipower-variation window, in returns
  alpha: openUnitInterval().default(0.0001), // significance level of the jump test
  co_jump_threshold: positiveInt().default(3), // this many leaders jumping together = market-wide move, not a lead
  co_jump_window_s: positiveNumber().default(1.0), // how close in time jumps must be to count as co-jumps
  // leadlag: the price stream tested, trade prints or book mids (signal-math §1.2)
  price_source: z.enum(["trade", "mid"]).default("trade"),
});

const leadLagConfigSchema = z
  .strictObject({
    market_type: z.enum(["spot", "perp"]).default("perp"),
    artifacts_path: text().default("leadlag/artifacts/latest"), // top_pairs.json, top_features.json, baselines.json
    artifacts_auto_reload: flag().default(true),
    artifacts_refresh_interval_seconds: positiveNumber().default(600),
    symbols: uniqueList(text()).min(1),
    features: uniqueList(z.enum(FEATURES)).min(1).default(["trade", "mid"]),

    inference_lookback_seconds: positiveNumber().default(240),
    correlation_threshold: unitInterval().default(0.4), // min |rho*| at the optimal lag
    lls_threshold: nonNegativeNumber().default(1.0), // min lead-lag strength

    entry_threshold: positiveNumber().default(1.0), // enter when strength >= threshold
    scoring_mode: z.enum(["sum", "max"]).default("sum"),
    simple_mode: flag().default(false), // true = top feature only

    base_position_size_usd: positiveNumber().default(500.0),
    max_signal_multiplier: positiveNumber().default(1.0), // size = base * clamp(strength / threshold, 0, max)

    atr_enabled: flag().default(true),
    atr_bar_seconds: positiveNumber().default(15),
    atr_period: positiveInt().default(40),
    atr_sl_mult: positiveNumber().default(6),
    atr_tp_mult: positiveNumber().default(8),
    atr_floor_bps: nonNegativeNumber().default(10.0),
    atr_cap_bps: positiveNumber().default(120.0),
    atr_enable_sl: flag().default(true),
    atr_enable_tp: flag().default(true),
    // leadlag: with atr_enabled, refuse entries until the lagger's ATR is ready (false = static brackets meanwhile)
    atr_require_ready: flag().default(true),

    stop_loss_bps: nonNegativeNumber().default(0.0), // static brackets when ATR is off or not ready
    take_profit_bps: nullableNumber(z.number().nonnegative()).default(null), // null = expected move in bps

    time_limit_seconds: nonNegativeNumber().default(1200), // 0 disables
    entry_order_type: z.enum(["market", "limit"]).default("market"),
    entry_time_in_force: z.enum(["ioc", "gtc", "fok"]).default("ioc"),
    entry_banded_ioc_enable: flag().default(true), // market -> limit IOC inside a protection band
    entry_ioc_price_band_bps: positiveNumber().default(15.0),

    enable_fee_gate: flag().default(true),
    taker_fee_bps: nonNegativeNumber().default(5.0),
    maker_fee_bps: anyNumber().default(2.5), // negative = rebate
    tp_hit_probability: unitInterval().default(0.45),
    expected_slippage_bps_total: nonNegativeNumber().default(2.0),
    arb_gate_buffer_bps: nonNegativeNumber().default(3.0),

    max_concurrent_positions: positiveInt().default(12),
    max_total_notional_usd: positiveNumber().default(60000),
    max_single_position_usd: positiveNumber().default(10000),
    hazard_window_seconds: nonNegativeNumber().default(12), // cooldown per lagger after an entry
    allow_stacking: flag().default(false),

    perp_margin_mode: z.enum(["cross", "isolated"]).default("cross"),
    perp_leverage: positiveNumber().default(10),

    hy_estimator_config: hyEstimatorSchema.prefault({}),
    jump_detection_config: jumpDetectionSchema.prefault({}),

    expmove_enabled: flag().default(true),
    // RLS forgetting factor: 0 < λ ≤ 1, 1 = never forget
    expmove_lambda: numeric(z.number().gt(0).max(1)).default(0.99),
    expmove_ridge: positiveNumber().default(0.001),
    expmove_min_samples: positiveInt().default(100),
    expmove_cap_bps: positiveNumber().default(50.0),
    expmove_blend_k: unitInterval().default(0.7),

    decision_scores_csv_path: text().default("./logs/decision_scores.csv"),
  })
  .superRefine((c, ctx) => {
    if (c.atr_floor_bps > c.atr_cap_bps)
      reportRule(ctx, ["atr_floor_bps"], c.atr_floor_bps, expected.atMostField("atr_cap_bps"));
    if (c.max_single_position_usd > c.max_total_notional_usd)
      reportRule(
        ctx,
        ["max_single_position_usd"],
        c.max_single_position_usd,
        expected.atMostField("max_total_notional_usd"),
      );
  });

export const strategySchema = z.strictObject({
  name: text(),
  type: z
    .enum([LEADLAG_STRATEGY_TYPE, TRADING_CORE_STRATEGY_ALIAS])
    .default(LEADLAG_STRATEGY_TYPE)
    .transform((): typeof LEADLAG_STRATEGY_TYPE => LEADLAG_STRATEGY_TYPE),
  config: leadLagConfigSchema,
});
