import type { Book, Trade } from "../../protocol/market-data.js";
import { WilderAtr, type AtrReading } from "./atr.js";
import { DecayedVolatility } from "./volatility.js";

/** The latest top of book of one symbol, as the strategy saw it. */
export interface TopOfBook {
  readonly valid: boolean;
  readonly bestBid: number;
  readonly bestAsk: number;
  readonly mid: number;
  readonly tsNs: bigint;
  readonly recvNs: bigint;
}

/**
 * What the strategy knows of each configured symbol: its top of book (marks, SL/TP, entry prices), its ATR on
 * mid bars (brackets) and its volatility from trade prints (the stream the jump sizes are measured on).
 */
export class MarketView {
  private readonly books = new Map<number, TopOfBook>();
  private readonly atrs = new Map<number, WilderAtr>();
  private readonly vols = new Map<number, DecayedVolatility>();

  constructor(
    instruments: readonly number[],
    atrBarSeconds: number,
    atrPeriod: number,
    volatilityTimeConstantS: number,
  ) {
    for (const id of instruments) {
      this.atrs.set(id, new WilderAtr({ atrBarSeconds, atrPeriod }));
      this.vols.set(id, new DecayedVolatility(volatilityTimeConstantS));
    }
  }

  /** Keeps the book (valid or not: an invalid one must stop entries) and feeds valid mids to the ATR. */
  onBook(book: Book): TopOfBook | null {
    const atr = this.atrs.get(book.instrument);
    if (atr === undefined) return null;
    const hasTouch = book.bidPx.length > 0 && book.askPx.length > 0;
    const top: TopOfBook = {
      valid: book.valid && hasTouch && book.mid > 0,
      bestBid: hasTouch ? book.bidPx[0] : NaN,
      bestAsk: hasTouch ? book.askPx[0] : NaN,
      mid: book.mid,
      tsNs: book.tsNs,
      recvNs: book.recvNs,
    };
    this.books.set(book.instrument, top);
    if (top.valid) atr.onMid(book.tsNs, book.mid);
    return top;
  }

  onTrade(trade: Trade): void {
    this.vols.get(trade.instrument)?.onPrice(trade.tsNs, trade.price);
  }

  book(instrument: number): TopOfBook | undefined {
    return this.books.get(instrument);
  }

  /** ATR as of the symbol's latest book (closed bars only); not ready without books. */
  atr(instrument: number): AtrReading {
    const book = this.books.get(instrument);
    const atr = this.atrs.get(instrument);
    if (book === undefined || atr === undefined) return { ready: false, atr: NaN, closedBars: 0 };
    return atr.readingAt(book.tsNs);
  }

  volatility(instrument: number): DecayedVolatility | undefined {
    return this.vols.get(instrument);
  }
}
