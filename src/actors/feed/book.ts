/**
 * Book rebuild for one (exchange, symbol) stream (wire doc §1.7-1.10). Snapshot mode: each snapshot
 * replaces the book. Delta mode: a checkpoint replaces the book and makes it valid; a delta with the
 * next seq applies (`sz 0` removes); a seq gap invalidates the book until the next checkpoint; a seq
 * at or below the last one applied is stale. Features get one sample per applied change; a checkpoint
 * that repeats the current state (marketstream sends one right after the delta that produced it) adds
 * none, so the rolling windows see the same updates as in snapshot mode.
 */
import type { WireLevel } from "../../protocol/wire/marketstream.js";
import { BookFeatures } from "./book-features.js";
import { ASK, BID, type BookSide, OrderBook, DEFAULT_BOOK_CAPACITY } from "./order-book.js";

export { ASK, BID, type BookSide, OrderBook } from "./order-book.js";
export { BookFeatures, FEATURE_DEPTH_LEVELS, ROLLING_WINDOW } from "./book-features.js";

/**
 * - `applied`: the book changed (features updated);
 * - `unchanged`: a checkpoint confirmed the current state;
 * - `gap`: this delta revealed missing seqs, the book is now invalid (emit that once);
 * - `awaiting_checkpoint`: the book is invalid and this delta was skipped;
 * - `stale`: seq not above the last applied one; nothing changed;
 * - `overflow`: more levels than the book holds; the book is now invalid.
 */
export type BookApplied = "applied" | "unchanged" | "gap" | "awaiting_checkpoint" | "stale" | "overflow";

export class BookRebuilder {
  readonly book: OrderBook;
  readonly features = new BookFeatures();
  /** False until the first checkpoint/snapshot and after a gap: no trading decisions on it. */
  valid = false;
  lastSeq = 0;

  constructor(capacity = DEFAULT_BOOK_CAPACITY) {
    this.book = new OrderBook(capacity);
  }

  checkpoint(
    seq: number,
    bidPx: ArrayLike<number>,
    bidSz: ArrayLike<number>,
    askPx: ArrayLike<number>,
    askSz: ArrayLike<number>,
  ): BookApplied {
    if (seq <= this.lastSeq) return "stale";
    this.lastSeq = seq;
    if (this.valid && this.book.sideEquals(BID, bidPx, bidSz) && this.book.sideEquals(ASK, askPx, askSz))
      return "unchanged";
    if (!this.book.replaceSide(BID, bidPx, bidSz) || !this.book.replaceSide(ASK, askPx, askSz))
      return this.overflowed();
    this.valid = true;
    this.features.update(this.book);
    return "applied";
  }

  delta(seq: number, side: ArrayLike<number>, px: ArrayLike<number>, sz: ArrayLike<number>): BookApplied {
    if (seq <= this.lastSeq) return "stale";
    const contiguous = seq === this.lastSeq + 1;
    this.lastSeq = seq;
    if (!this.valid) return "awaiting_checkpoint";
    if (!contiguous) {
      this.valid = false;
      return "gap";
    }
    for (let i = 0; i < px.length; i++) {
      if (!this.book.setLevel(side[i] === BID ? BID : ASK, px[i], sz[i])) return this.overflowed();
    }
    this.features.update(this.book);
    return "applied";
  }

  snapshot(seq: number, bids: readonly WireLevel[], asks: readonly WireLevel[]): BookApplied {
    if (seq <= this.lastSeq) return "stale";
    this.lastSeq = seq;
    if (!this.replaceFromLevels(BID, bids) || !this.replaceFromLevels(ASK, asks)) return this.overflowed();
    this.valid = true;
    this.features.update(this.book);
    return "applied";
  }

  /** The publisher restarted (its seq counters start again at 1): forget the seq and wait for a checkpoint. */
  reset(): void {
    this.lastSeq = 0;
    this.valid = false;
  }

  private replaceFromLevels(side: BookSide, levels: readonly WireLevel[]): boolean {
    this.book.clearSide(side);
    for (const [price, size] of levels) if (!this.book.setLevel(side, price, size)) return false;
    return true;
  }

  private overflowed(): BookApplied {
    this.valid = false;
    return "overflow";
  }
}
