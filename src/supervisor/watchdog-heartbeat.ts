/**
 * The main thread's heartbeat, in a SharedArrayBuffer the watchdog thread reads:
 *
 *   BigInt64[0]  last beat   `process.hrtime` ns of the main thread's last beat; 0 = disarmed
 *
 * A 64-bit value read and written with Atomics: a plain Float64 access may tear across threads.
 */
export class MainHeartbeat {
  private readonly words: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(8)) {
    this.words = new BigInt64Array(buffer, 0, 1);
  }

  beat(): void {
    Atomics.store(this.words, 0, process.hrtime.bigint());
  }

  disarm(): void {
    Atomics.store(this.words, 0, 0n);
  }

  /** Monotonic ms of the last beat, 0 when disarmed. */
  lastBeatMs(): number {
    return Number(Atomics.load(this.words, 0)) / 1e6;
  }
}

/** Monotonic ms on the clock of `MainHeartbeat` (the same in every thread of the process). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
