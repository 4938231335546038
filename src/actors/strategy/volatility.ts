import { nsToSeconds } from "../../model/time.js";
/**
 * Per-symbol volatility from price updates, for the no-baseline expected move (docs/strategy.md): variance per
 * second as time-decayed Σ r² over time-decayed Σ Δt, so irregular tick spacing needs no resampling.
 * Units are bps per √s; only ratios between symbols are used.
 */
export class DecayedVolatility {
  private squares = 0;
  private elapsedS = 0;
  private lastNs: bigint | undefined;
  private lastLogPrice = NaN;

  /** @param timeConstantS e-folding time of the decay (the HY lookback: the same memory as the lead-lag evidence). */
  constructor(private readonly timeConstantS: number) {}

  onPrice(tsNs: bigint, price: number): void {
    if (!(price > 0)) return;
    const logPrice = Math.log(price);
    if (this.lastNs !== undefined && tsNs > this.lastNs) {
      const dtS = nsToSeconds(tsNs - this.lastNs);
      const decay = Math.exp(-dtS / this.timeConstantS);
      const r = logPrice - this.lastLogPrice;
      this.squares = this.squares * decay + r * r;
      this.elapsedS = this.elapsedS * decay + dtS;
    }
    if (this.lastNs === undefined || tsNs >= this.lastNs) {
      this.lastNs = tsNs;
      this.lastLogPrice = logPrice;
    }
  }

  /** bps per √s; NaN before two updates or on a flat series. */
  get bpsPerSqrtS(): number {
    return this.elapsedS > 0 && this.squares > 0 ? 1e4 * Math.sqrt(this.squares / this.elapsedS) : NaN;
  }
}

/** lagger vol / leader vol, or 1 (no scaling) while either is unknown. */
export function volatilityRatio(lagger: DecayedVolatility | undefined, leader: DecayedVolatility | undefined): number {
  const ratio = (lagger?.bpsPerSqrtS ?? NaN) / (leader?.bpsPerSqrtS ?? NaN);
  return Number.isFinite(ratio) && ratio > 0 ? ratio : 1;
}
