import type { Nanos } from "../model/time.js";

const originNs = BigInt(Math.round(performance.timeOrigin * 1000)) * 1000n;

/**
 * Wall clock in epoch ns, monotonic within a thread (the thread's time origin plus its monotonic clock).
 * Only shells and the supervisor read it; cores receive time as an argument.
 */
export function wallClockNs(): Nanos {
  return originNs + BigInt(Math.floor(performance.now() * 1e6));
}

/** The one place a shell may read time from; cores get `now` passed in. */
export interface Clock {
  now(): Nanos;
}

export const wallClock: Clock = { now: wallClockNs };

/** Event time for the inline transport: advanced by the scheduler, never by the wall. */
export class SimulatedClock implements Clock {
  constructor(private current: Nanos = 0n) {}

  now(): Nanos {
    return this.current;
  }

  /** Moves time forward; going backwards is a scheduler bug. */
  advanceTo(t: Nanos): void {
    if (t < this.current) throw new Error(`simulated clock cannot go back from ${this.current} to ${t}`);
    this.current = t;
  }
}
