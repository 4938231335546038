/**
 * The last `inference_lookback_seconds` of trades and books per instrument, by source time, so a
 * restarted subscriber (an estimator shard) can be warmed up at once instead of waiting a lookback.
 */
import type { Book, Trade } from "../../protocol/market-data.js";
import type { Nanos } from "../../model/time.js";
import type { InstrumentId } from "../../model/instruments.js";

export interface MarketDataSink {
  trade(trade: Trade): void;
  book(book: Book): void;
}

class InstrumentHistory {
  items: (Trade | Book)[] = [];
  head = 0;

  push(message: Trade | Book, horizonNs: Nanos): void {
    this.items.push(message);
    // Evict every 64 pushes: the cutoff is a bigint subtraction (an allocation) not worth paying per message.
    if ((this.items.length & 63) !== 0) return;
    const cutoff = message.tsNs - horizonNs;
    while (this.head < this.items.length && this.items[this.head].tsNs < cutoff) this.head++;
    // Compact once the dead prefix outweighs the live part: amortised O(1) per push, no per-push shift.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  get length(): number {
    return this.items.length - this.head;
  }
}

export class TickHistory {
  private readonly perInstrument: InstrumentHistory[] = [];

  constructor(readonly lookbackNs: Nanos) {}

  push(instrument: InstrumentId, message: Trade | Book): void {
    (this.perInstrument[instrument] ??= new InstrumentHistory()).push(message, this.lookbackNs);
  }

  count(instrument: InstrumentId): number {
    return this.perInstrument[instrument]?.length ?? 0;
  }

  /**
   * Sends the kept messages of the given instruments (all when omitted) to `sink` in source-time order
   * (ties keep arrival order) and returns how many were sent.
   */
  replay(sink: MarketDataSink, instruments?: readonly InstrumentId[]): number {
    const ids = instruments ?? this.perInstrument.map((_, id) => id);
    const merged: (Trade | Book)[] = [];
    for (const id of ids) {
      const h = this.perInstrument[id];
      if (!h || h.length === 0) continue;
      const cutoff = h.items[h.items.length - 1].tsNs - this.lookbackNs;
      for (let i = h.head; i < h.items.length; i++) if (h.items[i].tsNs >= cutoff) merged.push(h.items[i]);
    }
    merged.sort((a, b) => (a.tsNs < b.tsNs ? -1 : a.tsNs > b.tsNs ? 1 : 0));
    for (const message of merged) {
      if (message.type === "Trade") sink.trade(message);
      else sink.book(message);
    }
    return merged.length;
  }
}
