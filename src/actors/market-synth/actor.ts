import { defineActor } from "../../runtime/actor.js";
import type { Config } from "../../config/index.js";
import { SyntheticMarket } from "./generator.js";
import { SyntheticPublisher } from "./publisher.js";
import { syntheticSpecFromConfig } from "./spec.js";
import { loadRegistry } from "../../config/index.js";

/**
 * The embedded synthetic market (`market_data.provider: synthetic`): binds PUB sockets and publishes in
 * marketstream's exact format, so the default setup runs the same ZeroMQ bridge code as production.
 */
export default defineActor<Config>({
  kind: "market-synth",
  reads: [],
  writes: [],
  async init(ctx) {
    const md = ctx.config.market_data;
    const registry = await loadRegistry(ctx.config);
    const market = new SyntheticMarket(syntheticSpecFromConfig(md.synthetic, registry), ctx.now());
    const publisher = new SyntheticPublisher(market, {
      host: md.host,
      tradesPort: md.port,
      booksPort: md.books_port,
      intervalMs: md.synthetic.publish_interval_ms,
      logger: ctx.log,
    });
    await publisher.start();
    ctx.setInterval("stats", 1000);
    let reported = { trades: 0, books: 0 };
    return {
      handle: {},
      onTimer: () => {
        const stats = publisher.stats();
        ctx.metrics.count("synth_published_total", { stream: "trades" }, stats.trades - reported.trades);
        ctx.metrics.count("synth_published_total", { stream: "books" }, stats.books - reported.books);
        reported = stats;
      },
      onStop: () => publisher.close(),
    };
  },
});
