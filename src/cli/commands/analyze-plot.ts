import type { HyResult } from "../../actors/estimator/scan.js";
import type { LagGrid } from "../../actors/estimator/params.js";

const HALF_WIDTH = 30;
const ROWS = 49;

/**
 * rho by lag as a horizontal bar chart: one row per bucket of adjacent lags, showing the lag with the largest
 * |rho| in the bucket, negative bars left of the axis. `*` marks tau*, `x` buckets inside the exclusion zone.
 */
export function plotRhoByLag(result: HyResult, grid: LagGrid): string {
  const rho = result.rhoByLag;
  if (rho === undefined || rho.length === 0) return "";
  const perRow = Math.max(1, Math.ceil(rho.length / ROWS));
  const scale = Math.max(1e-12, ...Array.from(rho, Math.abs));
  const lines: string[] = [`rho by lag (bar = |rho| / ${scale.toFixed(3)})`];
  for (let first = 0; first < rho.length; first += perRow) {
    let k = first;
    for (let i = first; i < Math.min(rho.length, first + perRow); i++) if (Math.abs(rho[i]) > Math.abs(rho[k])) k = i;
    const bar = "#".repeat(Math.round((Math.abs(rho[k]) / scale) * HALF_WIDTH));
    const left = rho[k] < 0 ? bar.padStart(HALF_WIDTH) : " ".repeat(HALF_WIDTH);
    const right = rho[k] >= 0 ? bar.padEnd(HALF_WIDTH) : " ".repeat(HALF_WIDTH);
    const covers = (i: number) => i >= first && i < first + perRow;
    const mark =
      result.status === "ok" && covers(grid.lagsNs.indexOf(result.tauStarNs))
        ? "*"
        : grid.excluded[k] === 1
          ? "x"
          : " ";
    const lag = (grid.lagsNs[k] / 1e9).toFixed(2).padStart(7);
    lines.push(`${lag}s ${mark} ${left}|${right} ${rho[k].toFixed(3).padStart(7)}`);
  }
  return lines.join("\n");
}
