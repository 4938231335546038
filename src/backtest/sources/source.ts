/**
 * The one interface between recorded market data and the backtest runner.
 *
 * A `ReplaySource` yields **batches of replay events in local-receipt-time order**. Each event is one
 * recorded row as the feed core consumes it: a parsed marketstream message (`wire`) with its topic parts,
 * its exchange-side time and its local receipt time. The runner hands each to the same feed core the
 * live daemon runs (`FeedCore.onMessage(event.topic, event.wire, recvNs)`), so books are rebuilt, checked
 * and featured by the live code; it adds `feed_latency_ms` to `recvNs` if the time model asks for it.
 *
 * Order (total, the same whatever the source): `compareEvents` — receipt time, then exchange time, then
 * trades before books, then exchange and symbol (code-unit order), then seq. Each input (a table, a file)
 * is read in that order and the inputs are k-way merged (merge.ts); two events equal in every key (a
 * duplicate) keep their input order (trades' input first).
 *
 * Memory: each input holds at most `batchSize` decoded rows at a time (`peakHeldRows`), whatever the window.
 *
 * Rows that cannot be replayed are skipped and counted by reason (`drops()`, checks.ts): the reasons the
 * live feed gives for the same defect where it has one. What the feed core itself drops later (seq
 * checks, clock skew) it counts in its own `stats().drops`: a report shows both.
 *
 * Bad input fails early with a `SourceError` whose one-line message names the problem: a missing table,
 * file or column (and which), an unreachable database (host and port). `probe()` counts the events per
 * symbol in the window without decoding them, so a runner can refuse an empty window before it starts.
 */
import type { Nanos } from "../../model/time.js";
import type {
  MarketstreamBookCheckpoint,
  MarketstreamBookDelta,
  MarketstreamBookSnapshot,
  MarketstreamTopic,
  MarketstreamTrade,
} from "../../protocol/wire/marketstream.js";
import type { SourceDropReason } from "./checks.js";

/** Topic parts, one object per (exchange, stream, symbol) of a source: the feed core caches routes by identity. */
export interface ReplayTopic extends MarketstreamTopic {
  /** Index of the stream within its source (dense, from 0). */
  readonly id: number;
  /** `EXCHANGE-stream-SYMBOL`, the live topic string. */
  readonly name: string;
}

/**
 * What a recorded row replays as: a trade; a book row of kind `checkpoint` as a book checkpoint (it
 * replaces the book); `snapshot` as a book snapshot; `invalid` as a delta with a seq gap and no levels
 * (the feed marks the book invalid until the next checkpoint, as it did live).
 */
export type ReplayWire =
  | MarketstreamTrade
  | MarketstreamBookCheckpoint
  | MarketstreamBookSnapshot
  | MarketstreamBookDelta;

export interface ReplayEvent {
  /** Local receipt time: when leadlag received the message (the recorder's `recv_ns`). The merge key. */
  readonly recvNs: Nanos;
  /**
   * Exchange-side time: marketstream's `receipt_timestamp_ns` (the recorder's `ts_ns`; marketstream stamps
   * no exchange time, its own receipt is the nearest). Equal to `wire.receipt_timestamp_ns`.
   */
  readonly exchTsNs: Nanos;
  readonly topic: ReplayTopic;
  /** Never mutated after the event is built: the feed core may keep it (warm-restart history). */
  readonly wire: ReplayWire;
}

export interface SourceWindow {
  /** Receipt time, inclusive. */
  readonly startNs: Nanos;
  /** Receipt time, exclusive. */
  readonly endNs: Nanos;
}

export interface SourceOptions {
  readonly window: SourceWindow;
  /** Symbols as recorded (marketstream spelling, e.g. `BTC-USDC-PERP`); absent = every symbol. */
  readonly symbols?: readonly string[];
  /** Rows per batch and the most any input holds decoded at once (`backtest.data_source.batch_size`). */
  readonly batchSize: number;
}

export interface SourceProbe {
  /** Rows in the window per recorded symbol; every requested symbol is present, 0 when it has none. */
  readonly perSymbol: ReadonlyMap<string, number>;
  readonly total: number;
}

export interface SourceStats {
  /** Rows read in the window (events + drops). */
  readonly rows: number;
  readonly events: number;
  /** Per input (table or file): the most rows it held decoded at once. Never above `batchSize`. */
  readonly peakHeldRows: Readonly<Record<string, number>>;
}

export interface ReplaySource {
  /** For messages: the database (host, port, name: never a password) and tables, or the path. */
  readonly description: string;
  probe(): Promise<SourceProbe>;
  /** The events in the window, in order, in batches of at most `batchSize`. Call once. */
  batches(): AsyncGenerator<readonly ReplayEvent[], void, undefined>;
  /** Rows skipped so far, by reason (only reasons with a count). */
  drops(): Partial<Record<SourceDropReason, number>>;
  stats(): SourceStats;
  /** Releases connections and files; safe to call twice, and after an error. */
  close(): Promise<void>;
}

/** A source that cannot be read: the message is one line, fit to print as is (no stack trace needed). */
export class SourceError extends Error {
  override readonly name = "SourceError";
}
