import { defineActor } from "../../runtime/actor.js";
import { Channels } from "../../protocol/channels.js";
import type { MarketDataFrame } from "../../protocol/market-data.js";
import type { Config } from "../../config/index.js";
import { MarketDataBridge } from "../feed/zmq-bridge.js";
import { marketDataSubscription } from "../feed/subscription.js";
import { loadRegistry } from "../../config/index.js";

/**
 * The marketstream bridge, on the main thread: SUB to the trades and books ports with exact topics for
 * the configured exchanges and symbols, and every message to the feed as raw text. Parsing happens on
 * the feed's thread, so the main thread only moves bytes.
 */
export default defineActor<Config>({
  kind: "md-bridge",
  reads: [],
  writes: [Channels.wireMarketData],
  async init(ctx) {
    const md = ctx.config.market_data;
    const { topics, exchanges } = marketDataSubscription(ctx.config, await loadRegistry(ctx.config));
    const bridge = new MarketDataBridge(
      { host: md.host, tradesPort: md.port, booksPort: md.books_port, topics, logger: ctx.log },
      (topic, payload, recvNs) => {
        const frame: MarketDataFrame = { type: "MarketDataFrame", topic, payload: payload.toString("utf8"), recvNs };
        ctx.send(Channels.wireMarketData, frame);
      },
    );
    bridge.start();
    ctx.log.info(
      { topics: topics.length, exchanges, host: md.host, trades: md.port, books: md.books_port },
      "subscribed to marketstream",
    );
    ctx.setInterval("stats", 1000);
    let reported = bridge.stats();
    return {
      handle: {},
      onTimer: () => {
        const stats = bridge.stats();
        ctx.metrics.count("md_bridge_frames_total", {}, stats.frames - reported.frames);
        ctx.metrics.count("md_bridge_bad_framing_total", {}, stats.badFraming - reported.badFraming);
        reported = stats;
      },
      onStop: () => bridge.close(),
    };
  },
});
