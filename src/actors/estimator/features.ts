/**
 * Feature series the estimator can consume. The core only sees (time, value) and differences values, so price
 * features are fed as log prices and level features (OFI, imbalance) as the level itself (signal-math §1.2, §2).
 */

/** Log trade price. */
export function tradeFeature(price: number): number {
  return Math.log(price);
}

/** Log mid-quote. */
export function midFeature(bestBid: number, bestAsk: number): number {
  return Math.log((bestBid + bestAsk) / 2);
}

/** Top-of-book size imbalance in [−1, 1]; 0 for an empty book. */
export function imbalanceFeature(bidSize: number, askSize: number): number {
  const total = bidSize + askSize;
  return total > 0 ? (bidSize - askSize) / total : 0;
}

/**
 * Cumulative order-flow imbalance (Cont, Kukanov and Stoikov) at the top of the book. OFI is a flow, so the
 * estimator gets its running sum as the level: HY increments of that level are then the OFI over each interval.
 */
export class OfiLevel {
  private level = 0;
  private bid = NaN;
  private bidSize = 0;
  private ask = NaN;
  private askSize = 0;

  /** Applies one top-of-book update and returns the new cumulative OFI level. */
  update(bestBid: number, bidSize: number, bestAsk: number, askSize: number): number {
    if (!Number.isNaN(this.bid)) {
      const bidFlow = (bestBid >= this.bid ? bidSize : 0) - (bestBid <= this.bid ? this.bidSize : 0);
      const askFlow = (bestAsk <= this.ask ? askSize : 0) - (bestAsk >= this.ask ? this.askSize : 0);
      this.level += bidFlow - askFlow;
    }
    this.bid = bestBid;
    this.bidSize = bidSize;
    this.ask = bestAsk;
    this.askSize = askSize;
    return this.level;
  }
}
