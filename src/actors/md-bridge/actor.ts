import { defineActor } from "../../runtime/actor.js";
import { Channels } from "../../protocol/channels.js";
import type { MarketDataFrame } from "../../protocol/market-data.js";
import { MarketDataBridge } from "../feed/zmq-bridge.js";
import type { MdBridgeSection } from "./section.js";

/**
 * The marketstream bridge, on the main thread: SUB to the trades and books ports with exact topics for
 * the configured exchanges and symbols, and every message to the feed as raw text. Parsing happens on
 * the feed's thread, so the main thread only moves bytes.
 */
export default defineActor<MdBridgeSection>({
  kind: "md-bridge",
  reads: [],
  writes: [Channels.wireMarketData],
  async init(ctx) {
    const { host, tradesPort, booksPort, topics, exchanges, streams } = ctx.config;
    const bridge = new MarketDataBridge(
      { host, tradesPort, booksPort, topics, logger: ctx.log },
      (topic, payload, recvNs) => {
        const frame: MarketDataFrame = { type: "MarketDataFrame", topic, payload: payload.toString("utf8"), recvNs };
        ctx.send(Channels.wireMarketData, frame);
      },
    );
    bridge.start();
    ctx.log.info(
      { topics: topics.length, exchanges, streams, host, trades: tradesPort, books: booksPort },
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
