/**
 * The recorder's PostgreSQL tables as a source (`backtest.data_source.trade_table` / `book_table`).
 * Each table is streamed with `COPY (SELECT … ORDER BY …) TO STDOUT (FORMAT binary)` on its own connection
 * and parsed as the bytes arrive (postgres-copy.ts, postgres-rows.ts); the two are merged. COPY rather
 * than a server-side cursor: measured faster (docs/backtest.md), one round trip instead of one per FETCH,
 * and binary values need no text parsing (int8 and float8 exact). Memory: the stream is read a chunk at a
 * time as the merge asks for rows, so what is held is one network chunk plus at most one event chunk per
 * table.
 *
 * Tables an older recorder wrote read with `recv_ns` = `ts_ns` where the column is absent or NULL, every
 * book row a checkpoint where `kind` is absent, and book levels from `double precision[]` columns where
 * they are not packed `bytea` (slower: docs/backtest.md). A table that lacks any other column is refused,
 * naming it.
 */
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import {
  LEVEL_COLUMNS,
  packedLevelColumns,
  quoteTable,
  REPLAY_KEY,
  type RecorderTables,
} from "../recorder/postgres-sink.js";
import { RowGate } from "./checks.js";
import { TopicTable } from "./events.js";
import type { SortedInput } from "./merge.js";
import { MergedSource, probeResult } from "./merged-source.js";
import { CopyInput } from "./postgres-copy.js";
import { BookRows, type RowDecoder, TradeRows } from "./postgres-rows.js";
import { SourceError, type SourceOptions, type SourceProbe } from "./source.js";

const TRADE_COLUMNS = ["ts_ns", "exchange", "symbol", "price", "amount", "side", "trade_id", "seq"];
const BOOK_COLUMNS = ["ts_ns", "exchange", "symbol", "seq", ...LEVEL_COLUMNS];

/** Where a URL points, for messages: host and port (never the password). */
export function serverOf(url: string): { host: string; port: number; database: string } {
  try {
    const u = new URL(url);
    return {
      host: decodeURIComponent(u.hostname) || "localhost",
      port: u.port ? Number(u.port) : 5432,
      database: decodeURIComponent(u.pathname.slice(1)),
    };
  } catch {
    throw new SourceError("the PostgreSQL URL is not a URL (expected postgresql://user@host:port/database)");
  }
}

/** Connects, or fails with one line naming host and port. */
export async function connect(url: string): Promise<pg.Client> {
  const { host, port } = serverOf(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on("error", () => undefined); // a dropped connection fails the query in flight, which reports it
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    const e = err as NodeJS.ErrnoException;
    const why = e.code && /^E[A-Z]+$/.test(e.code) ? e.code : e.message.split("\n")[0];
    throw new SourceError(`cannot reach PostgreSQL at ${host}:${port}: ${why}`);
  }
  return client;
}

interface TableColumns {
  readonly name: string;
  readonly hasRecv: boolean;
  readonly hasKind: boolean;
  /** Book table: per level column, packed `bytea` (else an older recorder's array). */
  readonly packed: readonly boolean[];
}

async function tableColumns(client: pg.Client, table: string, required: readonly string[]): Promise<TableColumns> {
  const found = await client.query<{ attname: string }>(
    "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped",
    [quoteTable(table)],
  );
  if (found.rowCount === 0) throw new SourceError(`table ${table} does not exist`);
  const names = new Set(found.rows.map((r) => r.attname));
  const missing = required.filter((c) => !names.has(c));
  if (missing.length > 0)
    throw new SourceError(`table ${table} lacks column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  const packed = required.includes(LEVEL_COLUMNS[0]) ? await packedLevelColumns(client, table) : [];
  return { name: table, hasRecv: names.has("recv_ns"), hasKind: names.has("kind"), packed };
}

export class PostgresSource extends MergedSource {
  private readonly clients: pg.Client[] = [];

  private constructor(
    private readonly url: string,
    private readonly trades: TableColumns,
    private readonly books: TableColumns,
    options: SourceOptions,
  ) {
    const { host, port, database } = serverOf(url);
    super(`PostgreSQL ${host}:${port}/${database} tables ${trades.name}, ${books.name}`, options);
  }

  /** Connects and checks both tables (`SourceError`: unreachable server, missing table or column). */
  static async open(url: string, tables: RecorderTables, options: SourceOptions): Promise<PostgresSource> {
    const client = await connect(url);
    try {
      const trades = await tableColumns(client, tables.trades, TRADE_COLUMNS);
      const books = await tableColumns(client, tables.books, BOOK_COLUMNS);
      return new PostgresSource(url, trades, books, options);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Rows per symbol in the window: a `count(*)` per table on the receipt-time index. */
  async probe(): Promise<SourceProbe> {
    const client = await connect(this.url);
    const counts = new Map<string, number>();
    try {
      for (const table of [this.trades, this.books]) {
        const sql = `SELECT symbol, count(*)::int8 AS n FROM ${quoteTable(table.name)} WHERE ${this.where(table, client)} GROUP BY symbol`;
        const { rows } = await client.query<{ symbol: string; n: string }>(sql);
        for (const r of rows) counts.set(r.symbol, (counts.get(r.symbol) ?? 0) + Number(r.n));
      }
    } finally {
      await client.end().catch(() => undefined);
    }
    return probeResult(this.options.symbols, counts);
  }

  protected async openInputs(): Promise<SortedInput[]> {
    const topics = new TopicTable();
    const inputs: SortedInput[] = [];
    for (const [table, decoder] of [
      [this.trades, new TradeRows(topics)],
      [this.books, new BookRows(topics, this.books.packed)],
    ] as [TableColumns, RowDecoder][]) {
      const client = await connect(this.url);
      this.clients.push(client);
      const stream = client.query(copyTo(`COPY (${this.select(table, client)}) TO STDOUT (FORMAT binary)`));
      const gate = new RowGate(this.dropCounts, false);
      inputs.push(new CopyInput(table.name, client, stream, this.options.batchSize, gate, decoder));
    }
    return inputs;
  }

  protected override async release(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.end().catch(() => undefined)));
  }

  private recvOf(table: TableColumns): string {
    return table.hasRecv ? "coalesce(recv_ns, ts_ns)" : "ts_ns";
  }

  private where(table: TableColumns, client: pg.Client): string {
    const recv = this.recvOf(table);
    const { startNs, endNs } = this.options.window;
    let where = `${recv} >= ${startNs} AND ${recv} < ${endNs}`;
    const symbols = this.options.symbols;
    if (symbols !== undefined)
      where += ` AND symbol IN (${symbols.length ? symbols.map((s) => client.escapeLiteral(s)).join(", ") : "NULL"})`;
    return where;
  }

  /** Columns in the order the decoders read them, cast to the types they parse; sorted as `compareEvents`. */
  private select(table: TableColumns, client: pg.Client): string {
    const recv = this.recvOf(table);
    const levels = LEVEL_COLUMNS.map((c, i) => (table.packed[i] ? c : `${c}::float8[]`)).join(", ");
    const columns =
      table === this.trades
        ? "price::float8, amount::float8, side::text, trade_id::text, seq::int8"
        : `seq::int8, ${table.hasKind ? "kind::text" : "'checkpoint'::text"}, ${levels}`;
    return (
      `SELECT ts_ns::int8, ${recv}::int8, exchange::text, symbol::text, ${columns} ` +
      `FROM ${quoteTable(table.name)} WHERE ${this.where(table, client)} ` +
      `ORDER BY ${table.hasRecv ? REPLAY_KEY : REPLAY_KEY.replace("coalesce(recv_ns, ts_ns)", "ts_ns")}`
    );
  }
}
