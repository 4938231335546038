/**
 * Book features with marketstream's snapshot definitions (wire doc §1.7, `compute_book_features`):
 * mid, relative spread, L1 imbalance, notional depth over ≤10 levels, OFI as the mean of
 * (Δ best bid size − Δ best ask size) over the last ≤20 updates, and the population std-dev of the
 * last ≤20 mids. Results are fields, updated in place: nothing is allocated per update.
 */
import type { OrderBook } from "./order-book.js";

export const FEATURE_DEPTH_LEVELS = 10;
export const ROLLING_WINDOW = 20;

export class BookFeatures {
  mid = 0;
  /** (ask − bid) / mid; 0 when mid is 0 (marketstream would emit invalid JSON there). */
  relativeSpread = 0;
  imbalance = 0;
  bidDepth = 0;
  askDepth = 0;
  ofi = 0;
  midVolatility = 0;
  /** Samples in the rolling windows, 1…20 after the first update. */
  windowSize = 0;

  private readonly mids = new Float64Array(ROLLING_WINDOW);
  private readonly ofis = new Float64Array(ROLLING_WINDOW);
  private next = 0;
  private previousBidSize = 0;
  private previousAskSize = 0;

  /** Adds one sample for the book's current state. */
  update(book: OrderBook): void {
    const bestBid = book.bidCount > 0 ? book.bidPx[0] : 0;
    const bestBidSize = book.bidCount > 0 ? book.bidSz[0] : 0;
    const bestAsk = book.askCount > 0 ? book.askPx[0] : 0;
    const bestAskSize = book.askCount > 0 ? book.askSz[0] : 0;
    this.mid = (bestBid + bestAsk) / 2;
    this.relativeSpread = this.mid !== 0 ? (bestAsk - bestBid) / this.mid : 0;
    const l1 = bestBidSize + bestAskSize;
    this.imbalance = l1 !== 0 ? (bestBidSize - bestAskSize) / l1 : 0;
    this.bidDepth = notional(book.bidPx, book.bidSz, book.bidCount);
    this.askDepth = notional(book.askPx, book.askSz, book.askCount);

    this.mids[this.next] = this.mid;
    this.ofis[this.next] = bestBidSize - this.previousBidSize - (bestAskSize - this.previousAskSize);
    this.previousBidSize = bestBidSize;
    this.previousAskSize = bestAskSize;
    this.next = (this.next + 1) % ROLLING_WINDOW;
    if (this.windowSize < ROLLING_WINDOW) this.windowSize++;
    this.ofi = mean(this.ofis, this.windowSize);
    this.midVolatility = populationStd(this.mids, this.windowSize);
  }
}

function notional(px: Float64Array, sz: Float64Array, count: number): number {
  const n = Math.min(count, FEATURE_DEPTH_LEVELS);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += px[i] * sz[i];
  return sum;
}

/** The window's first `n` slots are exactly its samples (a ring fills from 0; order does not matter here). */
function mean(values: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  return sum / n;
}

function populationStd(values: Float64Array, n: number): number {
  if (n < 2) return 0;
  const m = mean(values, n);
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] - m) * (values[i] - m);
  return Math.sqrt(squares / n);
}
