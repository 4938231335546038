/** Expected-move settings: `expmove_*` keys of the strategy config (camelCase). */
export interface RlsParams {
  readonly expmoveLambda: number;
  readonly expmoveRidge: number;
  readonly expmoveMinSamples: number;
}

export const DEFAULT_RLS_PARAMS: RlsParams = Object.freeze({
  expmoveLambda: 0.99,
  expmoveRidge: 0.001,
  expmoveMinSamples: 100,
});

const D = 4;

/** x = [1, j, a, j·a] with j the leader jump in bps (signed) and a = |rho*| (signal-math §5.1). */
export function expectedMoveFeatures(
  jumpBps: number,
  absRho: number,
  out: Float64Array = new Float64Array(D),
): Float64Array {
  out[0] = 1;
  out[1] = jumpBps;
  out[2] = absRho;
  out[3] = jumpBps * absRho;
  return out;
}

/**
 * Recursive least squares with exponential forgetting and ridge initialisation (signal-math §5.2): after n updates
 * w is the exponentially weighted ridge regression of the labels on the features.
 * Causality is the caller's job: update only when a label is realised.
 */
export class RlsExpectedMove {
  /** Weights and the row-major 4×4 matrix P. */
  readonly weights = new Float64Array(D);
  readonly covariance = new Float64Array(D * D);
  private readonly x = new Float64Array(D);
  private readonly gain = new Float64Array(D);
  private updates = 0;
  private breakdowns = 0;

  constructor(readonly params: RlsParams = DEFAULT_RLS_PARAMS) {
    this.resetCovariance();
  }

  get samples(): number {
    return this.updates;
  }

  /** Updates skipped because the recursion broke down numerically (P was reset to P_0). */
  get resets(): number {
    return this.breakdowns;
  }

  get ready(): boolean {
    return this.updates >= this.params.expmoveMinSamples;
  }

  /** Expected lagger move in bps (signed); meaningful once `ready`. */
  predict(jumpBps: number, absRho: number): number {
    const x = expectedMoveFeatures(jumpBps, absRho, this.x);
    let sum = 0;
    for (let i = 0; i < D; i++) sum += this.weights[i] * x[i];
    return sum;
  }

  /** One realised (features, label); false when skipped after a numerical breakdown. */
  update(jumpBps: number, absRho: number, labelBps: number): boolean {
    const lambda = this.params.expmoveLambda;
    const x = expectedMoveFeatures(jumpBps, absRho, this.x);
    const p = this.covariance;
    const pi = this.gain;
    let g = lambda;
    for (let r = 0; r < D; r++) {
      let sum = 0;
      for (let c = 0; c < D; c++) sum += p[r * D + c] * x[c];
      pi[r] = sum;
      g += x[r] * sum;
    }
    if (!Number.isFinite(g) || g <= 0) {
      this.breakdowns++;
      this.resetCovariance();
      return false;
    }
    const error = labelBps - this.predict(jumpBps, absRho);
    for (let r = 0; r < D; r++) this.weights[r] += (pi[r] / g) * error;
    // P ← (P − k πᵀ)/λ with k = π/g, then symmetrised against rounding.
    for (let r = 0; r < D; r++)
      for (let c = 0; c < D; c++) p[r * D + c] = (p[r * D + c] - (pi[r] / g) * pi[c]) / lambda;
    for (let r = 0; r < D; r++) {
      for (let c = r + 1; c < D; c++) {
        const mean = (p[r * D + c] + p[c * D + r]) / 2;
        p[r * D + c] = mean;
        p[c * D + r] = mean;
      }
    }
    this.updates++;
    return true;
  }

  private resetCovariance(): void {
    this.covariance.fill(0);
    for (let i = 0; i < D; i++) this.covariance[i * D + i] = 1 / this.params.expmoveRidge;
  }
}

export interface ExpectedMoveBlend {
  /** `expmove_cap_bps`: bound on |expected move|. */
  readonly capBps: number;
  /** `expmove_blend_k`: weight of the RLS prediction when an artifact baseline also exists. */
  readonly blendK: number;
}

/**
 * The strategy's expected move in bps (signed), or null when neither source exists.
 * Both inputs are capped to ±cap first, so a wild RLS prediction cannot dominate the blend and the result
 * (a convex combination) stays within the cap; with both present: k·rls + (1 − k)·baseline; with one, that one.
 */
export function blendExpectedMove(
  rlsBps: number | null,
  baselineBps: number | null,
  params: ExpectedMoveBlend,
): number | null {
  const cap = (v: number) => Math.min(params.capBps, Math.max(-params.capBps, v));
  if (rlsBps === null) return baselineBps === null ? null : cap(baselineBps);
  if (baselineBps === null) return cap(rlsBps);
  return params.blendK * cap(rlsBps) + (1 - params.blendK) * cap(baselineBps);
}
