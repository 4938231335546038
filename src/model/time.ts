/**
 * Timestamps are epoch nanoseconds as `bigint` everywhere a message crosses an actor boundary:
 * ~1.76e18 exceeds 2^53, so a `number` would silently round to 256 ns. Cores that do arithmetic on
 * time convert once to a `number` relative to a session base (exact for ~104 days), see signal-math §1.1.
 */
export type Nanos = bigint;

export const NS_PER_MS = 1_000_000n;
export const NS_PER_S = 1_000_000_000n;
export const NS_PER_DAY = 86_400n * NS_PER_S;

/** Seconds (config units) to integer nanoseconds: `round(x * 1e9)`, exact for the grids in use. */
export function secondsToNs(seconds: number): bigint {
  return BigInt(secondsToNsNumber(seconds));
}

/**
 * The same integer nanoseconds as a `number`, for cores that keep time relative to a session base
 * (signal-math §1.1): exact while |seconds| stays under ~104 days.
 */
export function secondsToNsNumber(seconds: number): number {
  return Math.round(seconds * 1e9);
}

export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}

/** A duration in seconds as a number; precise enough for ages, rates and latencies. */
export function nsToSeconds(ns: Nanos): number {
  return Number(ns) / 1e9;
}

/** A duration in milliseconds as a number. */
export function nsToMs(ns: Nanos): number {
  return Number(ns) / 1e6;
}

/** Difference in milliseconds as a number; precise enough for ages and latencies. */
export function elapsedMs(fromNs: Nanos, toNs: Nanos): number {
  return nsToMs(toNs - fromNs);
}
