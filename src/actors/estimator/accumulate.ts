import type { ObservationSeries } from "./series.js";

/**
 * Adds the pairs of one increment interval (from, to] with every interval of `other` (observations below `limit`)
 * that overlaps it at each grid lag, into compensated per-lag sums (§2.8.3).
 *
 * Leader interval: shifted query points are from + θ_k (k ascending). Lagger interval: from − θ_k (k descending).
 * Either way the query points increase, so the two pointers only move forward: O(L + q) after four binary searches.
 * Only the lags whose shifted interval can pair with an interval of `other` are visited: the others' terms are 0.
 */
export function accumulateInterval(
  sums: Float64Array,
  compensations: Float64Array,
  lagsNs: Float64Array,
  increment: number,
  from: number,
  to: number,
  other: ObservationSeries,
  limit: number,
  isLeaderInterval: boolean,
): void {
  const first = other.start;
  const last = limit - 1;
  if (increment === 0 || last <= first) return;
  const times = other.times;
  const values = other.values;
  const step = isLeaderInterval ? 1 : -1;
  const k0 = isLeaderInterval ? 0 : lagsNs.length - 1;
  // Shifts θ_i = step · lagsNs[k0 + step · i] ascend with i. All times and lags are integer ns below 2^53, so these
  // bounds are exact. Before `begin` the shifted interval ends at or before the other series' first observation
  // (prev = next = first: no pair); from `end` on it starts at or after its newest one (prev = last: no pair).
  const begin = firstShiftAbove(lagsNs, k0, step, times[first] - to, false);
  const end = firstShiftAbove(lagsNs, k0, step, times[last] - from, true);
  let k = k0 + step * begin;
  let prev = begin < end ? other.lastAtOrBefore(from + step * lagsNs[k], limit) : last;
  for (let i = begin; i < end; i++, k += step) {
    const shift = step * lagsNs[k];
    const u = from + shift;
    const v = to + shift;
    // Below `end` times[last] > u, so prev stays below last without a bound check; next, the first observation
    // at or after v > u, is at least prev + 1 (one compare-and-step chain instead of two: faster, docs/benchmarks.md).
    while (times[prev + 1] <= u) prev++;
    let next = prev + 1;
    while (next < last && times[next] < v) next++;
    const term = increment * (values[next] - values[prev]);
    if (term === 0) continue;
    // Knuth's TwoSum: the exact rounding error of sum + term, without a data-dependent branch.
    const sum = sums[k];
    const total = sum + term;
    const virtualTerm = total - sum;
    compensations[k] += sum - (total - virtualTerm) + (term - virtualTerm);
    sums[k] = total;
  }
}

/** The first i (0 … L) whose shift step · lagsNs[k0 + step · i] exceeds `bound` (or reaches it, `inclusive`). */
function firstShiftAbove(lagsNs: Float64Array, k0: number, step: number, bound: number, inclusive: boolean): number {
  let lo = 0;
  let hi = lagsNs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const shift = step * lagsNs[k0 + step * mid];
    if (shift > bound || (inclusive && shift === bound)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
