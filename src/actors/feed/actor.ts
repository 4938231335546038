import { defineActor } from "../../runtime/actor.js";
import { Channels } from "../../protocol/channels.js";
import type { MarketDataFrame } from "../../protocol/market-data.js";
import { createFeedShell } from "./shell.js";
import type { FeedSection } from "./section.js";

/**
 * The feed: parses and checks every marketstream frame (the trust boundary for market data), rebuilds
 * books, fans trades and books out, and replays its history to a restarted subscriber.
 */
export default defineActor<FeedSection>({
  kind: "feed",
  reads: [Channels.wireMarketData, Channels.replayRequests],
  writes: [Channels.trades, Channels.books, Channels.replay],
  async init(ctx) {
    const { core, noteDrop, instance } = createFeedShell(ctx);
    return {
      ...instance,
      handle: {
        ...instance.handle,
        MarketDataFrame: (f: MarketDataFrame) => noteDrop(core.onFrame(f.topic, f.payload, f.recvNs), f.topic),
      },
      // After a frame, the host rehearses: the newest trade frame accepted (the core keeps it) parsed and normalised
      // again and its message round-tripped, a jump's first step kept warm.
      decide: {
        MarketDataFrame: () => {
          const trade = core.rehearse();
          if (trade !== undefined) ctx.rehearseCodec(trade);
        },
      },
    };
  },
});
