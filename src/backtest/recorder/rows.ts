/**
 * What the recorder writes: one row per trade and one per book message the feed applied. Each row carries
 * both times: `tsNs`, marketstream's `receipt_timestamp_ns` (the exchange-side time: marketstream publishes
 * no exchange timestamp, its own receipt stamp is the nearest), and `recvNs`, leadlag's local receipt time.
 */
import type { Nanos } from "../../model/time.js";

export interface TradeRecord {
  readonly tsNs: Nanos;
  readonly recvNs: Nanos;
  /** As on the wire (`HYPERLIQUID`, `BTC-USDC-PERP`). */
  readonly exchange: string;
  readonly symbol: string;
  readonly price: number;
  readonly amount: number;
  readonly side: "buy" | "sell";
  readonly tradeId: string;
  readonly seq: number;
}

/**
 * How a replay rebuilds the book from a row, as the live feed did (docs/market-data.md, "Recorder"):
 * - `snapshot`: a `preprocessed_book` snapshot (its seq counts on the snapshot counter);
 * - `checkpoint`: the book after a delta or a checkpoint (the delta-and-checkpoint counter);
 * - `invalid`: a seq gap or an overflow made the book invalid; no levels (replayed as a gapped delta).
 */
export const BOOK_KINDS = ["snapshot", "checkpoint", "invalid"] as const;
export type BookKind = (typeof BOOK_KINDS)[number];

/** Top-N levels, best first; fewer than N when the book is thinner, none when `kind` is `invalid`. */
export interface BookRecord {
  readonly tsNs: Nanos;
  readonly recvNs: Nanos;
  readonly exchange: string;
  readonly symbol: string;
  readonly seq: number;
  readonly kind: BookKind;
  readonly bidPx: readonly number[];
  readonly bidSz: readonly number[];
  readonly askPx: readonly number[];
  readonly askSz: readonly number[];
}

export interface RecordSink {
  trade(row: TradeRecord): void;
  book(row: BookRecord): void;
  /** Writes everything buffered and releases the file or connection. */
  close(): Promise<void>;
}
