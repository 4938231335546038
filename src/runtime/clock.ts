import { wallClockNs, type Nanos } from "../model/time.js";

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
