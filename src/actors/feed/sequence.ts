/**
 * Sequence checks for one marketstream counter (trades, book snapshots, or the shared delta+checkpoint
 * book_stream of one exchange/symbol; wire doc §1.10). ZeroMQ over TCP from one publisher never
 * reorders, so a seq that is not the next one is lost messages (a small gap), a publisher restart
 * (counters start again at 1), or a stray frame. A single frame is not evidence enough to tell them
 * apart, and trusting a stray one would make every later frame look out of order (a frozen symbol).
 * So a seq that goes back, or jumps ahead by more than `MAX_SEQ_JUMP`, is held as a candidate and the
 * next frame decides: if it continues the old sequence the candidate is discarded; if it continues the
 * candidate's, the candidate was a restart (or a long gap) and both are accepted, in order.
 * Receipt times play no part: they are bounded by the feed's clock-skew check before this runs.
 */

/** Forward jumps up to this many seqs are accepted at once as a gap; longer ones wait for the next frame. */
export const MAX_SEQ_JUMP = 1000;

/**
 * For the frame just observed:
 * - `first`: the first message seen (a late joiner starts anywhere, not a gap);
 * - `next` / `gap`: accepted; a gap means messages were lost (publisher HWM drops appear so);
 * - `duplicate`: the seq of the last accepted (or the held) frame again: dropped;
 * - `held`: not the continuation of anything: kept as the candidate, decided by the next frame.
 */
export type SeqVerdict = "first" | "next" | "gap" | "duplicate" | "held";

/**
 * What became of the candidate held before the frame just observed:
 * - `none`: there was none, or it is still held (the frame was a duplicate of it);
 * - `restart` / `jump`: confirmed (it went back / far ahead); accept it before the frame just observed;
 * - `discarded`: the frame continued the old sequence (or replaced it as candidate); drop it.
 */
export type CandidateOutcome = "none" | "restart" | "jump" | "discarded";

export interface SequenceCounters {
  messages: number;
  gaps: number;
  /** Sum of the seqs skipped by all gaps (confirmed long jumps included). */
  missing: number;
  duplicates: number;
  /** Frames with a seq below the last that the next frame did not confirm as a restart: dropped. */
  outOfOrder: number;
  /** Frames far ahead of the last seq that the next frame did not confirm: dropped. */
  outliers: number;
  restarts: number;
}

export class SequenceTracker {
  lastSeq = -1;
  /** The held frame's seq, or -1. */
  candidateSeq = -1;
  /** Set by every `observe`. */
  outcome: CandidateOutcome = "none";
  readonly counters: SequenceCounters = {
    messages: 0,
    gaps: 0,
    missing: 0,
    duplicates: 0,
    outOfOrder: 0,
    outliers: 0,
    restarts: 0,
  };

  /** `discardedSeq` after an `observe` whose outcome was `discarded`: the dropped candidate's seq. */
  discardedSeq = -1;

  /**
   * The gaps the last `observe` accepted, in order, as [expected seq, seq received]: none, one, or two
   * (a confirmed long jump, then a short gap after it). Reused between calls: read it before the next.
   */
  readonly newGaps: [expected: number, got: number][] = [];

  observe(seq: number): SeqVerdict {
    this.outcome = "none";
    this.newGaps.length = 0;
    if (this.lastSeq < 0) return this.accept(seq, "first");
    if (continues(this.lastSeq, seq)) {
      if (this.candidateSeq >= 0) this.discardCandidate();
      return this.accept(seq, seq === this.lastSeq + 1 ? "next" : "gap");
    }
    if (seq === this.lastSeq || seq === this.candidateSeq) {
      this.counters.duplicates++;
      return "duplicate";
    }
    if (this.candidateSeq >= 0 && continues(this.candidateSeq, seq)) {
      this.confirmCandidate();
      return this.accept(seq, seq === this.lastSeq + 1 ? "next" : "gap");
    }
    if (this.candidateSeq >= 0) this.discardCandidate();
    this.candidateSeq = seq;
    return "held";
  }

  private accept(seq: number, verdict: "first" | "next" | "gap"): SeqVerdict {
    if (verdict === "gap") this.countGap(seq);
    this.counters.messages++;
    this.lastSeq = seq;
    return verdict;
  }

  private countGap(seq: number): void {
    this.newGaps.push([this.lastSeq + 1, seq]);
    this.counters.gaps++;
    this.counters.missing += seq - this.lastSeq - 1;
  }

  private confirmCandidate(): void {
    const seq = this.candidateSeq;
    if (seq < this.lastSeq) {
      this.counters.restarts++;
      this.outcome = "restart";
    } else {
      this.countGap(seq);
      this.outcome = "jump";
    }
    this.counters.messages++;
    this.lastSeq = seq;
    this.candidateSeq = -1;
  }

  private discardCandidate(): void {
    if (this.candidateSeq < this.lastSeq) this.counters.outOfOrder++;
    else this.counters.outliers++;
    this.discardedSeq = this.candidateSeq;
    this.outcome = "discarded";
    this.candidateSeq = -1;
  }
}

/** `seq` is the next of `last` or a gap short enough to be taken at once. */
function continues(last: number, seq: number): boolean {
  return seq > last && seq - last <= MAX_SEQ_JUMP;
}
