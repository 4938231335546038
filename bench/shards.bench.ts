import type { Bench } from "./bench.js";
import { percentile, round, sortedCopy } from "./bench.js";
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

const median = (values: readonly number[]): number => percentile(sortedCopy(values), 50);

/**
 * The estimator layer on 1 shard and on 2 shards (each on its own worker), same seeded stream of trades
 * and books over 42 pairs × 4 features (trade, mid, OFI, imbalance), in the same run. The two are
 * measured in alternating trials and the speedup is the median of each trial's ratio: the capacity a
 * shared machine lends moves within a minute, so single pairs of runs scatter widely (docs/benchmarks.md).
 */
export const shardsBench: Bench = {
  name: "shards",
  summary: "ticks/s absorbed by the estimator layer, 42 pairs × 4 features, on 1 shard and on 2 shards",
  async run({ quick }) {
    const ticks = quick ? 20_000 : 80_000;
    const trials = quick ? 3 : 5;
    const ones: number[] = [];
    const twos: number[] = [];
    let pairs: number[] = [];
    for (let t = 0; t < trials; t++) {
      ones.push((await layerTicksPerS(1, ticks)).ticksPerS);
      const two = await layerTicksPerS(2, ticks);
      twos.push(two.ticksPerS);
      pairs = two.pairs;
    }
    const speedups = ones.map((one, t) => twos[t] / one);
    return {
      bench: "shards",
      pairs: pairs.reduce((a, b) => a + b, 0),
      features: 4,
      ticks,
      trials,
      ticks_per_s_1: Math.round(median(ones)),
      ticks_per_s_2: Math.round(median(twos)),
      speedup: round(median(speedups), 2),
      speedups: speedups.map((x) => round(x, 2)),
      pairs_per_shard_2: pairs.join("/"),
    };
  },
};
