import type { ObservationSeries } from "./series.js";

/**
 * Adds the pairs of one increment interval (from, to] with every interval of `other` (observations below `limit`)
 * that overlaps it at each grid lag, into compensated per-lag sums (§2.8.3).
 *
 * Leader interval: shifted query points are from + θ_k (k ascending). Lagger interval: from − θ_k (k descending).
 * Either way the query points increase, so the two pointers only move forward: O(L + q) after two binary searches.
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
  const last = limit - 1;
  if (increment === 0 || last <= other.start) return;
  const times = other.times;
  const values = other.values;
  const count = lagsNs.length;
  const step = isLeaderInterval ? 1 : -1;
  let k = isLeaderInterval ? 0 : count - 1;
  const firstShift = step * lagsNs[k];
  let prev = other.lastAtOrBefore(from + firstShift, limit);
  let next = other.firstAtOrAfter(to + firstShift, limit);
  for (let visited = 0; visited < count; visited++, k += step) {
    const shift = step * lagsNs[k];
    const u = from + shift;
    const v = to + shift;
    while (prev < last && times[prev + 1] <= u) prev++;
    // Past the other series' newest observation both indices clamp to it for every remaining lag: no more pairs.
    if (prev === last) break;
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
