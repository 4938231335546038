import { defineActor } from "../../runtime/actor.js";
import { SyntheticMarket } from "./generator.js";
import { SyntheticPublisher } from "./publisher.js";
import type { MarketSynthSection } from "./section.js";

/**
 * The embedded synthetic market (`market_data.provider: synthetic`): binds PUB sockets and publishes in
 * marketstream's exact format, so the default setup runs the same ZeroMQ bridge code as production.
 */
export default defineActor<MarketSynthSection>({
  kind: "market-synth",
  reads: [],
  writes: [],
  async init(ctx) {
    const section = ctx.config;
    const market = new SyntheticMarket(section.market, ctx.now());
    const publisher = new SyntheticPublisher(market, {
      host: section.host,
      tradesPort: section.tradesPort,
      booksPort: section.booksPort,
      intervalMs: section.intervalMs,
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
