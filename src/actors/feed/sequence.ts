/**
 * Sequence checks for one marketstream counter (trades, book snapshots, or the shared delta+checkpoint
 * book_stream of one exchange/symbol; wire doc §1.10). ZeroMQ over TCP from one publisher never
 * reorders, so a seq that goes back is either a publisher restart (counters start again at 1, and the
 * receipt time moves forward) or a stale/duplicated message (receipt time does not move forward).
 */
import type { Nanos } from "../../protocol/time.js";

/**
 * - `first`: the first message seen (a late joiner starts anywhere, not a gap);
 * - `next` / `gap`: accepted; a gap means messages were lost (publisher HWM drops appear so);
 * - `restart`: seq went back with a newer receipt time: accepted, state derived from the old run is void;
 * - `duplicate` / `backwards`: dropped.
 */
export type SeqVerdict = "first" | "next" | "gap" | "restart" | "duplicate" | "backwards";

export interface SequenceCounters {
  messages: number;
  gaps: number;
  /** Sum of the seqs skipped by all gaps. */
  missing: number;
  duplicates: number;
  outOfOrder: number;
  restarts: number;
}

export class SequenceTracker {
  lastSeq = -1;
  lastReceiptNs: Nanos = -1n;
  readonly counters: SequenceCounters = { messages: 0, gaps: 0, missing: 0, duplicates: 0, outOfOrder: 0, restarts: 0 };

  observe(seq: number, receiptNs: Nanos): SeqVerdict {
    const verdict = this.classify(seq, receiptNs);
    switch (verdict) {
      case "duplicate":
        this.counters.duplicates++;
        return verdict;
      case "backwards":
        this.counters.outOfOrder++;
        return verdict;
      case "gap":
        this.counters.gaps++;
        this.counters.missing += seq - this.lastSeq - 1;
        break;
      case "restart":
        this.counters.restarts++;
        break;
    }
    this.counters.messages++;
    this.lastSeq = seq;
    this.lastReceiptNs = receiptNs;
    return verdict;
  }

  private classify(seq: number, receiptNs: Nanos): SeqVerdict {
    if (this.lastSeq < 0) return "first";
    if (seq === this.lastSeq + 1) return "next";
    if (seq > this.lastSeq) return "gap";
    if (receiptNs > this.lastReceiptNs) return "restart";
    return seq === this.lastSeq ? "duplicate" : "backwards";
  }
}
