/**
 * The main-thread watchdog's decision, kept pure: what the heartbeat says, the time, the threshold → a
 * verdict. Times are monotonic milliseconds (`process.hrtime`, one clock for every thread of the process).
 */

export interface HeartbeatReading {
  /** When the main thread last beat; 0 = disarmed (before start-up completes, during shutdown). */
  readonly beatMs: number;
  /** Global index of the actor inside a handler on the main thread, -1 when none. */
  readonly actor: number;
  /** When the watchdog itself last checked. */
  readonly previousCheckMs: number;
}

export type StallVerdict =
  | { readonly stalled: false; readonly why: "disarmed" | "beating" | "watchdog_paused" }
  | { readonly stalled: true; readonly stalledMs: number; readonly actor: number };

/**
 * Stalled when the main thread has not beaten for more than `stallMs`. Not when the watchdog's own
 * previous check is as old as that: then the watchdog was not running either (the process was stopped,
 * the machine suspended or starved) and the main thread had no chance to beat; it gets one more round.
 */
export function stallVerdict(reading: HeartbeatReading, nowMs: number, stallMs: number): StallVerdict {
  if (reading.beatMs === 0) return { stalled: false, why: "disarmed" };
  if (nowMs - reading.previousCheckMs > stallMs) return { stalled: false, why: "watchdog_paused" };
  const silentMs = nowMs - reading.beatMs;
  if (silentMs <= stallMs) return { stalled: false, why: "beating" };
  return { stalled: true, stalledMs: silentMs, actor: reading.actor };
}
