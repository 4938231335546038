/** The feed core's public types: drop reasons, its output port, options and statistics. */
import type { Book, Trade } from "../../protocol/market-data.js";
import type { Nanos } from "../../model/time.js";
import {
  WIRE_REJECT_REASONS,
  type MarketstreamBookCheckpoint,
  type MarketstreamBookDelta,
  type MarketstreamBookSnapshot,
  type MarketstreamTrade,
} from "../../protocol/wire/marketstream.js";
import type { InstrumentRegistry } from "../../model/instruments.js";
import type { OutlierFilterOptions } from "./outlier.js";
import type { SequenceCounters } from "./sequence.js";

/** Every reason a frame is dropped: the wire's rejections, then the feed's own. */
export const FEED_DROP_REASONS = [
  ...WIRE_REJECT_REASONS,
  "unknown_symbol",
  "clock_skew",
  "duplicate",
  "seq_backwards",
  "seq_jump",
  "stale_book_seq",
  "awaiting_checkpoint",
  "book_overflow",
  "price_outlier",
] as const;
export type FeedDropReason = (typeof FEED_DROP_REASONS)[number];

export interface FeedDrop {
  readonly reason: FeedDropReason;
  readonly field: string;
  readonly detail: string;
}

export type MarketstreamBookMessage = MarketstreamBookSnapshot | MarketstreamBookDelta | MarketstreamBookCheckpoint;

/** Where normalised messages go. `wire` is the parsed source message (the recorder needs its spelling and trade id). */
export interface FeedPort {
  trade(trade: Trade, wire: MarketstreamTrade): void;
  book(book: Book, wire: MarketstreamBookMessage): void;
  /** A seq gap just accepted (messages lost upstream); the shell logs it. */
  gap?(gap: SeqGap): void;
}

/** Messages lost on one seq counter: `expected` was due, `got` arrived; `missing` = got − expected. */
export interface SeqGap {
  readonly symbol: string;
  readonly stream: SeqStream;
  readonly expected: number;
  readonly got: number;
  readonly missing: number;
}

export interface FeedCoreOptions {
  readonly registry: InstrumentRegistry;
  /** History kept per instrument for warm restarts (`inference_lookback_seconds`). */
  readonly lookbackNs: Nanos;
  /** A symbol with no message for longer than this is stale. */
  readonly staleAfterNs: Nanos;
  /** A frame whose receipt time is further than this from `recvNs` is dropped (`market_data.max_clock_skew_ms`). */
  readonly maxClockSkewNs: Nanos;
  /** Levels per side in `Book` messages (`lob_top_n`); the book itself keeps every level sent. */
  readonly topLevels?: number;
  /** The trade-price outlier filter (`market_data.quality`); absent = every price passes (the recorder keeps all). */
  readonly outlier?: OutlierFilterOptions;
}

/** The three seq counters marketstream keeps per (exchange, symbol). */
export type SeqStream = "trades" | "book" | "book_stream";

export interface StreamStats extends SequenceCounters {
  readonly symbol: string;
  readonly stream: SeqStream;
  readonly lastSeq: number;
  /** Frames passed on as a `Trade` or `Book`, and frames dropped (any reason once the topic was known). */
  readonly accepted: number;
  readonly dropped: number;
  /** Trades dropped as `price_outlier` (trade streams; 0 on book streams). */
  readonly priceOutliers: number;
  /** Why the last dropped frame was dropped. */
  readonly lastDrop?: FeedDropReason;
  /** The seq of a frame held until the next one shows whether it starts a new sequence. */
  readonly heldSeq?: number;
  /** Book streams only: whether the rebuilt book may be traded on. */
  readonly bookValid?: boolean;
}

export interface FeedStats {
  readonly frames: number;
  readonly trades: number;
  readonly books: number;
  readonly drops: Readonly<Record<FeedDropReason, number>>;
  readonly streams: readonly StreamStats[];
}

export interface SymbolStaleness {
  readonly symbol: string;
  /** Undefined until the first message. */
  readonly ageNs: Nanos | undefined;
  readonly stale: boolean;
}
