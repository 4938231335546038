import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { Doorbell, createDoorbell } from "../../src/transport/doorbell.js";
import type { ThreadHost } from "../../src/runtime/host.js";
import { runHostLoop } from "../../src/runtime/run-loop.js";

/**
 * Rings a doorbell every 100 µs from another thread (a steady stream of frames), until told to stop. It
 * spins between rings: a sleep of 100 µs can oversleep past the loop's 1 ms park slice on a busy machine.
 */
const RINGER = `
const { workerData } = require("node:worker_threads");
const words = new Int32Array(workerData.bell, 0, 4);
const stop = new Int32Array(workerData.stop);
while (Atomics.load(stop, 0) === 0) {
  Atomics.add(words, 0, 1);
  Atomics.notify(words, 0);
  const until = performance.now() + 0.1;
  while (performance.now() < until);
}`;

/** A host whose only work is the frames the ringer announces: one unit per ring seen. */
function streamHost(bell: Doorbell): ThreadHost & { turns: number } {
  let handled = bell.count();
  const host = {
    turns: 0,
    turn() {
      host.turns++;
      const now = bell.count();
      const work = now - handled;
      handled = now;
      return work;
    },
    hasWork: () => false,
    flushStatuses: () => undefined,
    flushMetrics: () => undefined,
    nextTimerDue: () => undefined,
    replyExpectedUntil: () => 0,
    onLocalWake: undefined,
  };
  return host as unknown as ThreadHost & { turns: number };
}

describe("thread loop on a worker (blocking park)", () => {
  it(
    "still visits the event loop while a steady stream keeps waking it, so queued commands and timers " + "run",
    async () => {
      const bellBuffer = createDoorbell();
      const bell = new Doorbell(bellBuffer);
      const stop = new SharedArrayBuffer(4);
      const ringer = new Worker(RINGER, { eval: true, workerData: { bell: bellBuffer, stop } });
      await new Promise((r) => ringer.once("online", r));
      const host = streamHost(bell);
      let immediateRanAtTurn: number | undefined;
      setImmediate(() => (immediateRanAtTurn = host.turns));
      await runHostLoop(
        host,
        bell,
        { spinUs: 0, rehearseEveryUs: 0, yieldEveryMs: 1, metricsEveryMs: 1000, blockingParkSliceMs: 1 },
        () => host.turns >= 3000,
      );
      Atomics.store(new Int32Array(stop), 0, 1);
      await ringer.terminate();
      expect(immediateRanAtTurn).toBeDefined();
      expect(immediateRanAtTurn!).toBeLessThan(3000);
    },
  );
});

/** A host whose only behaviour is what `turn` and `hasWork` say. */
function fakeHost(turn: () => number, hasWork: () => boolean): ThreadHost {
  const idle = {
    flushStatuses: () => undefined,
    flushMetrics: () => undefined,
    nextTimerDue: () => undefined,
    replyExpectedUntil: () => 0,
    onLocalWake: undefined,
  };
  return { turn, hasWork, ...idle } as unknown as ThreadHost;
}

describe("thread loop on the main thread (event-loop spin)", () => {
  it(
    "watches its doorbell many times per event-loop turn while spinning, and I/O callbacks still run within the " +
      "spin",
    async () => {
      const start = performance.now();
      const spinning = () => performance.now() - start < 20;
      let bellReads = 0;
      const bell = {
        count: () => (bellReads++, 0),
        setBusySince: () => undefined,
        setParked: () => undefined,
      } as unknown as Doorbell;
      const host = fakeHost(
        () => 0,
        () => !spinning(),
      );
      let visits = 0;
      const countVisit = () => {
        visits++;
        if (spinning()) setImmediate(countVisit);
      };
      setImmediate(countVisit);
      let timerRanAfterMs: number | undefined;
      setTimeout(() => (timerRanAfterMs = performance.now() - start), 2);
      await runHostLoop(
        host,
        bell,
        { spinUs: 50_000, rehearseEveryUs: 0, yieldEveryMs: 1, metricsEveryMs: 1000, blockingParkSliceMs: 0 },
        () => !spinning(),
      );
      expect(timerRanAfterMs).toBeDefined();
      expect(timerRanAfterMs!).toBeLessThan(20);
      // A turn per poll allocated and entered the kernel on every poll; the doorbell is now watched in batches between
      // turns.
      expect(visits).toBeGreaterThan(10);
      expect(bellReads / visits).toBeGreaterThan(100);
    },
  );

  it("leaves its spin as soon as another thread rings the doorbell", async () => {
    const bellBuffer = createDoorbell();
    const bell = new Doorbell(bellBuffer);
    const stop = new SharedArrayBuffer(4);
    const start = performance.now();
    const turnsAtMs: number[] = [];
    const host = fakeHost(
      () => (turnsAtMs.push(performance.now() - start), 0),
      () => turnsAtMs.length >= 2,
    );
    // Rings every millisecond until stopped: whenever the spin runs, a ring comes within a millisecond.
    const ringer = new Worker(
      `const { workerData } = require("node:worker_threads");
       const words = new Int32Array(workerData.bell, 0, 4);
       const stop = new Int32Array(workerData.stop);
       while (Atomics.load(stop, 0) === 0) { Atomics.add(words, 0, 1); Atomics.wait(stop, 0, 0, 1); }`,
      { eval: true, workerData: { bell: bellBuffer, stop } },
    );
    await runHostLoop(
      host,
      bell,
      { spinUs: 5_000_000, rehearseEveryUs: 0, yieldEveryMs: 1, metricsEveryMs: 1000, blockingParkSliceMs: 0 },
      () => turnsAtMs.length >= 2 || performance.now() - start > 6000,
    );
    Atomics.store(new Int32Array(stop), 0, 1);
    await ringer.terminate();
    // The second turn follows a ring (a worker's start-up away), not the spin's 5 s deadline.
    expect(turnsAtMs).toHaveLength(2);
    expect(turnsAtMs[1]).toBeLessThan(2000);
  });
});
