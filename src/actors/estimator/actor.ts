import { defineActor } from "../../runtime/actor.js";
import { Channels } from "../../protocol/channels.js";
import type { Book, HistoryReplayed, ReplayHistory, Trade } from "../../protocol/market-data.js";
import type { JumpDetected, PairsScanned } from "../../protocol/signals.js";
import { JumpsCore } from "../jumps/core.js";
import { ShardCore } from "./shard.js";
import type { EstimatorSection } from "./section.js";

/**
 * One estimator shard: the online HY state of the pairs that hash to it, for every configured feature.
 * Its replica of the jump detectors sees each jump tick, and the jump's scan is pushed to the strategy at once;
 * until the feed's history replay (asked for on every start) is in, the answer is `not_warm` (warm restart).
 */
export default defineActor<EstimatorSection>({
  kind: "estimator",
  reads: [Channels.trades, Channels.books, Channels.replay],
  writes: [Channels.scanResults, Channels.replayRequests],
  async init(ctx) {
    const { shard, detectors } = ctx.config;
    const core = new ShardCore(shard);
    // The jumps actor's detectors, replicated: a jump's results leave here the moment its tick arrives.
    const jumps = new JumpsCore(detectors);
    let warm = false;
    const countScans = (scanned: PairsScanned) => {
      ctx.metrics.count("hy_scans_total", {}, scanned.results.length);
      ctx.metrics.count("hy_passes_total", {}, scanned.results.filter((r) => r.passes).length);
    };
    const pushScan = (jump: JumpDetected | null) => {
      if (jump === null || jump.systematic) return;
      // Before the replay is in, the window is still being refilled: a scan would be wrong, so say so.
      const pushed = warm ? core.scanJump(jump.instrument, jump.tsNs) : core.notWarm(jump.instrument, jump.tsNs);
      // The results first: the strategy's thread decodes them while this one counts (cold metrics are slow).
      ctx.send(Channels.scanResults, pushed);
      ctx.metrics.count("hy_scans_pushed_total", { warm: warm ? "true" : "false" });
      if (warm) countScans(pushed);
    };
    ctx.log.info(
      { pairs: core.pairs.length, of: shard.pairs.length, features: shard.features },
      "estimator shard ready",
    );
    ctx.metrics.gauge("estimator_pairs", core.pairs.length);
    // Whether this incarnation scans yet, as its published status (`Supervisor.actorStatus`).
    const publishWarmth = () => ctx.publishStatus({ warm, incarnation: ctx.incarnation, pairs: core.pairs.length });
    publishWarmth();
    const replay: ReplayHistory = { type: "ReplayHistory", requester: ctx.name };
    ctx.send(Channels.replayRequests, replay);
    const rehearse = () => {
      jumps.rehearse();
      const rehearsal = core.rehearse();
      if (rehearsal !== undefined) ctx.rehearseCodec(rehearsal);
    };
    return {
      handle: {
        // After the tick is applied, its pre-tick snapshot answers the scan: about half the cost of evaluating
        // the live state before it (docs/benchmarks.md, "Figures behind the code").
        Trade: (t: Trade) => {
          core.onTrade(t);
          pushScan(jumps.onTrade(t));
        },
        Book: (b: Book) => {
          core.onBook(b);
          pushScan(jumps.onBook(b));
        },
        HistoryReplayed: (done: HistoryReplayed) => {
          if (done.requester !== ctx.name || warm) return;
          warm = true;
          publishWarmth();
          ctx.log.info({ messages: done.messages }, "warm: history replayed");
        },
      },
      // After a tick, the host rehearses: the replica detectors' test, a jump's scan and the encoding of its results
      // on the newest ticks (the cores keep which), a jump's work kept warm.
      decide: { Trade: rehearse, Book: rehearse },
    };
  },
});
