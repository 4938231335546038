/**
 * The recorder core: a feed core whose output goes to a sink as rows, trades as received and books as
 * rebuilt top-N, one row per applied book message (its seq), none while the book is invalid.
 * Exchange and symbol are written as on the wire.
 */
import { FeedCore, type FeedDrop, type FeedStats, type MarketstreamBookMessage } from "../../actors/feed/core.js";
import type { InstrumentRegistry } from "../../model/instruments.js";
import type { Book, Trade } from "../../protocol/market-data.js";
import type { Nanos } from "../../model/time.js";
import type { MarketstreamTrade } from "../../protocol/wire/marketstream.js";
import type { RecordSink } from "./rows.js";

export interface RecorderCounts {
  readonly trades: number;
  readonly books: number;
}

export class Recorder {
  private readonly feed: FeedCore;
  private trades = 0;
  private books = 0;

  /** @param maxClockSkewNs `market_data.max_clock_skew_ms`: what the feed would drop is not recorded either. */
  constructor(
    registry: InstrumentRegistry,
    levels: number,
    maxClockSkewNs: Nanos,
    private readonly sink: RecordSink,
  ) {
    this.feed = new FeedCore(
      // No warm-restart history and no staleness: the recorder only writes.
      { registry, lookbackNs: 0n, staleAfterNs: 0n, maxClockSkewNs, topLevels: levels },
      { trade: (t, wire) => this.onTrade(t, wire), book: (b, wire) => this.onBook(b, wire) },
    );
  }

  onFrame(topic: string, payload: Uint8Array | string, recvNs: Nanos): FeedDrop | undefined {
    return this.feed.onFrame(topic, payload, recvNs);
  }

  counts(): RecorderCounts {
    return { trades: this.trades, books: this.books };
  }

  feedStats(): FeedStats {
    return this.feed.stats();
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  private onTrade(t: Trade, wire: MarketstreamTrade): void {
    this.trades++;
    this.sink.trade({
      tsNs: t.tsNs,
      exchange: wire.exchange,
      symbol: wire.symbol,
      price: t.price,
      amount: t.amount,
      side: wire.side,
      tradeId: wire.trade_id,
      seq: t.seq,
    });
  }

  private onBook(b: Book, wire: MarketstreamBookMessage): void {
    if (!b.valid) return;
    this.books++;
    this.sink.book({
      tsNs: b.tsNs,
      exchange: wire.exchange,
      symbol: wire.symbol,
      seq: b.seq,
      bidPx: b.bidPx,
      bidSz: b.bidSz,
      askPx: b.askPx,
      askSz: b.askSz,
    });
  }
}
