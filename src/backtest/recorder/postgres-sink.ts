/**
 * PostgreSQL output: tables `trades` and `ob_snapshots` (created if missing; schema in
 * docs/market-data.md), filled with batched `COPY … FROM STDIN` (text format) through pg-copy-streams.
 * Rows are buffered and copied every `batchRows` rows or `flushIntervalMs`, one COPY at a time.
 */
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type { Logger } from "pino";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { BookRecord, RecordSink, TradeRecord } from "./rows.js";

export const RECORDER_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS trades (
  ts_ns    bigint           NOT NULL,
  exchange text             NOT NULL,
  symbol   text             NOT NULL,
  price    double precision NOT NULL,
  amount   double precision NOT NULL,
  side     text             NOT NULL,
  trade_id text             NOT NULL,
  seq      bigint           NOT NULL
);
CREATE INDEX IF NOT EXISTS trades_symbol_ts_idx ON trades (exchange, symbol, ts_ns);
CREATE TABLE IF NOT EXISTS ob_snapshots (
  ts_ns    bigint             NOT NULL,
  exchange text               NOT NULL,
  symbol   text               NOT NULL,
  seq      bigint             NOT NULL,
  bid_px   double precision[] NOT NULL,
  bid_sz   double precision[] NOT NULL,
  ask_px   double precision[] NOT NULL,
  ask_sz   double precision[] NOT NULL
);
CREATE INDEX IF NOT EXISTS ob_snapshots_symbol_ts_idx ON ob_snapshots (exchange, symbol, ts_ns);
`;

const TRADE_COPY = "COPY trades (ts_ns, exchange, symbol, price, amount, side, trade_id, seq) FROM STDIN";
const BOOK_COPY = "COPY ob_snapshots (ts_ns, exchange, symbol, seq, bid_px, bid_sz, ask_px, ask_sz) FROM STDIN";

export interface PostgresSinkOptions {
  readonly url: string;
  readonly logger: Logger;
  readonly batchRows?: number;
  readonly flushIntervalMs?: number;
}

export class PostgresRecordSink implements RecordSink {
  private tradeRows: string[] = [];
  private bookRows: string[] = [];
  private copying: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly batchRows: number;

  private constructor(
    private readonly client: pg.Client,
    private readonly options: PostgresSinkOptions,
  ) {
    this.batchRows = options.batchRows ?? 5000;
    this.timer = setInterval(() => this.flush(), options.flushIntervalMs ?? 500);
  }

  /** Connects and creates the tables if missing; an error names the server (never the password). */
  static async open(options: PostgresSinkOptions): Promise<PostgresRecordSink> {
    const client = new pg.Client({ connectionString: options.url });
    try {
      await client.connect();
      await client.query(RECORDER_SCHEMA_SQL);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw new Error(`recorder: PostgreSQL at ${safeUrl(options.url)}: ${(err as Error).message}`);
    }
    return new PostgresRecordSink(client, options);
  }

  trade(r: TradeRecord): void {
    this.tradeRows.push(
      `${r.tsNs}\t${copyText(r.exchange)}\t${copyText(r.symbol)}\t` +
        `${r.price}\t${r.amount}\t${r.side}\t${copyText(r.tradeId)}\t${r.seq}\n`,
    );
    if (this.tradeRows.length >= this.batchRows) this.flush();
  }

  book(r: BookRecord): void {
    this.bookRows.push(
      `${r.tsNs}\t${copyText(r.exchange)}\t${copyText(r.symbol)}\t${r.seq}\t` +
        `{${r.bidPx.join(",")}}\t{${r.bidSz.join(",")}}\t{${r.askPx.join(",")}}\t{${r.askSz.join(",")}}\n`,
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
        if (trades.length > 0) await this.copy(TRADE_COPY, trades);
        if (books.length > 0) await this.copy(BOOK_COPY, books);
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

/** COPY text format: backslash, tab and newlines are escaped. */
function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c]!)
    : value;
}

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}
