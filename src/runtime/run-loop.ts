import type { ThreadHost } from "./host.js";
import type { Doorbell } from "../transport/doorbell.js";
import { wallClockNs } from "./clock.js";
import { elapsedMs } from "../model/time.js";

/** Custom metrics reach /metrics and the status line this often unless the host is told otherwise. */
export const DEFAULT_METRICS_EVERY_MS = 1000;

export interface LoopOptions {
  /**
   * Busy-poll this long after work before parking; 0 parks at once. A thread that parks with
   * `waitAsync` (the main thread, which owns the sockets) polls through its event loop while it spins,
   * so socket reads and timers are not held up by the spin.
   */
  readonly spinUs: number;
  /**
   * While spinning, the thread's actors rehearse their decision path (`ActorInstance.decide`) this
   * often; 0 = never. A decision comes every few seconds, and on a small shared machine state untouched
   * for milliseconds is read at memory latency (`leadlag bench cache`): rehearsing keeps the code and
   * data of the next decision in the caches (the decision benchmark with and without it: docs/benchmarks.md).
   * None starts within `REHEARSAL_QUIET_MS` of work, so the frames of one burst are
   * not held up behind a rehearsal.
   */
  readonly rehearseEveryUs: number;
  /** Continuous work yields to the event loop this often, so timers, I/O and control messages get in. */
  readonly yieldEveryMs: number;
  /** How often custom metrics are shipped to the supervisor (`metrics_aggregator.poll_interval_sec`). */
  readonly metricsEveryMs: number;
  /**
   * Workers park with the blocking `Atomics.wait` in slices of this many ms, visiting the event loop
   * between slices: a frame wakes the thread in microseconds (a `waitAsync` wake goes through the event
   * loop, which is much slower), and timers and I/O still run within a slice. 0 = `waitAsync` (the main
   * thread, which must never block).
   */
  readonly blockingParkSliceMs: number;
}

const MAX_PARK_MS = 250;

/**
 * Idle time before a spinning thread may rehearse: a market-data burst's messages arrive within tens of
 * µs of each other, and one that arrives during a rehearsal waits for it to finish.
 */
const REHEARSAL_QUIET_MS = 0.05;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Drives a thread host: turn while there is work, spin briefly when idle, then park on the thread's
 * doorbell (see `blockingParkSliceMs`), never so long that timers, sockets and I/O starve. Resolves once
 * `stopped()` is true.
 */
export async function runHostLoop(
  host: ThreadHost,
  bell: Doorbell,
  options: LoopOptions,
  stopped: () => boolean,
): Promise<void> {
  // A pending Atomics.waitAsync does not keep Node's event loop alive; this timer does, while the loop runs.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    await loop(host, bell, options, stopped);
  } finally {
    clearInterval(keepAlive);
  }
}

async function loop(host: ThreadHost, bell: Doorbell, options: LoopOptions, stopped: () => boolean): Promise<void> {
  let lastYield = performance.now();
  let lastMetrics = lastYield;
  const rehearseEveryMs = options.rehearseEveryUs / 1000;
  while (!stopped()) {
    bell.setBusySince(Date.now());
    const seen = bell.count();
    const work = host.turn();
    const now = performance.now();
    host.flushStatuses(now);
    if (now - lastMetrics >= options.metricsEveryMs) {
      lastMetrics = now;
      host.flushMetrics();
    }
    if (work > 0) {
      if (now - lastYield >= options.yieldEveryMs) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      continue;
    }
    // An expected reply extends the spin to its deadline: polling for it is cheaper than being woken by it.
    const idleSince = performance.now();
    if (options.spinUs > 0 || host.replyExpectedUntil() > idleSince) {
      const spinEnd = idleSince + options.spinUs / 1000;
      const rehearseFrom = idleSince + REHEARSAL_QUIET_MS;
      const found =
        options.blockingParkSliceMs > 0
          ? spinUntilWork(host, spinEnd, rehearseFrom, rehearseEveryMs)
          : await pollUntilWork(host, bell, spinEnd, rehearseFrom, rehearseEveryMs);
      if (found) continue;
    }
    bell.setParked(true);
    if (host.hasWork() || bell.count() !== seen) {
      bell.setParked(false);
      continue;
    }
    bell.setBusySince(0);
    const due = host.nextTimerDue();
    const timeoutMs =
      due === undefined ? MAX_PARK_MS : Math.min(MAX_PARK_MS, Math.max(0, elapsedMs(wallClockNs(), due)));
    if (options.blockingParkSliceMs > 0) {
      const woke = Atomics.wait(bell.words, 0, seen, Math.min(timeoutMs, options.blockingParkSliceMs));
      bell.setParked(false);
      // Woken by a frame: handle it now. Timed out: let timers and I/O in before the next slice. A wake by
      // a frame is no visit to the event loop: `lastYield` stands, so a thread that keeps being woken still
      // lets its timers, I/O and queued commands (microtasks) in every `yieldEveryMs`.
      if (woke === "timed-out") {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    } else {
      const waited = Atomics.waitAsync(bell.words, 0, seen, timeoutMs);
      if (waited.async) {
        await Promise.race([waited.value, new Promise<void>((resolve) => (host.onLocalWake = resolve))]);
        host.onLocalWake = undefined;
      }
      bell.setParked(false);
      lastYield = performance.now();
    }
  }
}

/**
 * Ring polls between two clock reads in a blocking spin. A clock read allocates (a heap number), and a
 * spin that allocates on every poll sweeps the young generation through the core's caches, evicting the
 * state the next message needs; a spin that reads the clock once per 512 polls leaves it in place
 * (`leadlag bench cache`, docs/benchmarks.md).
 */
const POLLS_PER_CLOCK_READ = 512;

/**
 * Spins through the event loop until `spinEnd` (a `performance.now()` time). Between two turns it
 * watches the doorbell, which every producer rings after writing a frame for this thread (and a local
 * send rings too): one atomic load per poll, where `hasWork` reads every ring. A turn allocates (a promise,
 * an Immediate, the clock read) and enters the kernel, so a turn per poll fills the young generation much
 * sooner (docs/benchmarks.md). A socket message that arrives mid-spin waits a few polls' time for its turn.
 */
async function pollUntilWork(
  host: ThreadHost,
  bell: Doorbell,
  spinEnd: number,
  rehearseFrom: number,
  rehearseEveryMs: number,
): Promise<boolean> {
  for (;;) {
    // The count first: a frame written after it rings a change; one written before is on a ring.
    const rung = bell.count();
    if (host.hasWork()) return true;
    for (let i = 0; i < POLLS_PER_CLOCK_READ; i++) if (bell.count() !== rung) return true;
    // Socket callbacks may withdraw an expected reply meanwhile: the deadline is read again every turn.
    const now = performance.now();
    if (now >= spinEnd && now >= host.replyExpectedUntil()) return false;
    if (rehearseIfQuiet(host, now, rehearseFrom, rehearseEveryMs) && host.hasWork()) return true;
    await yieldToEventLoop();
  }
}

/** A blocking spin: no handler runs meanwhile, so an expected reply's deadline cannot change during it. */
function spinUntilWork(host: ThreadHost, spinEnd: number, rehearseFrom: number, rehearseEveryMs: number): boolean {
  const until = Math.max(spinEnd, host.replyExpectedUntil());
  for (;;) {
    for (let i = 0; i < POLLS_PER_CLOCK_READ; i++) if (host.hasWork()) return true;
    const now = performance.now();
    if (now >= until) return false;
    rehearseIfQuiet(host, now, rehearseFrom, rehearseEveryMs);
  }
}

/**
 * Rehearses once the thread has been idle since `from` (`REHEARSAL_QUIET_MS` after its work), at most every `everyMs`;
 * 0 = never.
 */
function rehearseIfQuiet(host: ThreadHost, now: number, from: number, everyMs: number): boolean {
  return everyMs > 0 && now >= from && host.rehearseIfDue(now, everyMs);
}
