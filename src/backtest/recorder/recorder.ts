/**
 * The recorder core: a feed core whose output goes to a sink as rows, trades as received and books as
 * rebuilt top-N, one row per applied book message (its seq), with both times (rows.ts). A delta-stream
 * book that turns invalid (a seq gap, an overflow) gets one `invalid` row and none until it is valid
 * again, so a replay invalidates it at the same point. Exchange and symbol are written as on the wire.
 */
import { FeedCore, type FeedDrop, type FeedStats, type MarketstreamBookMessage } from "../../actors/feed/core.js";
import type { InstrumentRegistry } from "../../model/instruments.js";
import type { Book, Trade } from "../../protocol/market-data.js";
import type { Nanos } from "../../model/time.js";
import type { MarketstreamTrade } from "../../protocol/wire/marketstream.js";
import type { BookKind, RecordSink } from "./rows.js";

const NO_LEVELS = { bidPx: [], bidSz: [], askPx: [], askSz: [] } as const;

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
      recvNs: t.recvNs,
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
    const kind: BookKind = "bids" in wire ? "snapshot" : b.valid ? "checkpoint" : "invalid";
    // A snapshot replaces the whole book whatever came before: an invalid one (an overflow) needs no row.
    if (kind === "snapshot" && !b.valid) return;
    this.books++;
    const levels = kind === "invalid" ? NO_LEVELS : b;
    this.sink.book({
      tsNs: b.tsNs,
      recvNs: b.recvNs,
      exchange: wire.exchange,
      symbol: wire.symbol,
      seq: b.seq,
      kind,
      bidPx: levels.bidPx,
      bidSz: levels.bidSz,
      askPx: levels.askPx,
      askSz: levels.askSz,
    });
  }
}
