/**
 * The equity-curve statistics of a report: drawdown, period returns and the ratios built on them. Pure
 * functions of plain numbers and times (docs/backtest.md "Report" gives each definition).
 */

/** Returns are taken over fixed one-minute periods: lead-lag round trips last seconds to minutes. */
export const RETURN_PERIOD_S = 60;
/** Crypto trades around the clock: 365 days of 1 440 one-minute periods. */
export const PERIODS_PER_YEAR = (365 * 24 * 3600) / RETURN_PERIOD_S;
const PERIOD_NS = BigInt(RETURN_PERIOD_S) * 1_000_000_000n;

export interface TimedValue {
  readonly tsNs: bigint;
  readonly equity: number;
}

export interface Drawdown {
  /** Largest fall from a running peak, quote units (≥ 0). */
  readonly maxDrawdown: number;
  /** Largest fall from a running peak as a percent of that peak (0 while the peak is not positive). */
  readonly maxDrawdownPercent: number;
}

/** Peak-to-trough over `curve`, in order. The two maxima may come from different troughs. */
export function drawdown(curve: readonly number[]): Drawdown {
  let peak = Number.NEGATIVE_INFINITY;
  let maxDrawdown = 0;
  let maxDrawdownPercent = 0;
  for (const value of curve) {
    if (value > peak) peak = value;
    const fall = peak - value;
    if (fall > maxDrawdown) maxDrawdown = fall;
    if (peak > 0 && (fall / peak) * 100 > maxDrawdownPercent) maxDrawdownPercent = (fall / peak) * 100;
  }
  return { maxDrawdown, maxDrawdownPercent };
}

/**
 * Equity at the end of each return period of the window `[startNs, endNs)`, preceded by `initialEquity`
 * at `startNs`: the last sample at or before each period's end (carried forward; `initialEquity` before
 * the first sample). The last period may be shorter than the others and closes at the final sample, so
 * the sum of the period changes is exactly the run's equity change. `samples` must be in time order.
 */
export function equityPerPeriod(
  samples: readonly TimedValue[],
  initialEquity: number,
  startNs: bigint,
  endNs: bigint,
): number[] {
  const curve = [initialEquity];
  if (endNs <= startNs) return curve;
  const periods = Number((endNs - startNs + PERIOD_NS - 1n) / PERIOD_NS);
  let next = 0;
  let current = initialEquity;
  for (let k = 1; k < periods; k++) {
    const periodEnd = startNs + BigInt(k) * PERIOD_NS;
    while (next < samples.length && samples[next].tsNs <= periodEnd) current = samples[next++].equity;
    curve.push(current);
  }
  curve.push(samples.length > 0 ? samples[samples.length - 1].equity : initialEquity);
  return curve;
}

/** Simple returns between consecutive values; a period that starts at a non-positive equity has none. */
export function periodReturns(curve: readonly number[]): number[] {
  const returns: number[] = [];
  for (let i = 1; i < curve.length; i++) {
    if (curve[i - 1] > 0) returns.push(curve[i] / curve[i - 1] - 1);
  }
  return returns;
}

/** null for a figure that is undefined or overflows (a zero or denormal equity as the denominator). */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

export interface RiskRatios {
  /** Mean period return × periods per year, percent (arithmetic, so a short run cannot overflow it). */
  readonly annualizedReturnPercent: number | null;
  /** Mean / sample standard deviation × √(periods per year); null when undefined (< 2 returns or no spread). */
  readonly sharpeRatio: number | null;
  /** Mean / downside deviation (target 0, over all periods) × √(periods per year); null when no downside. */
  readonly sortinoRatio: number | null;
  /** Annualised return % / max drawdown %; null without a drawdown. */
  readonly calmarRatio: number | null;
}

export function riskRatios(returns: readonly number[], maxDrawdownPercent: number): RiskRatios {
  const n = returns.length;
  const mean = n > 0 ? returns.reduce((sum, r) => sum + r, 0) / n : 0;
  const annualizedReturnPercent = finiteOrNull(mean * PERIODS_PER_YEAR * 100);
  const variance = n > 1 ? returns.reduce((sum, r) => sum + (r - mean) ** 2, 0) / (n - 1) : 0;
  const downside = n > 0 ? Math.sqrt(returns.reduce((sum, r) => sum + Math.min(r, 0) ** 2, 0) / n) : 0;
  const annualizer = Math.sqrt(PERIODS_PER_YEAR);
  return {
    annualizedReturnPercent,
    sharpeRatio: n > 1 && variance > 0 ? finiteOrNull((mean / Math.sqrt(variance)) * annualizer) : null,
    sortinoRatio: downside > 0 ? finiteOrNull((mean / downside) * annualizer) : null,
    calmarRatio:
      maxDrawdownPercent > 0 && annualizedReturnPercent !== null
        ? finiteOrNull(annualizedReturnPercent / maxDrawdownPercent)
        : null,
  };
}
