/** `backtest:` — replay window, data source and fill simulation; read only when mode is backtest. */
import { z } from "zod";
import { expected } from "../messages.js";
import {
  anyNumber,
  integer,
  nonNegativeNumber,
  positiveNumber,
  optionalText,
  positiveInt,
  reportRule,
  text,
  unitInterval,
  uniqueList,
} from "./fields.js";

// Date or date-time, with an optional zone; parsed by Date.parse when the replay starts.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const isoDate = () => z.string().regex(ISO_DATE, { error: expected.isoDate });

const dataSourceSchema = z.strictObject({
  type: z.enum(["postgresql", "file"]).default("postgresql"),
  connection: optionalText(), // postgresql://user:pass@host:5432/db; redacted when printed
  trade_table: text().default("trades"),
  book_table: text().default("ob_snapshots"),
  batch_size: positiveInt().default(20000),
});

const DEFAULT_LATENCY_MS = 5;
const DEFAULT_SLIPPAGE_BPS = 1;
/** hftbacktest's examples use the power-law queue with n = 3. */
const DEFAULT_QUEUE_POWER_EXPONENT = 3;

// The simulated venue (src/actors/venues/simulated); formulas and when to use each model in docs/backtest.md.
export const simulationSchema = z
  .strictObject({
    latency_ms: nonNegativeNumber().optional(), // order, response and feed latency, each unless set below (5)
    order_latency_ms: nonNegativeNumber().optional(), // decision → the order reaches the exchange
    response_latency_ms: nonNegativeNumber().optional(), // exchange → its report reaches the daemon
    feed_latency_ms: nonNegativeNumber().optional(), // exchange → the daemon sees market data (the runner)
    seed: integer().default(42), // the venue's random draws (fill and partial-fill chances)
    slippage_bps: nonNegativeNumber().optional(), // bps_only only (default 1)
    slippage_mode: z.enum(["bps_only", "book_vwap"]).default("bps_only"),
    execution_pricing: z.enum(["book_vwap", "mid"]).default("book_vwap"),
    fee_mode: z.enum(["quote", "base"]).default("quote"),
    maker_fee_bps: anyNumber().default(10.0), // negative = rebate
    taker_fee_bps: nonNegativeNumber().default(10.0),
    symbol_rules_path: text().optional(), // absent = the daemon's symbol_rules_path; when given, must name that file
    queue_model: z.enum(["queue", "instant"]).default("queue"),
    fill_probability: unitInterval().default(0.9),
    partial_fill_probability: unitInterval().default(0.25),
    min_fill_ratio: unitInterval().default(0.1),
    queue_ahead_model: z.enum(["linear", "power_law"]).default("linear"),
    queue_power_exponent: positiveNumber().optional(), // n of f(x) = xⁿ; power_law only (default 3)
    adverse_selection_factor: unitInterval().default(0.15),
  })
  .superRefine((sim, ctx) => {
    if (sim.queue_power_exponent !== undefined && sim.queue_ahead_model !== "power_law")
      reportRule(ctx, ["queue_power_exponent"], sim.queue_power_exponent, expected.powerLawOnly);
    const legs = [sim.order_latency_ms, sim.response_latency_ms, sim.feed_latency_ms];
    if (sim.latency_ms !== undefined && legs.every((leg) => leg !== undefined))
      reportRule(ctx, ["latency_ms"], sim.latency_ms, expected.latencyLegsSet);
    if (sim.slippage_bps !== undefined && sim.slippage_mode !== "bps_only")
      reportRule(ctx, ["slippage_bps"], sim.slippage_bps, expected.bpsSlippageOnly);
  })
  .transform(({ latency_ms = DEFAULT_LATENCY_MS, order_latency_ms, response_latency_ms, feed_latency_ms, ...sim }) => ({
    ...sim,
    latency_ms,
    order_latency_ms: order_latency_ms ?? latency_ms,
    response_latency_ms: response_latency_ms ?? latency_ms,
    feed_latency_ms: feed_latency_ms ?? latency_ms,
    slippage_bps: sim.slippage_bps ?? DEFAULT_SLIPPAGE_BPS,
    queue_power_exponent: sim.queue_power_exponent ?? DEFAULT_QUEUE_POWER_EXPONENT,
  }));

export const backtestSchema = z
  .strictObject({
    start_date: isoDate(),
    end_date: isoDate(),
    symbols: uniqueList(text()).min(1),
    speed_multiplier: nonNegativeNumber().default(0), // 0 = as fast as possible
    microstructure_depth_levels: positiveInt().default(10),
    data_source: dataSourceSchema.prefault({}),
    simulation: simulationSchema.prefault({}),
  })
  .superRefine((bt, ctx) => {
    if (!(Date.parse(bt.start_date) < Date.parse(bt.end_date)))
      reportRule(ctx, ["start_date"], bt.start_date, expected.startBeforeEnd);
  });
