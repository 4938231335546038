/** `market_data:` — where ticks and books come from. */
import { z } from "zod";
import { expected } from "../messages.js";
import { syntheticSchema } from "./synthetic-market.js";
import { flag, host, nonNegativeNumber, port, positiveInt, reportRule, text, uniqueList } from "./fields.js";

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
