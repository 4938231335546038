import { Publisher } from "zeromq";
import { defineActor } from "../../src/runtime/actor.js";
import type { Config } from "../../src/supervisor/config/index.js";
import { loadRegistry } from "../../src/actors/shared/instruments.js";
import { SyntheticMarket, type SyntheticMessage } from "../../src/actors/market-synth/generator.js";
import { syntheticSpecFromConfig } from "../../src/actors/market-synth/spec.js";

export interface BenchMarketConfig {
  readonly daemon: Config;
  /** Called with each trade's receipt_timestamp_ns right after it was handed to ZeroMQ. */
  readonly onTradePublished: (tsNs: bigint) => void;
}

/**
 * The synthetic market, published every millisecond (not every 5 ms as the daemon's publisher does) and
 * reporting when each trade left, so the tick-to-order benchmark can start its clock at the publish.
 */
export default defineActor<BenchMarketConfig>({
  kind: "bench-market",
  reads: [],
  writes: [],
  async init(ctx) {
    const md = ctx.config.daemon.market_data;
    const market = new SyntheticMarket(syntheticSpecFromConfig(md.synthetic, await loadRegistry(ctx.config.daemon)), ctx.now());
    const trades = new Publisher({ linger: 0 });
    const books = new Publisher({ linger: 0 });
    await trades.bind(`tcp://${md.host}:${md.port}`);
    await books.bind(`tcp://${md.host}:${md.books_port}`);
    ctx.setInterval("publish", 1);
    const pending: SyntheticMessage[] = [];
    let sending = false;
    // zeromq.js allows one send in flight per socket: messages go out one after another, in order.
    const drain = async () => {
      sending = true;
      for (let m = pending.shift(); m !== undefined; m = pending.shift()) {
        if (m.socket === "trades") {
          await trades.send([m.topic, m.payload]);
          ctx.config.onTradePublished(m.tsNs);
        } else {
          await books.send([m.topic, m.payload]);
        }
      }
      sending = false;
    };
    return {
      handle: {},
      onTimer: () => {
        market.advance(ctx.now(), (m) => pending.push(m));
        if (!sending && pending.length > 0) void drain();
      },
      onStop: () => {
        trades.close();
        books.close();
      },
    };
  },
});
