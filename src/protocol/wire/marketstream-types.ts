/**
 * The marketstream message shapes (wire doc §1.6-1.9), keys in wire order and spelled as on the wire.
 * Parsing yields them and the serialisers write them, so a round trip is the identity. The only
 * departure from the JSON is `receipt_timestamp_ns`, held as an exact `bigint`.
 */
import type { Nanos } from "../../model/time.js";

export const MARKETSTREAM_STREAMS = [
  "preprocessed_trades",
  "preprocessed_book",
  "preprocessed_book_delta",
  "preprocessed_book_ckpt",
] as const;
export type MarketstreamStream = (typeof MARKETSTREAM_STREAMS)[number];

/** Which port carries a stream: trades on `market_data.port`, every book stream on `books_port`. */
export function isBookStream(stream: MarketstreamStream): boolean {
  return stream !== "preprocessed_trades";
}

export interface MarketstreamTopic {
  readonly exchange: string;
  readonly stream: MarketstreamStream;
  readonly symbol: string;
}

export function topicOf(exchange: string, stream: MarketstreamStream, symbol: string): string {
  return `${exchange}-${stream}-${symbol}`;
}

/** §1.6 */
export interface MarketstreamTrade {
  receipt_timestamp_ns: Nanos;
  symbol: string;
  exchange: string;
  price: number;
  amount: number;
  side: "buy" | "sell";
  trade_id: string;
  transaction_price: number;
  trading_volume: number;
  volatility_transaction_price: number;
  window_size: number;
  seq: number;
  schema_version: number;
  preprocessing_timestamp: string;
}

export type WireLevel = [price: number, size: number];

/** §1.7, only sent when deltas are off. */
export interface MarketstreamBookSnapshot {
  receipt_timestamp_ns: Nanos;
  symbol: string;
  exchange: string;
  seq: number;
  best_bid_price: number;
  best_bid_size: number;
  best_ask_price: number;
  best_ask_size: number;
  midpoint: number;
  relative_spread: number;
  breadth: number;
  imbalance_lvl1: number;
  bid_depth_n: number;
  ask_depth_n: number;
  depth_n: number;
  volatility_mid: number;
  ofi_rolling: number;
  window_size: number;
  schema_version: number;
  preprocessing_timestamp: string;
  bids: WireLevel[];
  asks: WireLevel[];
}

/** §1.8: `side` 0 = bid, 1 = ask; `sz` 0 removes the level. */
export interface MarketstreamBookDelta {
  symbol: string;
  exchange: string;
  receipt_timestamp_ns: Nanos;
  seq: number;
  side: number[];
  px: number[];
  sz: number[];
}

/** §1.9: the full top-N, best first on each side. */
export interface MarketstreamBookCheckpoint {
  symbol: string;
  exchange: string;
  receipt_timestamp_ns: Nanos;
  seq: number;
  bid_px: number[];
  bid_sz: number[];
  ask_px: number[];
  ask_sz: number[];
}

export type MarketstreamMessage =
  | MarketstreamTrade
  | MarketstreamBookSnapshot
  | MarketstreamBookDelta
  | MarketstreamBookCheckpoint;
