/**
 * The checks a recorded row passes before it is replayed, with the drop reasons the live feed uses for
 * the same defects (docs/market-data.md, "Feed core"), plus those only recorded data can have:
 *
 * | reason | row |
 * |---|---|
 * | `bad_row` | a CSV line with the wrong number of cells, or a cell that is not a number / integer where one is due |
 * | `bad_timestamp` | a time that is not an integer in [0, 2^63) |
 * | `seq_out_of_range` | seq not an integer in [0, 2^53) |
 * | `nan_price`, `nonpositive_price`, `price_out_of_range` | a price NaN or infinite, ≤ 0, > 1e12 |
 * | `nan_size`, `negative_size`, `size_out_of_range` | a size NaN or infinite, < 0, > 1e15 |
 * | `bad_side` | a trade side other than buy / sell |
 * | `length_mismatch` | a book side with more prices than sizes or the reverse |
 * | `crossed_book` | best bid at or above best ask |
 * | `duplicate` | the seq of the previous row of the same stream (exchange, symbol, trades or book kind) again |
 * | `out_of_order` | a row of a file that sorts before the row it follows (`compareEvents`): the merge needs each input in order |
 *
 * Seq going back or jumping (a publisher restart, a stray) is left to the feed core, which decides it as live.
 */
import { MAX_PRICE, MAX_SIZE } from "../../protocol/wire/marketstream-checks.js";
import { MAX_TIMESTAMP_NS } from "../../protocol/wire/marketstream.js";
import { compareEvents } from "./events.js";
import type { ReplayEvent } from "./source.js";

export const SOURCE_DROP_REASONS = [
  "bad_row",
  "bad_timestamp",
  "seq_out_of_range",
  "nan_price",
  "nonpositive_price",
  "price_out_of_range",
  "nan_size",
  "negative_size",
  "size_out_of_range",
  "bad_side",
  "length_mismatch",
  "crossed_book",
  "duplicate",
  "out_of_order",
] as const;
export type SourceDropReason = (typeof SOURCE_DROP_REASONS)[number];

/** Drop counts shared by the inputs of one source. */
export class DropCounts {
  private readonly counts = new Map<SourceDropReason, number>();

  add(reason: SourceDropReason): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }

  snapshot(): Partial<Record<SourceDropReason, number>> {
    return Object.fromEntries(
      SOURCE_DROP_REASONS.filter((r) => this.counts.has(r)).map((r) => [r, this.counts.get(r)]),
    );
  }

  get total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }
}

/**
 * The checks of one input (a table or a file): content, then per-stream duplicate seq, then (files only:
 * a table is read sorted) order against the last row passed.
 */
export class RowGate {
  private readonly lastSeq: number[] = [];
  private last: ReplayEvent | undefined;

  constructor(
    readonly drops: DropCounts,
    private readonly checkOrder: boolean,
  ) {}

  /** True when the event may be replayed; otherwise its reason is counted. */
  pass(event: ReplayEvent): boolean {
    const reason = contentProblem(event) ?? this.sequenceProblem(event);
    if (reason === undefined) return true;
    this.drops.add(reason);
    return false;
  }

  private sequenceProblem(event: ReplayEvent): SourceDropReason | undefined {
    if (this.checkOrder && this.last !== undefined && compareEvents(event, this.last) < 0) return "out_of_order";
    const id = event.topic.id;
    if (this.lastSeq[id] === event.wire.seq) return "duplicate";
    this.lastSeq[id] = event.wire.seq;
    this.last = event;
    return undefined;
  }
}

export function contentProblem(event: ReplayEvent): SourceDropReason | undefined {
  const { wire } = event;
  if (!validTime(event.recvNs) || !validTime(event.exchTsNs)) return "bad_timestamp";
  if (!(Number.isSafeInteger(wire.seq) && wire.seq >= 0)) return "seq_out_of_range";
  if ("trade_id" in wire) {
    const problem = priceProblem(wire.price) ?? sizeProblem(wire.amount);
    if (problem) return problem;
    return wire.side === "buy" || wire.side === "sell" ? undefined : "bad_side";
  }
  if ("bid_px" in wire) return sidesProblem(wire.bid_px, wire.bid_sz, wire.ask_px, wire.ask_sz);
  if ("bids" in wire) {
    const px = (l: readonly [number, number][]) => l.map((x) => x[0]);
    const sz = (l: readonly [number, number][]) => l.map((x) => x[1]);
    return sidesProblem(px(wire.bids), sz(wire.bids), px(wire.asks), sz(wire.asks));
  }
  return undefined;
}

function validTime(ns: bigint): boolean {
  return ns >= 0n && ns <= MAX_TIMESTAMP_NS;
}

function sidesProblem(
  bidPx: readonly number[],
  bidSz: readonly number[],
  askPx: readonly number[],
  askSz: readonly number[],
): SourceDropReason | undefined {
  if (bidPx.length !== bidSz.length || askPx.length !== askSz.length) return "length_mismatch";
  const problem = levelsProblem(bidPx, bidSz) ?? levelsProblem(askPx, askSz);
  if (problem) return problem;
  return bidPx.length > 0 && askPx.length > 0 && bidPx[0] >= askPx[0] ? "crossed_book" : undefined;
}

function levelsProblem(px: readonly number[], sz: readonly number[]): SourceDropReason | undefined {
  for (let i = 0; i < px.length; i++) {
    const p = px[i];
    const s = sz[i];
    // The common case without a call; the named checks only when something is wrong.
    if (p > 0 && p <= MAX_PRICE && s >= 0 && s <= MAX_SIZE) continue;
    return priceProblem(p) ?? sizeProblem(s);
  }
  return undefined;
}

/** The feed's price bounds; NaN and ±Infinity (which a CSV or a float8 column can hold, JSON cannot) are `nan_price`. */
function priceProblem(p: number): SourceDropReason | undefined {
  if (!Number.isFinite(p)) return "nan_price";
  if (p <= 0) return "nonpositive_price";
  return p > MAX_PRICE ? "price_out_of_range" : undefined;
}

function sizeProblem(s: number): SourceDropReason | undefined {
  if (!Number.isFinite(s)) return "nan_size";
  if (s < 0) return "negative_size";
  return s > MAX_SIZE ? "size_out_of_range" : undefined;
}
