import { defineActor } from "../../../runtime/actor.js";
import { Channels } from "../../../protocol/channels.js";
import type { MarketstreamMessage, MarketstreamTopic } from "../../../protocol/wire/marketstream.js";
import type { Nanos } from "../../../model/time.js";
import { createFeedShell } from "../shell.js";
import type { FeedSection } from "../section.js";

/**
 * How a backtest runner hands recorded messages to the replay feed: the actor sets `deliver` in `init`,
 * the runner calls it with the simulated clock at the message's delivery time. Passed by reference in
 * the child's config, which only the inline transport allows (nothing is cloned to another thread).
 */
export interface ReplayPort {
  deliver?: (topic: MarketstreamTopic & { readonly name: string }, wire: MarketstreamMessage, recvNs: Nanos) => void;
  /** What the feed core dropped so far, by reason (a report shows them beside the source's own drops). */
  drops?: () => Readonly<Record<string, number>>;
}

export type ReplayFeedConfig = FeedSection & { readonly replayPort: ReplayPort };

/**
 * The feed of a backtest, in the live feed's place: recorded messages, already parsed and checked by the
 * replay source, enter the live feed core after the wire checks (`FeedCore.onMessage`); from there on
 * (clock skew, sequence, book rebuild, features, history replay, statistics) the code is the live feed's.
 */
export default defineActor<ReplayFeedConfig>({
  kind: "feed",
  reads: [Channels.replayRequests],
  writes: [Channels.trades, Channels.books, Channels.replay],
  async init(ctx) {
    const { core, noteDrop, instance } = createFeedShell(ctx);
    ctx.config.replayPort.deliver = (topic, wire, recvNs) => noteDrop(core.onMessage(topic, wire, recvNs), topic.name);
    ctx.config.replayPort.drops = () => core.stats().drops;
    ctx.onDispose(() => {
      ctx.config.replayPort.deliver = undefined;
    });
    return instance;
  },
});
