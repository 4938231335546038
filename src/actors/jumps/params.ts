/** Jump detection settings: `jump_detection_config.*` plus the leadlag-only keys of signal-math §3 (camelCase). */
export interface JumpParams {
  /** `window_K`: event-time window; the test uses the K − 1 previous non-zero returns. */
  readonly windowK: number;
  readonly alpha: number;
  /** `co_jump_threshold`: other symbols jumping within the window that make a jump systematic. */
  readonly coJumpThreshold: number;
  /** `co_jump_window_s`: backward window of the co-jump filter (§3.5). */
  readonly coJumpWindowS: number;
  /** Lee–Mykland normalising count n (§3.3); defaults to `windowK`. */
  readonly normalisingCount?: number;
}

export const DEFAULT_JUMP_PARAMS: JumpParams = Object.freeze({
  windowK: 50,
  alpha: 1e-4,
  coJumpThreshold: 3,
  coJumpWindowS: 1.0,
});

/** sqrt(2/π): the mean of |Z| for a standard normal, which bipower variation carries squared (§3.3). */
export const LM_C = Math.sqrt(2 / Math.PI);

export interface LeeMyklandConstants {
  readonly cN: number;
  readonly sN: number;
  readonly betaStar: number;
  /** |L| above which a return is a jump: C_n + S_n · beta*. */
  readonly criticalL: number;
}

export function leeMyklandConstants(n: number, alpha: number): LeeMyklandConstants {
  if (!(n >= 3)) throw new RangeError(`Lee-Mykland n must be >= 3, got ${n}`);
  const root = Math.sqrt(2 * Math.log(n));
  const cN = root / LM_C - (Math.log(Math.PI) + Math.log(Math.log(n))) / (2 * LM_C * root);
  const sN = 1 / (LM_C * root);
  const betaStar = -Math.log(-Math.log(1 - alpha));
  return { cN, sN, betaStar, criticalL: cN + sN * betaStar };
}
