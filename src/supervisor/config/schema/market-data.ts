/** `market_data:` — where ticks and books come from. */
import { z } from "zod";
import { expected } from "../messages.js";
import { flag, host, integer, port, positiveInt, reportRule, text, uniqueList } from "./fields.js";

/**
 * Placeholder owned by the market-data engineer: only `seed` is typed so far, other keys pass
 * through untouched until the synthetic generator's settings are settled (then make it strict).
 */
const syntheticSchema = z.looseObject({
  seed: integer().default(42),
});

export const marketDataSchema = z
  .strictObject({
    // "auto" (or leaving the key out) picks postgresql for mode: backtest and synthetic otherwise.
    provider: z.enum(["auto", "zmq", "postgresql", "synthetic"]).default("auto"),
    host: host().default("127.0.0.1"),
    port: port().default(5556), // trades socket
    books_port: port().default(5557), // books socket (split publisher)
    exchanges: uniqueList(text()).min(1).default(["BINANCE_FUTURES"]), // topic prefix filter
    deltas: z
      .strictObject({
        enabled: flag().default(false),
        lob_top_n: positiveInt().default(10),
      })
      .prefault({}),
    synthetic: syntheticSchema.prefault({}),
  })
  .superRefine((md, ctx) => {
    if (md.port === md.books_port) reportRule(ctx, ["books_port"], md.books_port, expected.differentPorts("market_data.port"));
  });

/** What `provider: auto` means: replay from the database in a backtest, generate ticks otherwise. */
export function resolveMarketDataProvider(provider: "auto" | "zmq" | "postgresql" | "synthetic", mode: "live" | "backtest") {
  if (provider !== "auto") return provider;
  return mode === "backtest" ? "postgresql" : "synthetic";
}
