import type { HyParams, LagGrid } from "./params.js";

export type HyStatus = "ok" | "insufficient_data" | "zero_variance";

/** One lead-lag reading of a (leader, lagger) pair: signal-math §2.5–2.7. */
export interface HyResult {
  readonly status: HyStatus;
  /** Optimal lag; positive means the leader moves first. 0 when status is not `ok`. */
  readonly tauStarNs: number;
  readonly tauStarS: number;
  /** Signed correlation at tau*; 0 (never NaN) when status is not `ok`. */
  readonly rhoStar: number;
  /** Lead/lag ratio (§2.6): may be +Infinity or NaN when status is `ok`; 0 otherwise. */
  readonly lls: number;
  readonly nLeader: number;
  readonly nLagger: number;
  /** All gates of §2.7. */
  readonly passes: boolean;
  /** rho at every grid lag, when requested. */
  readonly rhoByLag?: Float64Array;
}

/** Absolute tolerance on |rho| under which two lags tie (§2.5). */
export const RHO_TIE_TOLERANCE = 1e-12;

/**
 * A side of the LLR whose squared-correlation mass is below this counts as zero (§2.6's 0 and ∞ cases): every
 * rho in it is rounding noise, e.g. what a rolling sum leaves after adding and removing the same pairs.
 */
const ZERO_MASS = RHO_TIE_TOLERANCE ** 2;

/** What a scan needs besides the per-lag HY values. */
export interface ScanInputs {
  readonly nLeader: number;
  readonly nLagger: number;
  readonly nonZeroLeader: number;
  readonly nonZeroLagger: number;
  readonly rvLeader: number;
  readonly rvLagger: number;
}

function notReady(status: Exclude<HyStatus, "ok">, nLeader: number, nLagger: number): HyResult {
  return { status, tauStarNs: 0, tauStarS: 0, rhoStar: 0, lls: 0, nLeader, nLagger, passes: false };
}

/**
 * Turns per-lag HY values into tau*, rho*, LLS and the gates, in O(L).
 * Two passes over |rho| make the tie rule independent of iteration order.
 */
export function scanHy(
  hy: Float64Array,
  grid: LagGrid,
  inputs: ScanInputs,
  params: HyParams,
  withCurve = false,
): HyResult {
  const { nLeader, nLagger } = inputs;
  if (nLeader < 2 || nLagger < 2) return notReady("insufficient_data", nLeader, nLagger);
  // Counting non-zero increments is exact; a drifted RV compared against 0 is not (§2.8.3).
  const norm = Math.sqrt(inputs.rvLeader * inputs.rvLagger);
  // Increments so small that their squares underflow leave no usable normaliser either.
  if (inputs.nonZeroLeader === 0 || inputs.nonZeroLagger === 0 || !(norm > 0))
    return notReady("zero_variance", nLeader, nLagger);
  const { lagsNs, excluded } = grid;
  const count = lagsNs.length;

  let best = -1;
  let positiveMass = 0;
  let negativeMass = 0;
  for (let k = 0; k < count; k++) {
    const rho = hy[k] / norm;
    const lag = lagsNs[k];
    if (lag > 0) positiveMass += rho * rho;
    else if (lag < 0) negativeMass += rho * rho;
    if (excluded[k] === 0 && Math.abs(rho) > best) best = Math.abs(rho);
  }

  let bestK = -1;
  for (let k = 0; k < count; k++) {
    if (excluded[k] === 1 || Math.abs(hy[k] / norm) < best - RHO_TIE_TOLERANCE) continue;
    if (bestK < 0 || prefersLag(lagsNs[k], lagsNs[bestK])) bestK = k;
  }

  const lls = negativeMass > ZERO_MASS ? positiveMass / negativeMass : positiveMass > ZERO_MASS ? Infinity : NaN;
  const tauStarNs = lagsNs[bestK];
  const rhoStar = hy[bestK] / norm;
  const passes = tauStarNs > 0 && Math.abs(rhoStar) >= params.correlationThreshold && lls >= params.llsThreshold;
  const result: HyResult = {
    status: "ok",
    tauStarNs,
    tauStarS: tauStarNs / 1e9,
    rhoStar,
    lls,
    nLeader,
    nLagger,
    passes,
  };
  if (!withCurve) return result;
  const rhoByLag = new Float64Array(count);
  for (let k = 0; k < count; k++) rhoByLag[k] = hy[k] / norm;
  return { ...result, rhoByLag };
}

/** Tie-break of §2.5: smaller |lag|, then the positive one. */
function prefersLag(candidate: number, incumbent: number): boolean {
  const a = Math.abs(candidate);
  const b = Math.abs(incumbent);
  return a < b || (a === b && candidate > incumbent);
}
