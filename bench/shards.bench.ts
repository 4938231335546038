import type { Bench } from "./bench.js";
import { round } from "./bench.js";
import { startBenchWorker } from "./thread-harness.js";
import { openGate } from "./workers/gate.js";
import type { ShardLoadReport } from "./workers/shard-load.js";

const SYMBOLS = 7; // 42 ordered pairs: the "40 pairs"

/** Ticks/s the estimator layer absorbs when every shard must see every tick and the slowest sets the pace. */
async function layerTicksPerS(shardCount: number, ticks: number): Promise<{ ticksPerS: number; pairs: number[] }> {
  const gate = new SharedArrayBuffer(4);
  const workers = Array.from({ length: shardCount }, (_, shardIndex) =>
    startBenchWorker<ShardLoadReport>("shard-load", { shardIndex, shardCount, symbols: SYMBOLS, ticks, gate }),
  );
  await Promise.all(workers.map((w) => w.ready));
  openGate(gate);
  const reports = await Promise.all(workers.map((w) => w.result));
  const slowest = Math.max(...reports.map((r) => r.elapsedMs));
  return { ticksPerS: ticks / (slowest / 1000), pairs: reports.map((r) => r.pairs) };
}

/**
 * The estimator layer on 1 shard and on 2 shards (each on its own worker), same seeded stream of trades
 * and books over 42 pairs × 4 features (trade, mid, OFI, imbalance), in the same run.
 */
export const shardsBench: Bench = {
  name: "shards",
  summary: "ticks/s absorbed by the estimator layer, 42 pairs × 4 features, on 1 shard and on 2 shards",
  async run({ quick }) {
    const ticks = quick ? 20_000 : 80_000;
    const one = await layerTicksPerS(1, ticks);
    const two = await layerTicksPerS(2, ticks);
    return {
      bench: "shards",
      pairs: one.pairs[0],
      features: 4,
      ticks,
      ticks_per_s_1: Math.round(one.ticksPerS),
      ticks_per_s_2: Math.round(two.ticksPerS),
      speedup: round(two.ticksPerS / one.ticksPerS, 2),
      pairs_per_shard_2: two.pairs.join("/"),
    };
  },
};
