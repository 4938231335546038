import type { Bench } from "./bench.js";
import { percentile, round } from "./bench.js";
import { runDecisionHarness } from "./decision-harness.js";
import { syscallCost } from "./syscall-cost.js";

/**
 * From the jump-triggering trade entering the feed to the entry order leaving the strategy (shards on their own
 * worker).
 */
export const decisionBench: Bench = {
  name: "decision",
  summary: "jump-triggering trade into the feed → entry order out of the strategy, whole daemon on threads",
  async run({ quick }) {
    const syscall = await syscallCost();
    const s = await runDecisionHarness(quick ? 45_000 : 150_000);
    const p50 = (samples: Float64Array) => round(percentile(samples, 50), 1);
    return {
      bench: "decision",
      n: s.decisionUs.length,
      jumps: s.jumps,
      p50_us: p50(s.decisionUs),
      p99_us: round(percentile(s.decisionUs, 99), 1),
      syscall_after_idle_us: round(syscall.afterIdleUs, 1),
      // What crossing to the shard's worker and back costs while the daemon runs (a bare ping); the pushed scan
      // results cross one way only.
      loaded_ring_rt_p50_us: p50(s.loadedRingRoundTripUs),
      loaded_ring_rt_p99_us: round(percentile(s.loadedRingRoundTripUs, 99), 1),
      loaded_ring_forward_p50_us: p50(s.loadedRingForwardUs),
      stages_p50_us: Object.fromEntries(Object.entries(s.stagesUs).map(([name, us]) => [name, p50(us)])),
    };
  },
};
