import type { HyParams, LagGrid } from "./params.js";
import { secondsToNsNumber } from "../../model/time.js";
import { scanHy, type HyResult } from "./scan.js";

/** Cleaned observations of one series (§1.3): strictly increasing relative ns times, values (log price or level). */
export interface Observations {
  readonly times: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

/** §2.8.1, the literal definition: every pair of overlapping increments, O(n·m). For tests only. */
export function hyDoubleSum(leader: Observations, lagger: Observations, lagNs: number): number {
  let sum = 0;
  for (let i = 1; i < leader.times.length; i++) {
    const a = leader.times[i - 1];
    const b = leader.times[i];
    const dx = leader.values[i] - leader.values[i - 1];
    for (let j = 1; j < lagger.times.length; j++) {
      const c = lagger.times[j - 1] - lagNs;
      const d = lagger.times[j] - lagNs;
      if (a < d && c < b) sum += dx * (lagger.values[j] - lagger.values[j - 1]);
    }
  }
  return sum;
}

/**
 * §2.8.2: one as-of difference per interval of the sweep series, O(n + m) per lag.
 * Computes Σ_i dS_i · (p[next(t_i + shift)] − p[prev(t_{i-1} + shift)]) with S the sweep series and p the other.
 */
function telescope(sweep: Observations, other: Observations, shiftNs: number): number {
  const m = other.times.length - 1;
  if (m < 0) return 0;
  let prev = 0;
  let next = 0;
  let sum = 0;
  for (let i = 1; i < sweep.times.length; i++) {
    const from = sweep.times[i - 1] + shiftNs;
    const to = sweep.times[i] + shiftNs;
    while (prev < m && other.times[prev + 1] <= from) prev++;
    if (next < prev) next = prev;
    while (next < m && other.times[next] < to) next++;
    sum += (sweep.values[i] - sweep.values[i - 1]) * (other.values[next] - other.values[prev]);
  }
  return sum;
}

/**
 * HY(θ) by telescoping, sweeping over the sparser series (shifting the leader forward by θ is the same as the lagger
 * back).
 */
export function hyTelescoping(leader: Observations, lagger: Observations, lagNs: number): number {
  return leader.times.length <= lagger.times.length
    ? telescope(leader, lagger, lagNs)
    : telescope(lagger, leader, -lagNs);
}

export function realizedVariance(series: Observations): number {
  let rv = 0;
  for (let i = 1; i < series.values.length; i++) rv += (series.values[i] - series.values[i - 1]) ** 2;
  return rv;
}

function nonZeroIncrements(series: Observations): number {
  let count = 0;
  for (let i = 1; i < series.values.length; i++) if (series.values[i] !== series.values[i - 1]) count++;
  return count;
}

/** The observations with T − W ≤ ts ≤ T (§2.3). */
export function windowOf(series: Observations, endNs: number, lookbackNs: number): Observations {
  const times: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < series.times.length; i++) {
    const t = series.times[i];
    if (t >= endNs - lookbackNs && t <= endNs) {
      times.push(t);
      values.push(series.values[i]);
    }
  }
  return { times, values };
}

export type HyMethod = (leader: Observations, lagger: Observations, lagNs: number) => number;

/** HY at every grid lag. */
export function hyCurve(
  leader: Observations,
  lagger: Observations,
  grid: LagGrid,
  method: HyMethod = hyTelescoping,
): Float64Array {
  const hy = new Float64Array(grid.lagsNs.length);
  for (let k = 0; k < hy.length; k++) hy[k] = method(leader, lagger, grid.lagsNs[k]);
  return hy;
}

/** A full batch estimate on the window ending at `endNs`: the recompute-from-scratch baseline of §2.8.2. */
export function batchEstimate(
  leader: Observations,
  lagger: Observations,
  endNs: number,
  grid: LagGrid,
  params: HyParams,
  options: { method?: HyMethod; withCurve?: boolean } = {},
): HyResult {
  const lookbackNs = secondsToNsNumber(params.inferenceLookbackSeconds);
  const x = windowOf(leader, endNs, lookbackNs);
  const y = windowOf(lagger, endNs, lookbackNs);
  const inputs = {
    nLeader: x.times.length,
    nLagger: y.times.length,
    nonZeroLeader: nonZeroIncrements(x),
    nonZeroLagger: nonZeroIncrements(y),
    rvLeader: realizedVariance(x),
    rvLagger: realizedVariance(y),
  };
  return scanHy(hyCurve(x, y, grid, options.method), grid, inputs, params, options.withCurve ?? false);
}
