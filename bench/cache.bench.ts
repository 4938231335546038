import type { Bench } from "./bench.js";
import { percentile, round, sortedCopy } from "./bench.js";

/** Dependent loads per sample: long enough to time, short enough not to re-warm the set it measures. */
const STEPS = 2000;
const LINE_INTS = 16;
const GAP_MS = 5;

/** A random cyclic walk over the cache lines of `bytes`: each load's address comes from the previous load. */
function pointerChase(bytes: number): () => number {
  const next = new Int32Array(bytes / 4);
  const lines = next.length / LINE_INTS;
  const order = Array.from({ length: lines }, (_, i) => i);
  for (let i = lines - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (let i = 0; i < lines; i++) next[order[i] * LINE_INTS] = order[(i + 1) % lines] * LINE_INTS;
  let at = 0;
  return () => {
    for (let i = 0; i < STEPS; i++) at = next[at];
    return at;
  };
}

type Gap = () => Promise<void> | void;

/** p50 ns per load of a walk over the whole set, each sample after `gap`. */
async function nsPerLoad(walk: () => number, gap: Gap, samples: number): Promise<number> {
  const ns: number[] = [];
  for (let i = 0; i < samples; i++) {
    await gap();
    const t0 = performance.now();
    walk();
    ns.push(((performance.now() - t0) * 1e6) / STEPS);
  }
  return percentile(sortedCopy(ns), 50);
}

const sleep: Gap = () => new Promise((r) => setTimeout(r, GAP_MS));
/** A spin that reads the clock on every poll: each read allocates a heap number. */
const allocatingSpin: Gap = () => {
  const until = performance.now() + GAP_MS;
  while (performance.now() < until);
};
const shared = new Int32Array(new SharedArrayBuffer(4));
/** The worker run loop's spin: ring-style polls, the clock read once per 512. */
const quietSpin: Gap = () => {
  const until = performance.now() + GAP_MS;
  for (;;) {
    for (let i = 0; i < 512; i++) if (Atomics.load(shared, 0) !== 0) return;
    if (performance.now() >= until) return;
  }
};

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/**
 * The main thread's spin as it was: one event-loop turn (a promise, an Immediate, a poll of the sockets) per ring poll.
 */
const eventLoopSpin: Gap = async () => {
  const until = performance.now() + GAP_MS;
  while (Atomics.load(shared, 0) === 0 && performance.now() < until) await nextTurn();
};
/** The main thread's spin (run-loop.ts): 512 doorbell polls between two event-loop turns. */
const batchedEventLoopSpin: Gap = async () => {
  const until = performance.now() + GAP_MS;
  for (;;) {
    for (let i = 0; i < 512; i++) if (Atomics.load(shared, 0) !== 0) return;
    if (performance.now() >= until) return;
    await nextTurn();
  }
};

/**
 * What 5 ms away from a working set cost its next use on the machine it runs on: the latency of dependent loads
 * over 256 KB and 1 MB, hot (the baseline, same run) and after 5 ms of sleeping, of a spin that allocates,
 * of a spin that does not, and of the main thread's spin through its event loop before and after it
 * batched its ring polls. A decision runs every few seconds on state last touched milliseconds ago:
 * this is the price of every one of its memory accesses (docs/benchmarks.md, "where the latency goes").
 */
export const cacheBench: Bench = {
  name: "cache",
  summary:
    "memory access latency of a working set hot vs after 5 ms of sleep / allocating spin / quiet spin / event-loop " +
    "spins",
  async run({ quick }) {
    const samples = quick ? 60 : 200;
    const result: Record<string, number> = {};
    for (const kb of [256, 1024]) {
      const walk = pointerChase(kb * 1024);
      for (let i = 0; i < 2000; i++) walk();
      const hot = await nsPerLoad(walk, () => undefined, samples * 5);
      result[`hot_${kb}kb_ns`] = round(hot, 1);
      for (const [name, gap] of [
        ["sleep", sleep],
        ["allocating_spin", allocatingSpin],
        ["quiet_spin", quietSpin],
        ["event_loop_spin", eventLoopSpin],
        ["batched_event_loop_spin", batchedEventLoopSpin],
      ] as const) {
        const after = await nsPerLoad(walk, gap, samples);
        result[`after_${name}_${kb}kb_ns`] = round(after, 1);
        result[`after_${name}_${kb}kb_ratio`] = round(after / hot, 2);
      }
    }
    return { bench: "cache", gap_ms: GAP_MS, ...result };
  },
};
