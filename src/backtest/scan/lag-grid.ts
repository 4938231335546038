/**
 * The researcher's lag grid: command-line overrides of `hy_estimator_config`, checked as the config schema
 * checks them, a cap on the number of lags a scan may evaluate, and the edge-of-grid test.
 */
import { buildLagGrid, type HyParams, type LagGrid } from "../../actors/estimator/params.js";
import type { HyResult } from "../../actors/estimator/scan.js";

/** A lag grid the scan refuses: exit 2 with this message. */
export class LagGridError extends Error {
  override readonly name = "LagGridError";
}

export interface LagGridOverrides {
  readonly lagMinS?: number;
  readonly lagMaxS?: number;
  readonly lagStepS?: number;
  readonly excludeLowS?: number;
  readonly excludeHighS?: number;
}

/**
 * Most lags one HY curve may have: each costs one O(n + m) sweep over the whole scan span, so the grid's size
 * multiplies the scan's time (docs/artifacts.md, "Cost on wide grids").
 */
export const MAX_SCAN_LAGS = 2001;

/** `params` with the overrides applied, and its grid; every bad combination is one clear message. */
export function applyLagGrid(params: HyParams, overrides: LagGridOverrides): { params: HyParams; grid: LagGrid } {
  const next: HyParams = {
    ...params,
    lagMinS: overrides.lagMinS ?? params.lagMinS,
    lagMaxS: overrides.lagMaxS ?? params.lagMaxS,
    lagStepS: overrides.lagStepS ?? params.lagStepS,
    excludeLowS: overrides.excludeLowS ?? params.excludeLowS,
    excludeHighS: overrides.excludeHighS ?? params.excludeHighS,
  };
  const { lagMinS, lagMaxS, lagStepS, excludeLowS, excludeHighS } = next;
  if (!(lagMinS < lagMaxS))
    throw new LagGridError(`the lag grid needs lag-min-s < lag-max-s, got ${lagMinS} >= ${lagMaxS}`);
  if (!(lagStepS > 0)) throw new LagGridError(`lag-step-s must be positive, got ${lagStepS}`);
  if (lagStepS > lagMaxS - lagMinS)
    throw new LagGridError(`lag-step-s ${lagStepS} is wider than the grid ${lagMinS}..${lagMaxS}`);
  if (!(lagMinS <= excludeLowS && excludeLowS <= excludeHighS && excludeHighS <= lagMaxS))
    throw new LagGridError(
      `the exclusion zone [${excludeLowS}, ${excludeHighS}] must lie inside the grid [${lagMinS}, ${lagMaxS}] ` +
        "with exclude-low-s <= exclude-high-s",
    );
  const points = Math.floor((lagMaxS - lagMinS) / lagStepS) + 1;
  if (points > MAX_SCAN_LAGS)
    throw new LagGridError(
      `the lag grid ${lagMinS}..${lagMaxS} step ${lagStepS} has ${points} lags, more than ${MAX_SCAN_LAGS}: ` +
        `widen lag-step-s to at least ${((lagMaxS - lagMinS) / (MAX_SCAN_LAGS - 1)).toPrecision(3)}`,
    );
  try {
    return { params: next, grid: buildLagGrid(next) };
  } catch (err) {
    throw new LagGridError((err as Error).message);
  }
}

/** True when tau* is the grid's first or last lag: the true optimum may lie outside the grid. */
export function optimumAtEdge(result: HyResult, grid: LagGrid): boolean {
  if (result.status !== "ok") return false;
  const lags = grid.lagsNs;
  return result.tauStarNs === lags[0] || result.tauStarNs === lags[lags.length - 1];
}

/** The warning line printed for an optimum at the edge. */
export function edgeWarning(pairText: string, result: HyResult, params: HyParams): string {
  return (
    `warning: ${pairText}: the optimum tau* = ${result.tauStarS.toFixed(3)} s sits at the edge of the lag grid ` +
    `[${params.lagMinS}, ${params.lagMaxS}] s; the true lag may lie outside it (widen --lag-min-s/--lag-max-s)`
  );
}
