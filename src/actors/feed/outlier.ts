/**
 * The N-sigma outlier filter on one instrument's trade prices (data quality, issue 16 item 6). A trade
 * is an outlier when its log price lies further from the mean log price of the last `window` accepted
 * trades than both `sigma` standard deviations of them and `minBandBps`: the floor keeps a quiet market
 * (σ near 0) from rejecting the jumps the strategy trades on. Pure and O(1) per trade.
 *
 * A rejected price never enters the window, so a real move past the band would otherwise be refused for
 * ever: `CONFIRM_TRADES` rejections in a row are taken as the market's new level, and the window starts
 * again from that trade (accepted). A stray print is one trade; a new level keeps trading.
 */

export interface OutlierFilterOptions {
  /** Standard deviations allowed; 0 turns the filter off. */
  readonly sigma: number;
  /** Accepted trades the mean and σ are taken over. */
  readonly window: number;
  /** The band is never narrower than this, in bps of the mean price. */
  readonly minBandBps: number;
}

/** Accepted trades needed before the filter judges any (σ of fewer means little). */
export const MIN_SAMPLES = 10;
/** Consecutive rejections that make the rejected level the market's. */
export const CONFIRM_TRADES = 3;

export type OutlierVerdict =
  | { readonly outlier: false }
  | { readonly outlier: true; readonly meanPrice: number; readonly bandBps: number };

const ACCEPTED: OutlierVerdict = { outlier: false };

export class TradeOutlierFilter {
  /** Log prices relative to `anchor` (small numbers: the sums keep their precision). */
  private readonly values: Float64Array;
  private anchor = 0;
  private count = 0;
  private next = 0;
  private sum = 0;
  private sumSq = 0;
  private rejectedInARow = 0;

  constructor(private readonly options: OutlierFilterOptions) {
    this.values = new Float64Array(Math.max(1, options.window));
  }

  /** Judges one trade price (> 0); an accepted price joins the window. */
  check(price: number): OutlierVerdict {
    const x = Math.log(price);
    if (this.count === 0) this.anchor = x;
    const v = x - this.anchor;
    if (this.options.sigma > 0 && this.count >= Math.min(MIN_SAMPLES, this.values.length)) {
      const mean = this.sum / this.count;
      const band = this.bandLog(mean);
      if (Math.abs(v - mean) > band) {
        if (++this.rejectedInARow < CONFIRM_TRADES)
          return { outlier: true, meanPrice: Math.exp(this.anchor + mean), bandBps: band * 1e4 };
        this.restartAt(x);
        return ACCEPTED;
      }
    }
    this.rejectedInARow = 0;
    this.push(v);
    return ACCEPTED;
  }

  /** Half-width of the band in log price around `mean` (relative to the anchor): max(σ·k, floor). */
  private bandLog(mean: number): number {
    const variance = Math.max(0, this.sumSq / this.count - mean * mean);
    return Math.max(this.options.sigma * Math.sqrt(variance), this.options.minBandBps / 1e4);
  }

  private push(v: number): void {
    const n = this.values.length;
    if (this.count === n) {
      const old = this.values[this.next];
      this.sum -= old;
      this.sumSq -= old * old;
    } else this.count++;
    this.values[this.next] = v;
    this.sum += v;
    this.sumSq += v * v;
    this.next = (this.next + 1) % n;
    // Once per lap the sums are taken afresh, so rounding from the running updates cannot build up.
    if (this.next === 0) this.resum();
  }

  private resum(): void {
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < this.count; i++) {
      sum += this.values[i];
      sumSq += this.values[i] * this.values[i];
    }
    this.sum = sum;
    this.sumSq = sumSq;
  }

  private restartAt(x: number): void {
    this.count = 0;
    this.next = 0;
    this.sum = 0;
    this.sumSq = 0;
    this.rejectedInARow = 0;
    this.anchor = x;
    this.push(0);
  }
}
