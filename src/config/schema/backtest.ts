/** `backtest:` — replay window, data source and fill simulation; read only when mode is backtest. */
import { z } from "zod";
import { expected } from "../messages.js";
import {
  anyNumber,
  nonNegativeNumber,
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

const simulationSchema = z.strictObject({
  latency_ms: nonNegativeNumber().default(5),
  // actors see a recorded event at its receipt time plus this; absent = latency_ms
  feed_latency_ms: nonNegativeNumber().optional(),
  slippage_bps: nonNegativeNumber().default(1),
  slippage_mode: z.enum(["bps_only", "book_vwap"]).default("bps_only"),
  execution_pricing: z.enum(["book_vwap", "mid"]).default("book_vwap"),
  fee_mode: z.enum(["quote", "base"]).default("quote"),
  maker_fee_bps: anyNumber().default(10.0), // negative = rebate
  taker_fee_bps: nonNegativeNumber().default(10.0),
  symbol_rules_path: text().default("configs/symbol_rules.csv"),
  queue_model: z.enum(["queue", "instant"]).default("queue"),
  fill_probability: unitInterval().default(0.9),
  partial_fill_probability: unitInterval().default(0.25),
  min_fill_ratio: unitInterval().default(0.1),
  queue_ahead_model: z.enum(["linear", "power_law"]).default("linear"),
  adverse_selection_factor: unitInterval().default(0.15),
});

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
