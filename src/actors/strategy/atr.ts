import { secondsToNs } from "../../model/time.js";
/** ATR settings: `atr_bar_seconds`, `atr_period` and the bracket keys of the strategy config (camelCase). */
export interface AtrParams {
  readonly atrBarSeconds: number;
  readonly atrPeriod: number;
}

export const DEFAULT_ATR_PARAMS: AtrParams = Object.freeze({ atrBarSeconds: 15, atrPeriod: 40 });

/**
 * Bars of a gap closed one at a time before the rest are closed in one step: 4096 bars are 17 h of 15 s
 * bars, past which even a period of 1000 has decayed the ATR to 1.7 % of itself.
 */
export const EXACTLY_STEPPED_BARS = 4096n;

export interface AtrReading {
  /** At least `atr_period` closed bars. */
  readonly ready: boolean;
  /** Wilder ATR in price units; NaN until ready. */
  readonly atr: number;
  readonly closedBars: number;
}

/**
 * Wilder's ATR on epoch-aligned mid bars (signal-math §4). Only closed bars count: bar k closes at (k+1)·B,
 * either when a later update arrives or when `readingAt` is asked about a time at or past its end.
 * Reading times must not go backwards; an update stamped in a bar that has already closed is dropped.
 */
export class WilderAtr {
  dropped = 0;
  private readonly barNs: bigint;
  private readonly period: number;
  private barEndNs: bigint | undefined;
  private lastTsNs: bigint | undefined;
  private barHasUpdate = false;
  private high = NaN;
  private low = NaN;
  private close = NaN;
  private previousClose = NaN;
  private closedBars = 0;
  private seedSum = 0;
  private atr = NaN;

  constructor(params: AtrParams = DEFAULT_ATR_PARAMS) {
    this.barNs = secondsToNs(params.atrBarSeconds);
    if (this.barNs <= 0n || !(params.atrPeriod >= 1))
      throw new RangeError("atr_bar_seconds and atr_period must be positive");
    this.period = params.atrPeriod;
  }

  /** A mid update in arrival order; false when dropped as out of order or late for its bar. */
  onMid(tsNs: bigint, mid: number): boolean {
    if (this.lastTsNs !== undefined && tsNs < this.lastTsNs) {
      this.dropped++;
      return false;
    }
    if (this.barEndNs === undefined) {
      // Epoch-aligned: the bar of ts is floor(ts / B); the first, partial bar is kept.
      this.barEndNs = (floorDiv(tsNs, this.barNs) + 1n) * this.barNs;
    } else {
      this.closeBarsEndingBy(tsNs);
      if (tsNs < this.barEndNs - this.barNs) {
        this.dropped++;
        return false;
      }
    }
    this.lastTsNs = tsNs;
    if (this.barHasUpdate) {
      if (mid > this.high) this.high = mid;
      if (mid < this.low) this.low = mid;
    } else {
      this.high = mid;
      this.low = mid;
      this.barHasUpdate = true;
    }
    this.close = mid;
    return true;
  }

  /** The ATR available at time T: bars with (k+1)·B ≤ T only. */
  readingAt(tNs: bigint): AtrReading {
    this.closeBarsEndingBy(tNs);
    return { ready: this.closedBars >= this.period, atr: this.atr, closedBars: this.closedBars };
  }

  /** Forget everything, e.g. after the feed reports stale data: better not-ready than smoothed through a gap. */
  reset(): void {
    this.barEndNs = undefined;
    this.lastTsNs = undefined;
    this.barHasUpdate = false;
    this.previousClose = NaN;
    this.closedBars = 0;
    this.seedSum = 0;
    this.atr = NaN;
  }

  /**
   * Closes every bar that ends at or before tNs. After the open bar, a run of bars without updates is
   * flat at the last close: true range 0, so the seed sum stays and the ATR decays by (N−1)/N per bar.
   * The first `EXACTLY_STEPPED_BARS` of a run are closed one by one (results identical to stepping
   * throughout); the rest in one step, so a far-future timestamp costs the same as a short gap.
   */
  private closeBarsEndingBy(tNs: bigint): void {
    if (this.barEndNs === undefined || this.barEndNs > tNs) return;
    const bars = (tNs - this.barEndNs) / this.barNs + 1n;
    this.barEndNs += bars * this.barNs;
    const stepped = bars < EXACTLY_STEPPED_BARS ? Number(bars) : Number(EXACTLY_STEPPED_BARS);
    for (let i = 0; i < stepped; i++) this.closeBar();
    if (bars > EXACTLY_STEPPED_BARS) this.closeFlatBars(Number(bars - EXACTLY_STEPPED_BARS));
  }

  /** `count` more bars with no update after at least one such bar (high = low = close = previous close). */
  private closeFlatBars(count: number): void {
    const seeding = Math.min(count, Math.max(0, this.period - 1 - this.closedBars));
    this.closedBars += seeding;
    let left = count - seeding;
    if (left > 0 && this.closedBars === this.period - 1) {
      this.closedBars++;
      this.atr = this.seedSum / this.period;
      left--;
    }
    this.closedBars += left;
    this.atr *= ((this.period - 1) / this.period) ** left;
  }

  private closeBar(): void {
    if (!this.barHasUpdate) {
      // No update: flat at the previous close; true range still sees any jump across the gap later.
      this.high = this.previousClose;
      this.low = this.previousClose;
      this.close = this.previousClose;
    }
    const trueRange = Number.isNaN(this.previousClose)
      ? this.high - this.low
      : Math.max(this.high, this.previousClose) - Math.min(this.low, this.previousClose);
    this.closedBars++;
    if (this.closedBars < this.period) this.seedSum += trueRange;
    else if (this.closedBars === this.period) this.atr = (this.seedSum + trueRange) / this.period;
    else this.atr = ((this.period - 1) * this.atr + trueRange) / this.period;
    this.previousClose = this.close;
    this.barHasUpdate = false;
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

/** `clamp(mult · ATR / price · 1e4, floor, cap)`: one bracket distance in bps. */
export function atrBracketBps(
  multiplier: number,
  atr: number,
  price: number,
  floorBps: number,
  capBps: number,
): number {
  return Math.min(capBps, Math.max(floorBps, ((multiplier * atr) / price) * 1e4));
}

export interface BracketParams {
  readonly atrSlMult: number;
  readonly atrTpMult: number;
  readonly atrFloorBps: number;
  readonly atrCapBps: number;
}

export const DEFAULT_BRACKET_PARAMS: BracketParams = Object.freeze({
  atrSlMult: 6,
  atrTpMult: 8,
  atrFloorBps: 10,
  atrCapBps: 120,
});

export function atrBrackets(
  atr: number,
  price: number,
  params: BracketParams = DEFAULT_BRACKET_PARAMS,
): { slBps: number; tpBps: number } {
  return {
    slBps: atrBracketBps(params.atrSlMult, atr, price, params.atrFloorBps, params.atrCapBps),
    tpBps: atrBracketBps(params.atrTpMult, atr, price, params.atrFloorBps, params.atrCapBps),
  };
}
