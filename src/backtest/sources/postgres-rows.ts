/**
 * The recorder's rows as binary COPY tuples (postgres.ts selects the columns in this order) decoded into
 * replay events. A recording repeats a handful of (exchange, symbol) pairs, so their strings and topics
 * are looked up by the row's bytes (a hash, then a byte compare) rather than decoded and keyed each row,
 * and the few fixed words (side, kind) are compared as bytes. A row that cannot be decoded (a NULL, a
 * value of the wrong width, an unknown kind, a level column of a broken length) is undefined: a `bad_row`.
 */
import type { MarketstreamStream } from "../../protocol/wire/marketstream.js";
import { unpackLevels, viewOf } from "../recorder/packed-levels.js";
import { BOOK_KINDS } from "../recorder/rows.js";
import { bookEventOn, streamOfKind, type TopicTable, tradeEventOn } from "./events.js";
import type { ReplayEvent, ReplayTopic } from "./source.js";

/** Where each field of the current tuple lies in the buffer (length −1: NULL), and how many fields it has. */
export class TupleFields {
  static readonly MAX = 16;
  readonly at = new Int32Array(TupleFields.MAX);
  readonly len = new Int32Array(TupleFields.MAX);
  count = 0;
}

/** `buf` for text and byte compares, `view` (the same bytes) for numbers: see `unpackLevels`. */
export interface RowDecoder {
  decode(buf: Buffer, view: DataView, f: TupleFields): ReplayEvent | undefined;
}

/** ts_ns, receipt time, exchange, symbol, price, amount, side, trade_id, seq. */
const TRADE_FIELDS = 9;
/** ts_ns, receipt time, exchange, symbol, seq, kind, bid_px, bid_sz, ask_px, ask_sz. */
const BOOK_FIELDS = 10;
/** Distinct (exchange, symbol) pairs kept per table; beyond that rows decode their names as text. */
const MAX_CACHED_NAMES = 4096;
const KIND_BYTES = BOOK_KINDS.map((k) => Buffer.from(k));
const BUY = Buffer.from("buy");
const SELL = Buffer.from("sell");

interface Names {
  /** The fields' bytes (see `NameCache.of`). */
  readonly bytes: DataView;
  readonly exchange: string;
  readonly symbol: string;
  /** By stream: trades, then each book kind in `BOOK_KINDS` order. */
  readonly topics: (ReplayTopic | undefined)[];
}

function sameBytes(a: Buffer, buf: Buffer, from: number, to: number): boolean {
  if (a.length !== to - from) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[from + i]) return false;
  return true;
}

/** `sameBytes` four bytes at a time (names are ~30 bytes; this is per row). */
function sameWords(a: DataView, view: DataView, from: number, to: number): boolean {
  const n = a.byteLength;
  if (n !== to - from) return false;
  let i = 0;
  for (; i + 4 <= n; i += 4) if (a.getInt32(i) !== view.getInt32(from + i)) return false;
  for (; i < n; i++) if (a.getUint8(i) !== view.getUint8(from + i)) return false;
  return true;
}

/** The (exchange, symbol) of fields 2 and 3, and their topics, by the fields' bytes. */
class NameCache {
  private readonly byHash = new Map<number, Names[]>();
  private size = 0;

  constructor(private readonly topics: TopicTable) {}

  of(buf: Buffer, view: DataView, f: TupleFields): Names {
    // Both fields with the exchange's length prefix (the symbol's is between them): one split only.
    const from = f.at[2] - 4;
    const to = f.at[3] + f.len[3];
    let hash = to - from;
    let i = from;
    for (; i + 4 <= to; i += 4) hash = Math.imul(hash ^ view.getInt32(i), 0x01000193);
    for (; i < to; i++) hash = Math.imul(hash ^ buf[i], 0x01000193);
    const bucket = this.byHash.get(hash);
    if (bucket !== undefined) for (const names of bucket) if (sameWords(names.bytes, view, from, to)) return names;
    const names: Names = {
      bytes: viewOf(Buffer.from(buf.subarray(from, to))),
      exchange: buf.toString("utf8", f.at[2], f.at[2] + f.len[2]),
      symbol: buf.toString("utf8", f.at[3], to),
      topics: [],
    };
    if (this.size < MAX_CACHED_NAMES) {
      this.size++;
      if (bucket === undefined) this.byHash.set(hash, [names]);
      else bucket.push(names);
    }
    return names;
  }

  topic(names: Names, index: number, stream: MarketstreamStream): ReplayTopic {
    let topic = names.topics[index];
    if (topic === undefined) {
      topic = this.topics.get(names.exchange, stream, names.symbol);
      names.topics[index] = topic;
    }
    return topic;
  }
}

/** Exchange and receipt time; the receipt time is the same bigint when equal (one allocation fewer). */
function times(view: DataView, f: TupleFields): [bigint, bigint] {
  const [ts, recv] = f.at;
  const tsNs = view.getBigInt64(ts);
  const same = view.getInt32(ts) === view.getInt32(recv) && view.getInt32(ts + 4) === view.getInt32(recv + 4);
  return [tsNs, same ? tsNs : view.getBigInt64(recv)];
}

function notNull(f: TupleFields): boolean {
  for (let i = 0; i < f.count; i++) if (f.len[i] < 0) return false;
  return true;
}

export class TradeRows implements RowDecoder {
  private readonly names: NameCache;

  constructor(topics: TopicTable) {
    this.names = new NameCache(topics);
  }

  decode(buf: Buffer, view: DataView, f: TupleFields): ReplayEvent | undefined {
    const { at, len } = f;
    if (f.count !== TRADE_FIELDS || !notNull(f)) return undefined;
    if (len[0] !== 8 || len[1] !== 8 || len[4] !== 8 || len[5] !== 8 || len[8] !== 8) return undefined;
    const [tsNs, recvNs] = times(view, f);
    const names = this.names.of(buf, view, f);
    const topic = this.names.topic(names, 0, "preprocessed_trades");
    const side = sameBytes(BUY, buf, at[6], at[6] + len[6])
      ? "buy"
      : sameBytes(SELL, buf, at[6], at[6] + len[6])
        ? "sell"
        : // Not a side: decoded so the row gate counts it as `bad_side`.
          (buf.toString("utf8", at[6], at[6] + len[6]) as "buy");
    const price = view.getFloat64(at[4]);
    const amount = view.getFloat64(at[5]);
    const tradeId = buf.toString("utf8", at[7], at[7] + len[7]);
    const seq = Number(view.getBigInt64(at[8]));
    return tradeEventOn(topic, tsNs, recvNs, names.exchange, names.symbol, price, amount, side, tradeId, seq);
  }
}

export class BookRows implements RowDecoder {
  private readonly names: NameCache;

  /** `packed`: per level column (`LEVEL_COLUMNS` order), `bytea` rather than `double precision[]`. */
  constructor(
    topics: TopicTable,
    private readonly packed: readonly boolean[],
  ) {
    this.names = new NameCache(topics);
  }

  decode(buf: Buffer, view: DataView, f: TupleFields): ReplayEvent | undefined {
    const { at, len } = f;
    if (f.count !== BOOK_FIELDS || !notNull(f)) return undefined;
    if (len[0] !== 8 || len[1] !== 8 || len[4] !== 8) return undefined;
    let kind = 0;
    while (kind < KIND_BYTES.length && !sameBytes(KIND_BYTES[kind], buf, at[5], at[5] + len[5])) kind++;
    if (kind === KIND_BYTES.length) return undefined;
    const bidPx = this.levels(view, f, 6);
    const bidSz = this.levels(view, f, 7);
    const askPx = this.levels(view, f, 8);
    const askSz = this.levels(view, f, 9);
    if (bidPx === undefined || bidSz === undefined || askPx === undefined || askSz === undefined) return undefined;
    const [tsNs, recvNs] = times(view, f);
    const names = this.names.of(buf, view, f);
    const topic = this.names.topic(names, 1 + kind, streamOfKind(BOOK_KINDS[kind]));
    const seq = Number(view.getBigInt64(at[4]));
    const { exchange, symbol } = names;
    return bookEventOn(topic, BOOK_KINDS[kind], tsNs, recvNs, exchange, symbol, seq, bidPx, bidSz, askPx, askSz);
  }

  private levels(view: DataView, f: TupleFields, field: number): number[] | undefined {
    return this.packed[field - 6]
      ? unpackLevels(view, f.at[field], f.len[field])
      : floatArray(view, f.at[field], f.len[field]);
  }
}

/** A binary float8[] of one dimension (or none: empty); undefined if it holds a NULL, has more dimensions or does not fill `byteLength`. */
function floatArray(view: DataView, at: number, byteLength: number): number[] | undefined {
  if (byteLength < 12) return undefined;
  const dims = view.getInt32(at);
  if (dims === 0) return [];
  if (dims !== 1 || byteLength < 20) return undefined;
  const n = view.getInt32(at + 12);
  if (byteLength !== 20 + 12 * n) return undefined;
  const out: number[] = [];
  for (let p = at + 20, end = at + byteLength; p < end; p += 12) {
    if (view.getInt32(p) !== 8) return undefined;
    out.push(view.getFloat64(p + 4));
  }
  return out;
}
