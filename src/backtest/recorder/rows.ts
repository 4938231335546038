/** What the recorder writes: one row per trade and one per applied (valid) book message. */
import type { Nanos } from "../../model/time.js";

export interface TradeRecord {
  readonly tsNs: Nanos;
  /** As on the wire (`HYPERLIQUID`, `BTC-USDC-PERP`). */
  readonly exchange: string;
  readonly symbol: string;
  readonly price: number;
  readonly amount: number;
  readonly side: "buy" | "sell";
  readonly tradeId: string;
  readonly seq: number;
}

/** Top-N levels, best first; fewer than N when the book is thinner. */
export interface BookRecord {
  readonly tsNs: Nanos;
  readonly exchange: string;
  readonly symbol: string;
  readonly seq: number;
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
