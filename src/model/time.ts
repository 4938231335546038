/**
 * Timestamps are epoch nanoseconds as `bigint` everywhere a message crosses an actor boundary:
 * ~1.76e18 exceeds 2^53, so a `number` would silently round to 256 ns. Cores that do arithmetic on
 * time convert once to a `number` relative to a session base (exact for ~104 days), see signal-math §1.1.
 */
export type Nanos = bigint;

export const NS_PER_MS = 1_000_000n;
export const NS_PER_S = 1_000_000_000n;

/** Seconds (config units) to integer nanoseconds: `round(x * 1e9)`, exact for the grids in use. */
export function secondsToNs(seconds: number): bigint {
  return BigInt(Math.round(seconds * 1e9));
}

export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}

/** Difference in milliseconds as a number; precise enough for ages and latencies. */
export function elapsedMs(fromNs: Nanos, toNs: Nanos): number {
  return Number(toNs - fromNs) / 1e6;
}

const originNs = BigInt(Math.round(performance.timeOrigin * 1000)) * 1000n;

/**
 * Wall clock in epoch ns, monotonic within a thread (the thread's time origin plus its monotonic clock).
 * Only shells and the supervisor read it; cores receive time as an argument.
 */
export function wallClockNs(): Nanos {
  return originNs + BigInt(Math.floor(performance.now() * 1e6));
}
