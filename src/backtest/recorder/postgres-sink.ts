/**
 * PostgreSQL output: tables `trades` and `ob_snapshots` (created if missing; schema in
 * docs/market-data.md), filled with batched `COPY … FROM STDIN` (text format) through pg-copy-streams.
 * Rows are buffered and copied every `batchRows` rows or `flushIntervalMs`, one COPY at a time.
 * Book levels go in packed `bytea` columns (packed-levels.ts); a table an older recorder made with
 * `double precision[]` columns gets arrays, so it stays one layout throughout.
 */
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type { Logger } from "pino";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { packedCopyText } from "./packed-levels.js";
import type { BookRecord, RecordSink, TradeRecord } from "./rows.js";

/** The recorder's table names: `backtest.data_source.trade_table` / `book_table` read them back. */
export interface RecorderTables {
  readonly trades: string;
  readonly books: string;
}

export const DEFAULT_TABLES: RecorderTables = { trades: "trades", books: "ob_snapshots" };

/**
 * Creates the tables if missing, and adds to tables an older recorder made the columns it lacked: `recv_ns`
 * stays NULL on old rows (readers take `ts_ns` then), `kind` defaults to `checkpoint` (what every old row
 * was). The replay index holds the sources' whole sort key, so a replay is an index scan, not a sort
 * (a sort of an hour of books spilled ~110 MB to disk and took seconds).
 */
export function recorderSchemaSql(tables: RecorderTables = DEFAULT_TABLES): string {
  const t = quoteTable(tables.trades);
  const b = quoteTable(tables.books);
  const index = (table: string, suffix: string) => quoteIdent(`${unqualified(table)}_${suffix}`);
  return `
CREATE TABLE IF NOT EXISTS ${t} (
  ts_ns    bigint           NOT NULL,
  recv_ns  bigint           NOT NULL,
  exchange text             NOT NULL,
  symbol   text             NOT NULL,
  price    double precision NOT NULL,
  amount   double precision NOT NULL,
  side     text             NOT NULL,
  trade_id text             NOT NULL,
  seq      bigint           NOT NULL
);
ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS recv_ns bigint;
CREATE INDEX IF NOT EXISTS ${index(tables.trades, "symbol_ts_idx")} ON ${t} (exchange, symbol, ts_ns);
CREATE INDEX IF NOT EXISTS ${index(tables.trades, "replay_idx")} ON ${t} (${REPLAY_KEY});
CREATE TABLE IF NOT EXISTS ${b} (
  ts_ns    bigint             NOT NULL,
  recv_ns  bigint             NOT NULL,
  exchange text               NOT NULL,
  symbol   text               NOT NULL,
  seq      bigint             NOT NULL,
  kind     text               NOT NULL DEFAULT 'checkpoint',
  bid_px   bytea              NOT NULL,
  bid_sz   bytea              NOT NULL,
  ask_px   bytea              NOT NULL,
  ask_sz   bytea              NOT NULL
);
ALTER TABLE ${b} ADD COLUMN IF NOT EXISTS recv_ns bigint;
ALTER TABLE ${b} ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'checkpoint';
CREATE INDEX IF NOT EXISTS ${index(tables.books, "symbol_ts_idx")} ON ${b} (exchange, symbol, ts_ns);
CREATE INDEX IF NOT EXISTS ${index(tables.books, "replay_idx")} ON ${b} (${REPLAY_KEY});
`;
}

/** The order replay sources read rows in (sources/events.ts `compareEvents`, within one table). */
export const REPLAY_KEY = `(coalesce(recv_ns, ts_ns)), ts_ns, exchange COLLATE "C", symbol COLLATE "C", seq`;

/** The book table's level columns, in the order rows carry them. */
export const LEVEL_COLUMNS = ["bid_px", "bid_sz", "ask_px", "ask_sz"] as const;

/**
 * Per level column of an existing book table (`LEVEL_COLUMNS` order): true when it is packed `bytea`,
 * false for an older recorder's array (`double precision[]`). Absent columns read as false: the caller
 * checks that they exist.
 */
export async function packedLevelColumns(client: pg.Client, table: string): Promise<boolean[]> {
  const { rows } = await client.query<{ attname: string }>(
    "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped " +
      "AND atttypid = 'bytea'::regtype",
    [quoteTable(table)],
  );
  const packed = new Set(rows.map((r) => r.attname));
  return LEVEL_COLUMNS.map((c) => packed.has(c));
}

/** A table name, optionally `schema.table`, quoted part by part. */
export function quoteTable(name: string): string {
  return name.split(".").map(quoteIdent).join(".");
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function unqualified(name: string): string {
  return name.slice(name.lastIndexOf(".") + 1);
}

const tradeCopySql = (table: string) =>
  `COPY ${quoteTable(table)} (ts_ns, recv_ns, exchange, symbol, price, amount, side, trade_id, seq) FROM STDIN`;
const bookCopySql = (table: string) =>
  `COPY ${quoteTable(table)} (ts_ns, recv_ns, exchange, symbol, seq, kind, bid_px, bid_sz, ask_px, ask_sz) FROM STDIN`;

export interface PostgresSinkOptions {
  readonly url: string;
  readonly logger: Logger;
  readonly batchRows?: number;
  readonly flushIntervalMs?: number;
  readonly tables?: RecorderTables;
}

export class PostgresRecordSink implements RecordSink {
  private tradeRows: string[] = [];
  private bookRows: string[] = [];
  private copying: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly batchRows: number;
  private readonly tradeCopy: string;
  private readonly bookCopy: string;

  private constructor(
    private readonly client: pg.Client,
    private readonly options: PostgresSinkOptions,
    private readonly packed: readonly boolean[],
  ) {
    this.batchRows = options.batchRows ?? 5000;
    this.tradeCopy = tradeCopySql((options.tables ?? DEFAULT_TABLES).trades);
    this.bookCopy = bookCopySql((options.tables ?? DEFAULT_TABLES).books);
    this.timer = setInterval(() => this.flush(), options.flushIntervalMs ?? 500);
  }

  /** Connects and creates the tables if missing; an error names the server (never the password). */
  static async open(options: PostgresSinkOptions): Promise<PostgresRecordSink> {
    const client = new pg.Client({ connectionString: options.url });
    let packed: boolean[];
    try {
      await client.connect();
      await client.query(recorderSchemaSql(options.tables));
      packed = await packedLevelColumns(client, (options.tables ?? DEFAULT_TABLES).books);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw new Error(`recorder: PostgreSQL at ${safeUrl(options.url)}: ${(err as Error).message}`);
    }
    return new PostgresRecordSink(client, options, packed);
  }

  trade(r: TradeRecord): void {
    this.tradeRows.push(
      `${r.tsNs}\t${r.recvNs}\t${copyText(r.exchange)}\t${copyText(r.symbol)}\t` +
        `${r.price}\t${r.amount}\t${r.side}\t${copyText(r.tradeId)}\t${r.seq}\n`,
    );
    if (this.tradeRows.length >= this.batchRows) this.flush();
  }

  book(r: BookRecord): void {
    const [bidPx, bidSz, askPx, askSz] = this.packed;
    this.bookRows.push(
      `${r.tsNs}\t${r.recvNs}\t${copyText(r.exchange)}\t${copyText(r.symbol)}\t${r.seq}\t${r.kind}\t` +
        `${levelsText(r.bidPx, bidPx)}\t${levelsText(r.bidSz, bidSz)}\t${levelsText(r.askPx, askPx)}\t` +
        `${levelsText(r.askSz, askSz)}\n`,
    );
    if (this.bookRows.length >= this.batchRows) this.flush();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.flush();
    await this.copying;
    await this.client.end();
    if (this.failure) throw this.failure;
  }

  private flush(): void {
    const trades = this.tradeRows;
    const books = this.bookRows;
    if (trades.length === 0 && books.length === 0) return;
    this.tradeRows = [];
    this.bookRows = [];
    this.copying = this.copying.then(async () => {
      try {
        if (trades.length > 0) await this.copy(this.tradeCopy, trades);
        if (books.length > 0) await this.copy(this.bookCopy, books);
      } catch (err) {
        this.failure ??= err as Error;
        this.options.logger.error(
          { err, trades: trades.length, books: books.length },
          "recorder COPY failed; rows lost",
        );
      }
    });
  }

  private async copy(sql: string, rows: string[]): Promise<void> {
    await pipeline(Readable.from([rows.join("")]), this.client.query(copyFrom(sql)));
  }
}

/** One level column in COPY's text format: packed bytes, or an array literal for an older table. */
function levelsText(values: readonly number[], packed: boolean | undefined): string {
  return packed ? packedCopyText(values) : `{${values.join(",")}}`;
}

/** COPY text format: backslash, tab and newlines are escaped. */
function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c]!)
    : value;
}

export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}
