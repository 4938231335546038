/**
 * A price-level book for one instrument: best-first sorted levels in preallocated typed arrays (bids
 * descending, asks ascending). Marketstream sends at most 10 levels a side, so a linear scan and a
 * shift beat any tree, and nothing is allocated per update.
 */
export const BID = 0;
export const ASK = 1;
export type BookSide = typeof BID | typeof ASK;

/** Room for 10 levels plus the transient extra ones while a delta adds before it removes. */
export const DEFAULT_BOOK_CAPACITY = 32;

export class OrderBook {
  readonly bidPx: Float64Array;
  readonly bidSz: Float64Array;
  readonly askPx: Float64Array;
  readonly askSz: Float64Array;
  bidCount = 0;
  askCount = 0;

  constructor(readonly capacity = DEFAULT_BOOK_CAPACITY) {
    this.bidPx = new Float64Array(capacity);
    this.bidSz = new Float64Array(capacity);
    this.askPx = new Float64Array(capacity);
    this.askSz = new Float64Array(capacity);
  }

  clear(): void {
    this.bidCount = 0;
    this.askCount = 0;
  }

  /**
   * Sets the absolute size at `price`; 0 removes the level. Returns false when a new level does not fit
   * (only a misbehaving publisher sends that many); the book is then unchanged.
   */
  setLevel(side: BookSide, price: number, size: number): boolean {
    const px = side === BID ? this.bidPx : this.askPx;
    const sz = side === BID ? this.bidSz : this.askSz;
    const count = side === BID ? this.bidCount : this.askCount;
    let i = 0;
    if (side === BID) while (i < count && px[i] > price) i++;
    else while (i < count && px[i] < price) i++;
    if (i < count && px[i] === price) {
      if (size > 0) {
        sz[i] = size;
        return true;
      }
      px.copyWithin(i, i + 1, count);
      sz.copyWithin(i, i + 1, count);
      this.setCount(side, count - 1);
      return true;
    }
    if (size <= 0) return true;
    if (count === this.capacity) return false;
    px.copyWithin(i + 1, i, count);
    sz.copyWithin(i + 1, i, count);
    px[i] = price;
    sz[i] = size;
    this.setCount(side, count + 1);
    return true;
  }

  /** Replaces one side with the given levels (any order; zero sizes skipped). False if they do not fit. */
  replaceSide(side: BookSide, prices: ArrayLike<number>, sizes: ArrayLike<number>): boolean {
    if (this.copySortedSide(side, prices, sizes)) return true;
    this.clearSide(side);
    for (let i = 0; i < prices.length; i++) {
      if (!this.setLevel(side, prices[i], sizes[i])) return false;
    }
    return true;
  }

  /** True when the side holds exactly these best-first levels (zero sizes ignored, as the book never holds them). */
  sideEquals(side: BookSide, prices: ArrayLike<number>, sizes: ArrayLike<number>): boolean {
    const px = side === BID ? this.bidPx : this.askPx;
    const sz = side === BID ? this.bidSz : this.askSz;
    const count = side === BID ? this.bidCount : this.askCount;
    let j = 0;
    for (let i = 0; i < prices.length; i++) {
      if (sizes[i] <= 0) continue;
      if (j >= count || px[j] !== prices[i] || sz[j] !== sizes[i]) return false;
      j++;
    }
    return j === count;
  }

  /**
   * The usual snapshot or checkpoint: levels already best-first, distinct, all sizes positive, and room for them. Then
   * inserting them one by one would build exactly this copy; anything else returns false and is left to that.
   */
  private copySortedSide(side: BookSide, prices: ArrayLike<number>, sizes: ArrayLike<number>): boolean {
    const n = prices.length;
    if (n > this.capacity || sizes.length !== n) return false;
    for (let i = 0; i < n; i++) {
      if (!(sizes[i] > 0)) return false;
      if (i > 0 && !(side === BID ? prices[i] < prices[i - 1] : prices[i] > prices[i - 1])) return false;
    }
    const px = side === BID ? this.bidPx : this.askPx;
    const sz = side === BID ? this.bidSz : this.askSz;
    for (let i = 0; i < n; i++) {
      px[i] = prices[i];
      sz[i] = sizes[i];
    }
    this.setCount(side, n);
    return true;
  }

  clearSide(side: BookSide): void {
    this.setCount(side, 0);
  }

  private setCount(side: BookSide, count: number): void {
    if (side === BID) this.bidCount = count;
    else this.askCount = count;
  }
}
