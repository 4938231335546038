/** `market_data:` — where ticks and books come from. */
import { z } from "zod";
import { expected } from "../messages.js";
import {
  flag,
  host,
  integer,
  nonNegativeNumber,
  numeric,
  optionalText,
  port,
  positiveInt,
  positiveNumber,
  reportRule,
  text,
  uniqueList,
} from "./fields.js";

/** One generated instrument; a `leader` makes it a lagger that follows the leader's moves `lag_ms` later. */
const syntheticSymbolSchema = z.strictObject({
  symbol: text(), // any spelling in the symbol rules
  price: positiveNumber(), // start price
  volatility_bps: nonNegativeNumber().default(1.5), // leaders: std-dev of the log price per √second, in bps
  jump_rate_per_min: nonNegativeNumber().default(0.3), // leaders: mean jumps per minute (Poisson)
  jump_bps: nonNegativeNumber().default(30), // leaders: jump size, sign random
  leader: optionalText(), // lagger of this symbol (which must not have a leader itself)
  lag_ms: nonNegativeNumber().default(1500), // laggers: delay behind the leader (outside the ±0.3 s exclusion zone)
  correlation: numeric(z.number().gt(0).max(1)).default(0.8), // laggers: correlation of lagged returns
});

const DEFAULT_SYNTHETIC_SYMBOLS = [
  { symbol: "BTC-USDC-PERP", price: 97000 },
  // Lags beyond the HY exclusion zone (±0.3 s), which can never be chosen as tau* (signal-math §2.5).
  { symbol: "ETH-USDC-PERP", price: 3100, leader: "BTC-USDC-PERP", lag_ms: 1500, correlation: 0.8 },
  { symbol: "SOL-USDC-PERP", price: 145, leader: "BTC-USDC-PERP", lag_ms: 1000, correlation: 0.6 },
];

/** `market_data.synthetic`: the embedded marketstream stand-in (docs/market-data.md). */
const syntheticSchema = z
  .strictObject({
    seed: integer().default(42),
    exchange: text().default("HYPERLIQUID"), // topic/payload exchange, as marketstream spells it
    book_mode: z.enum(["deltas", "snapshots"]).default("deltas"), // deltas + checkpoints like the shipped HL config
    checkpoint_every_ms: positiveInt().default(1000),
    depth_levels: numeric(z.number().int().min(1).max(10)).default(10),
    book_rate_hz: positiveNumber().default(20), // mean book updates per second per symbol (Poisson)
    trade_rate_hz: positiveNumber().default(5), // mean trades per second per symbol (Poisson)
    publish_interval_ms: positiveInt().default(5), // publisher timer period
    symbols: z
      .array(syntheticSymbolSchema)
      .min(1)
      .default(DEFAULT_SYNTHETIC_SYMBOLS.map((s) => syntheticSymbolSchema.parse(s))),
  })
  .superRefine((synthetic, ctx) => {
    const roots = synthetic.symbols.filter((s) => s.leader === undefined).map((s) => s.symbol);
    synthetic.symbols.forEach((s, index) => {
      if (s.leader !== undefined && !roots.includes(s.leader))
        reportRule(ctx, ["symbols", index, "leader"], s.leader, expected.oneOf(roots));
    });
  });

export const marketDataSchema = z
  .strictObject({
    // "auto" (or leaving the key out) picks postgresql for mode: backtest and synthetic otherwise.
    provider: z.enum(["auto", "zmq", "postgresql", "synthetic"]).default("auto"),
    host: host().default("127.0.0.1"),
    port: port().default(5556), // trades socket
    books_port: port().default(5557), // books socket (split publisher)
    exchanges: uniqueList(text()).min(1).default(["BINANCE_FUTURES"]), // topic prefix filter
    // A frame whose receipt_timestamp_ns is further than this from leadlag's own receipt time is dropped
    // (`clock_skew`): 4x the default stale limit, so only a frame that could never be traded on is lost.
    max_clock_skew_ms: positiveInt().default(2000),
    deltas: z
      .strictObject({
        enabled: flag().default(false),
        lob_top_n: positiveInt().default(10),
      })
      .prefault({}),
    synthetic: syntheticSchema.prefault({}),
    // leadlag: trade-price outlier filter in the feed (docs/market-data.md, Data quality)
    quality: z
      .strictObject({
        outlier_sigma: nonNegativeNumber().default(8), // 0 = off
        outlier_window: positiveInt().default(100), // accepted trades the mean and σ are taken over
        outlier_min_band_bps: nonNegativeNumber().default(200), // the band's floor, so quiet markets keep their jumps
      })
      .prefault({}),
  })
  .superRefine((md, ctx) => {
    if (md.port === md.books_port)
      reportRule(ctx, ["books_port"], md.books_port, expected.differentPorts("market_data.port"));
  });

/** What `provider: auto` means: replay from the database in a backtest, generate ticks otherwise. */
export function resolveMarketDataProvider(
  provider: "auto" | "zmq" | "postgresql" | "synthetic",
  mode: "live" | "backtest",
) {
  if (provider !== "auto") return provider;
  return mode === "backtest" ? "postgresql" : "synthetic";
}
