import type { StrategyConfig } from "../../config/index.js";
import { secondsToNsNumber } from "../../model/time.js";

/** Lead-lag estimator settings, mirroring the strategy config keys (signal-math §2, camelCase). */
export interface HyParams {
  /** `inference_lookback_seconds`: window length W. */
  readonly inferenceLookbackSeconds: number;
  /** `hy_estimator_config.*`: lag grid and the closed exclusion zone for tau*. */
  readonly lagMinS: number;
  readonly lagMaxS: number;
  readonly lagStepS: number;
  readonly excludeLowS: number;
  readonly excludeHighS: number;
  /** Gates (§2.7), inclusive. */
  readonly correlationThreshold: number;
  readonly llsThreshold: number;
}

export const DEFAULT_HY_PARAMS: HyParams = Object.freeze({
  inferenceLookbackSeconds: 240,
  lagMinS: -12,
  lagMaxS: 12,
  lagStepS: 0.05,
  excludeLowS: -0.3,
  excludeHighS: 0.3,
  correlationThreshold: 0.4,
  llsThreshold: 1.0,
});

/** The estimator settings of a configured strategy. */
export function hyParamsOf(strategy: StrategyConfig): HyParams {
  const p = strategy.config;
  const hy = p.hy_estimator_config;
  return {
    inferenceLookbackSeconds: p.inference_lookback_seconds,
    lagMinS: hy.lag_min_s,
    lagMaxS: hy.lag_max_s,
    lagStepS: hy.lag_step_s,
    excludeLowS: hy.exclude_low_s,
    excludeHighS: hy.exclude_high_s,
    correlationThreshold: p.correlation_threshold,
    llsThreshold: p.lls_threshold,
  };
}

/** The lag grid in integer ns, ascending, with the exclusion flags of §2.5. */
export interface LagGrid {
  readonly lagsNs: Float64Array;
  /** 1 where the lag lies in [exclude_low, exclude_high] and can never be tau*. */
  readonly excluded: Uint8Array;
}

export function buildLagGrid(params: HyParams): LagGrid {
  const minNs = secondsToNsNumber(params.lagMinS);
  const stepNs = secondsToNsNumber(params.lagStepS);
  const maxNs = secondsToNsNumber(params.lagMaxS);
  if (!(stepNs > 0) || maxNs < minNs)
    throw new RangeError(`invalid lag grid ${params.lagMinS}..${params.lagMaxS} step ${params.lagStepS}`);
  const count = Math.floor((maxNs - minNs) / stepNs) + 1;
  const lowNs = secondsToNsNumber(params.excludeLowS);
  const highNs = secondsToNsNumber(params.excludeHighS);
  const lagsNs = new Float64Array(count);
  const excluded = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const lag = minNs + k * stepNs;
    lagsNs[k] = lag;
    excluded[k] = lag >= lowNs && lag <= highNs ? 1 : 0;
  }
  if (excluded.every((flag) => flag === 1)) throw new RangeError("the exclusion zone covers the whole lag grid");
  return { lagsNs, excluded };
}
