/**
 * Building replay events from recorded rows (and back, for `leadlag data convert` and `import`), and the
 * total order of events. Fields of the wire messages that marketstream derives and no core reads
 * (`trading_volume`, rolling statistics, `preprocessing_timestamp`, a snapshot's features) are filled with
 * neutral values: the feed core computes its own features from the levels.
 */
import type { Nanos } from "../../model/time.js";
import type {
  MarketstreamBookCheckpoint,
  MarketstreamBookDelta,
  MarketstreamBookSnapshot,
  MarketstreamStream,
  MarketstreamTrade,
  WireLevel,
} from "../../protocol/wire/marketstream.js";
import { topicOf } from "../../protocol/wire/marketstream.js";
import type { BookKind, BookRecord, TradeRecord } from "../recorder/rows.js";
import type { ReplayEvent, ReplayTopic } from "./source.js";

const STREAM_OF_KIND: Record<BookKind, MarketstreamStream> = {
  snapshot: "preprocessed_book",
  checkpoint: "preprocessed_book_ckpt",
  invalid: "preprocessed_book_delta",
};
const NO_NUMBERS: number[] = Object.freeze([]) as unknown as number[];

/** The stream a book row of this kind replays on. */
export function streamOfKind(kind: BookKind): MarketstreamStream {
  return STREAM_OF_KIND[kind];
}

/** Interns topics: one `ReplayTopic` object per (exchange, stream, symbol), ids dense from 0. */
export class TopicTable {
  /** stream → exchange → symbol: looked up once per event, so no key string is built. */
  private readonly byKey = new Map<string, Map<string, Map<string, ReplayTopic>>>();
  readonly topics: ReplayTopic[] = [];

  get(exchange: string, stream: MarketstreamStream, symbol: string): ReplayTopic {
    let exchanges = this.byKey.get(stream);
    if (exchanges === undefined) this.byKey.set(stream, (exchanges = new Map()));
    let symbols = exchanges.get(exchange);
    if (symbols === undefined) exchanges.set(exchange, (symbols = new Map()));
    let topic = symbols.get(symbol);
    if (topic === undefined) {
      topic = { exchange, stream, symbol, id: this.topics.length, name: topicOf(exchange, stream, symbol) };
      symbols.set(symbol, topic);
      this.topics.push(topic);
    }
    return topic;
  }
}

export function tradeEvent(
  topics: TopicTable,
  tsNs: Nanos,
  recvNs: Nanos,
  exchange: string,
  symbol: string,
  price: number,
  amount: number,
  side: "buy" | "sell",
  tradeId: string,
  seq: number,
): ReplayEvent {
  const topic = topics.get(exchange, "preprocessed_trades", symbol);
  return tradeEventOn(topic, tsNs, recvNs, exchange, symbol, price, amount, side, tradeId, seq);
}

/** `tradeEvent` for a caller that has the topic already (a reader that caches topics by the row's bytes). */
export function tradeEventOn(
  topic: ReplayTopic,
  tsNs: Nanos,
  recvNs: Nanos,
  exchange: string,
  symbol: string,
  price: number,
  amount: number,
  side: "buy" | "sell",
  tradeId: string,
  seq: number,
): ReplayEvent {
  const wire: MarketstreamTrade = {
    receipt_timestamp_ns: tsNs,
    symbol,
    exchange,
    price,
    amount,
    side,
    trade_id: tradeId,
    transaction_price: price,
    trading_volume: price * amount,
    volatility_transaction_price: 0,
    window_size: 0,
    seq,
    schema_version: 1,
    preprocessing_timestamp: "",
  };
  return { recvNs, exchTsNs: tsNs, topic, wire };
}

export function bookEvent(
  topics: TopicTable,
  kind: BookKind,
  tsNs: Nanos,
  recvNs: Nanos,
  exchange: string,
  symbol: string,
  seq: number,
  bidPx: number[],
  bidSz: number[],
  askPx: number[],
  askSz: number[],
): ReplayEvent {
  const topic = topics.get(exchange, STREAM_OF_KIND[kind], symbol);
  return bookEventOn(topic, kind, tsNs, recvNs, exchange, symbol, seq, bidPx, bidSz, askPx, askSz);
}

/** `bookEvent` for a caller that has the topic already (of the stream `streamOfKind(kind)`). */
export function bookEventOn(
  topic: ReplayTopic,
  kind: BookKind,
  tsNs: Nanos,
  recvNs: Nanos,
  exchange: string,
  symbol: string,
  seq: number,
  bidPx: number[],
  bidSz: number[],
  askPx: number[],
  askSz: number[],
): ReplayEvent {
  if (kind === "checkpoint") {
    const wire: MarketstreamBookCheckpoint = {
      symbol,
      exchange,
      receipt_timestamp_ns: tsNs,
      seq,
      bid_px: bidPx,
      bid_sz: bidSz,
      ask_px: askPx,
      ask_sz: askSz,
    };
    return { recvNs, exchTsNs: tsNs, topic, wire };
  }
  if (kind === "invalid") {
    const wire: MarketstreamBookDelta = {
      symbol,
      exchange,
      receipt_timestamp_ns: tsNs,
      seq,
      side: NO_NUMBERS,
      px: NO_NUMBERS,
      sz: NO_NUMBERS,
    };
    return { recvNs, exchTsNs: tsNs, topic, wire };
  }
  return { recvNs, exchTsNs: tsNs, topic, wire: snapshotWire(tsNs, exchange, symbol, seq, bidPx, bidSz, askPx, askSz) };
}

function snapshotWire(
  tsNs: Nanos,
  exchange: string,
  symbol: string,
  seq: number,
  bidPx: number[],
  bidSz: number[],
  askPx: number[],
  askSz: number[],
): MarketstreamBookSnapshot {
  const pairs = (px: number[], sz: number[]): WireLevel[] => px.map((p, i) => [p, sz[i]]);
  return {
    receipt_timestamp_ns: tsNs,
    symbol,
    exchange,
    seq,
    best_bid_price: bidPx[0] ?? 0,
    best_bid_size: bidSz[0] ?? 0,
    best_ask_price: askPx[0] ?? 0,
    best_ask_size: askSz[0] ?? 0,
    midpoint: 0,
    relative_spread: 0,
    breadth: 0,
    imbalance_lvl1: 0,
    bid_depth_n: 0,
    ask_depth_n: 0,
    depth_n: 0,
    volatility_mid: 0,
    ofi_rolling: 0,
    window_size: 0,
    schema_version: 1,
    preprocessing_timestamp: "",
    bids: pairs(bidPx, bidSz),
    asks: pairs(askPx, askSz),
  };
}

/** 0 for trades, 1 for books: at one instant a trade replays first. */
export function streamRank(event: ReplayEvent): number {
  return event.topic.stream === "preprocessed_trades" ? 0 : 1;
}

/**
 * The total order of replay events: receipt time, exchange time, trades before books, exchange, symbol
 * (code-unit order, as PostgreSQL's `COLLATE "C"`), seq. Equal only for duplicates.
 */
export function compareEvents(a: ReplayEvent, b: ReplayEvent): number {
  if (a.recvNs !== b.recvNs) return a.recvNs < b.recvNs ? -1 : 1;
  if (a.exchTsNs !== b.exchTsNs) return a.exchTsNs < b.exchTsNs ? -1 : 1;
  const rank = streamRank(a) - streamRank(b);
  if (rank !== 0) return rank;
  const { exchange: ea, symbol: sa } = a.topic;
  const { exchange: eb, symbol: sb } = b.topic;
  if (ea !== eb) return ea < eb ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a.wire.seq - b.wire.seq;
}

/** The row an event was built from, as the recorder writes it. */
export function eventRecord(event: ReplayEvent): { trade: TradeRecord } | { book: BookRecord } {
  const { wire, topic, recvNs, exchTsNs: tsNs } = event;
  const { exchange, symbol } = topic;
  if ("trade_id" in wire) {
    const { price, amount, side, trade_id: tradeId, seq } = wire;
    return { trade: { tsNs, recvNs, exchange, symbol, price, amount, side, tradeId, seq } };
  }
  const base = { tsNs, recvNs, exchange, symbol, seq: wire.seq };
  if ("bid_px" in wire) {
    const { bid_px: bidPx, bid_sz: bidSz, ask_px: askPx, ask_sz: askSz } = wire;
    return { book: { ...base, kind: "checkpoint", bidPx, bidSz, askPx, askSz } };
  }
  if ("bids" in wire) {
    const { bids, asks } = wire;
    const px = (levels: WireLevel[]) => levels.map((l) => l[0]);
    const sz = (levels: WireLevel[]) => levels.map((l) => l[1]);
    return { book: { ...base, kind: "snapshot", bidPx: px(bids), bidSz: sz(bids), askPx: px(asks), askSz: sz(asks) } };
  }
  return { book: { ...base, kind: "invalid", bidPx: [], bidSz: [], askPx: [], askSz: [] } };
}

/** The event as canonical text: what "byte-for-byte equal event sequences" compares. */
export function eventText(event: ReplayEvent): string {
  return JSON.stringify({ recv: event.recvNs, topic: event.topic.name, wire: event.wire }, (_k, v) =>
    typeof v === "bigint" ? String(v) : v,
  );
}
