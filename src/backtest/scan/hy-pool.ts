/**
 * The scan's HY curves on a piscina pool: one task per (ordered pair, feature), series shared, not copied.
 * On a symmetric grid one curve serves both orders of a pair: HY_{b→a}(θ) = HY_{a→b}(−θ) (signal-math §2.2,
 * shifting the lagger back by θ is shifting the leader forward by θ), so the reverse is the curve read backwards.
 */
import os from "node:os";
import { Piscina } from "piscina";
import type { LagGrid } from "../../actors/estimator/params.js";
import { compiledUrl } from "../../runtime/paths.js";
import type { SharedSeries } from "./history.js";

export interface HyTask {
  readonly leader: SharedSeries;
  readonly lagger: SharedSeries;
  /** The whole grid, shared; the task computes lags [from, to). */
  readonly lagsNs: Float64Array;
  readonly from: number;
  readonly to: number;
}

/** One curve to compute: leader and lagger are indices into the caller's series. */
export interface CurveRequest {
  readonly leader: number;
  readonly lagger: number;
  readonly feature: string;
}

export function curveKey(leader: number, lagger: number, feature: string): string {
  return `${leader}>${lagger}:${feature}`;
}

/** True when every lag's negation is the mirrored lag: the reverse pair needs no curve of its own. */
export function symmetricGrid(grid: LagGrid): boolean {
  const lags = grid.lagsNs;
  for (let k = 0; k < lags.length; k++) if (lags[k] !== -lags[lags.length - 1 - k]) return false;
  return true;
}

export function reversedCurve(curve: Float64Array): Float64Array {
  return Float64Array.from(curve).reverse();
}

/** Tasks queued per worker thread: enough that uneven curves still end together. */
const TASKS_PER_WORKER = 4;

export function defaultWorkers(): number {
  return Math.max(1, os.availableParallelism());
}

/**
 * Every requested curve, keyed by `curveKey`. On a symmetric grid only the pair (a, b) with a < b is computed and
 * (b, a) is derived. Each curve is cut into runs of lags so that there are several tasks per worker: curves differ
 * in cost by the series' sizes (a book feature has four times the observations of trades), and whole curves would
 * leave a worker idle at the end.
 */
export async function computeCurves(
  requests: readonly CurveRequest[],
  seriesOf: (symbol: number, feature: string) => SharedSeries,
  grid: LagGrid,
  workers: number,
): Promise<Map<string, Float64Array>> {
  const symmetric = symmetricGrid(grid);
  const computed = symmetric ? requests.filter((r) => r.leader < r.lagger) : requests;
  const lagsNs = new Float64Array(new SharedArrayBuffer(grid.lagsNs.length * 8));
  lagsNs.set(grid.lagsNs);
  const count = lagsNs.length;
  const runs = Math.min(count, Math.ceil((TASKS_PER_WORKER * workers) / Math.max(1, computed.length)));
  const threads = Math.max(1, Math.min(workers, computed.length * runs));
  const pool = new Piscina<HyTask, Float64Array>({
    filename: compiledUrl(new URL("./hy-worker.ts", import.meta.url)).href,
    minThreads: threads,
    maxThreads: threads,
  });
  try {
    const curves = new Map<string, Float64Array>();
    await Promise.all(
      computed.map(async (r) => {
        const curve = new Float64Array(count);
        const leader = seriesOf(r.leader, r.feature);
        const lagger = seriesOf(r.lagger, r.feature);
        await Promise.all(
          Array.from({ length: runs }, async (_, run) => {
            const from = Math.floor((run * count) / runs);
            const to = Math.floor(((run + 1) * count) / runs);
            curve.set(await pool.run({ leader, lagger, lagsNs, from, to }), from);
          }),
        );
        curves.set(curveKey(r.leader, r.lagger, r.feature), curve);
        if (symmetric) curves.set(curveKey(r.lagger, r.leader, r.feature), reversedCurve(curve));
      }),
    );
    return curves;
  } finally {
    await pool.destroy();
  }
}
