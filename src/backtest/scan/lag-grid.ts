/**
 * The researcher's lag grid: command-line overrides of `hy_estimator_config`, checked as the config schema
 * checks them, a cap on the number of lags a scan may evaluate, and the edge-of-grid test.
 */
import { buildLagGrid, type HyParams, type LagGrid } from "../../actors/estimator/params.js";
import type { HyResult } from "../../actors/estimator/scan.js";
import { secondsToNsNumber } from "../../model/time.js";

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
  // Counted in integer ns, as buildLagGrid counts them (signal-math §2.5).
  const points =
    Math.floor((secondsToNsNumber(lagMaxS) - secondsToNsNumber(lagMinS)) / secondsToNsNumber(lagStepS)) + 1;
  if (points > MAX_SCAN_LAGS)
    throw new LagGridError(
      `the lag grid ${lagMinS}..${lagMaxS} step ${lagStepS} has ${points} lags, more than ${MAX_SCAN_LAGS}: ` +
        `widen lag-step-s to at least ${roundUp3((lagMaxS - lagMinS) / (MAX_SCAN_LAGS - 1))}`,
    );
  try {
    return { params: next, grid: buildLagGrid(next) };
  } catch (err) {
    throw new LagGridError((err as Error).message);
  }
}

/** `x` rounded up to 3 significant digits: a step that keeps the grid within the cap. */
function roundUp3(x: number): number {
  const unit = 10 ** (Math.floor(Math.log10(x)) - 2);
  return Number((Math.ceil(x / unit - 1e-9) * unit).toPrecision(3));
}

/**
 * True when the optimum sits at the grid's edge: the first or last lag's |value| reaches the optimum's (`values` are
 * the curve's HY or rho at each lag: proportional, so either serves). HY is piecewise constant in the lag, so an
 * optimum on a plateau that runs into the edge counts too (the tie rule would otherwise report the plateau's
 * inner end).
 */
export function optimumAtEdge(result: HyResult, grid: LagGrid, values: ArrayLike<number>): boolean {
  if (result.status !== "ok") return false;
  const lags = grid.lagsNs;
  const best = Math.abs(values[lags.indexOf(result.tauStarNs)]);
  const reaches = (k: number) => grid.excluded[k] === 0 && Math.abs(values[k]) >= best * (1 - EDGE_TIE);
  return best > 0 && (reaches(0) || reaches(lags.length - 1));
}

/** Relative tolerance of the edge test's tie (rounding between equal plateau values). */
const EDGE_TIE = 1e-9;

/** The warning line printed for an optimum at the edge. */
export function edgeWarning(pairText: string, result: HyResult, params: HyParams): string {
  return (
    `warning: ${pairText}: the optimum tau* = ${result.tauStarS.toFixed(3)} s sits at the edge of the lag grid ` +
    `[${params.lagMinS}, ${params.lagMaxS}] s; the true lag may lie outside it (widen --lag-min-s/--lag-max-s)`
  );
}
