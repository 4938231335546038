import type { Bench } from "./bench.js";
import { percentile, round } from "./bench.js";
import { runDecisionHarness } from "./decision-harness.js";

/** From the jump-triggering trade entering the feed to the entry order leaving the strategy (shards on their own worker). */
export const decisionBench: Bench = {
  name: "decision",
  summary: "jump-triggering trade into the feed → entry order out of the strategy, whole daemon on threads",
  async run({ quick }) {
    const s = await runDecisionHarness(quick ? 45_000 : 150_000);
    return { bench: "decision", n: s.decisionUs.length, jumps: s.jumps, p50_us: round(percentile(s.decisionUs, 50), 1), p99_us: round(percentile(s.decisionUs, 99), 1) };
  },
};
