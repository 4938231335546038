import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import pg from "pg";
import { FeedCore } from "../src/actors/feed/core.js";
import { CsvRecordSink } from "../src/backtest/recorder/csv-sink.js";
import { PostgresRecordSink } from "../src/backtest/recorder/postgres-sink.js";
import { ColumnarFileSource, writeColumnarFile } from "../src/backtest/sources/columnar.js";
import { CsvDirectorySource } from "../src/backtest/sources/csv.js";
import { WHOLE_WINDOW } from "../src/backtest/sources/open.js";
import { PostgresSource } from "../src/backtest/sources/postgres.js";
import type { ReplaySource } from "../src/backtest/sources/source.js";
import { NS_PER_S } from "../src/model/time.js";
import type { Bench } from "./bench.js";
import { round } from "./bench.js";
import { FanOutSink, recordSynthetic, symbolRules } from "./backtest-recording.js";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const BATCH_SIZE = 20000;

/**
 * A source's batches drained; with `feed`, each event also through the feed core (decode + book rebuild).
 * Wall seconds, and this process's CPU seconds (for PostgreSQL: the client's share, the server's is not in it).
 */
async function drain(source: ReplaySource, feed?: FeedCore): Promise<{ events: number; seconds: number; cpu: number }> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let events = 0;
  for await (const batch of source.batches()) {
    events += batch.length;
    if (feed) for (const e of batch) feed.onMessage(e.topic, e.wire, e.recvNs);
  }
  await source.close();
  const cpu = process.cpuUsage(cpu0);
  return { events, seconds: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

/** Best of three drains: events per wall second and per CPU second of this process. */
async function best(open: () => Promise<ReplaySource>, feed = false): Promise<{ wall: number; cpu: number }> {
  let wall = 0;
  let cpu = 0;
  for (let i = 0; i < 3; i++) {
    const r = await drain(await open(), feed ? feedCore() : undefined);
    wall = Math.max(wall, r.events / r.seconds);
    cpu = Math.max(cpu, r.events / r.cpu);
  }
  return { wall: round(wall, 0), cpu: round(cpu, 0) };
}

/** The book table as recorders before packed levels made it: `double precision[]` levels (the baseline layout). */
const arrayBookTableSql = (table: string) =>
  `CREATE TABLE ${table} (ts_ns bigint NOT NULL, recv_ns bigint NOT NULL, exchange text NOT NULL,
   symbol text NOT NULL, seq bigint NOT NULL, kind text NOT NULL, bid_px double precision[] NOT NULL,
   bid_sz double precision[] NOT NULL, ask_px double precision[] NOT NULL, ask_sz double precision[] NOT NULL)`;

function feedCore(): FeedCore {
  const ignore = () => undefined;
  return new FeedCore(
    { registry: symbolRules(), lookbackNs: 0n, staleAfterNs: NS_PER_S, maxClockSkewNs: 2n * NS_PER_S },
    { trade: ignore, book: ignore },
  );
}

/**
 * The replay sources on one recording (the synthetic market's three symbols through the recorder; one
 * hour, `--quick` five minutes), each read, decoded into replay events and merged, no strategy (best of
 * three): the CSV directory, the PostgreSQL tables (book levels packed `bytea`, and the same rows in an
 * older recorder's `double precision[]` layout, the baseline) and the Arrow replay file, the file also
 * through the feed core (`data_only_events_per_s`: decode + book rebuild); `cpu_*`: per CPU second of
 * this process (PostgreSQL: the client's share only); file and table sizes.
 */
export const backtestSourcesBench: Bench = {
  name: "backtest-sources",
  summary: "replay sources: events/s from CSV, PostgreSQL and the Arrow replay file, file sizes",
  async run({ quick }) {
    const seconds = quick ? 300 : 3600;
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-bench-sources-"));
    const suffix = `${process.pid}_${Date.now()}`;
    const tables = { trades: `bench_trades_${suffix}`, books: `bench_books_${suffix}` };
    const arrayTables = { trades: `bench_trades_arr_${suffix}`, books: `bench_books_arr_${suffix}` };
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(arrayBookTableSql(arrayTables.books));
      const sink = (t: typeof tables) =>
        PostgresRecordSink.open({
          url: DATABASE_URL,
          logger: pino({ level: "silent" }),
          tables: t,
          batchRows: BATCH_SIZE,
        });
      const sinks = [new CsvRecordSink(dir, 10), await sink(tables), await sink(arrayTables)];
      const counts = await recordSynthetic(seconds, new FanOutSink(sinks));
      const all = [tables.trades, tables.books, arrayTables.trades, arrayTables.books];
      await admin.query(all.map((t) => `ANALYZE ${t};`).join(" "));
      const options = { window: WHOLE_WINDOW, batchSize: BATCH_SIZE };
      const file = path.join(dir, "replay.arrow");
      const t0 = performance.now();
      await writeColumnarFile(await CsvDirectorySource.open(dir, options), file);
      const convertSeconds = (performance.now() - t0) / 1000;
      const csv = await best(() => CsvDirectorySource.open(dir, options));
      const packed = await best(() => PostgresSource.open(DATABASE_URL, tables, options));
      const arrays = await best(() => PostgresSource.open(DATABASE_URL, arrayTables, options));
      const columnar = await best(() => ColumnarFileSource.open(file, options));
      const dataOnly = await best(() => ColumnarFileSource.open(file, options), true);
      const size = (f: string) => statSync(path.join(dir, f)).size;
      const tableBytes = async (t: string) =>
        Number((await admin.query<{ n: string }>("SELECT pg_total_relation_size($1)::int8 AS n", [t])).rows[0].n);
      return {
        bench: "backtest-sources",
        recording_s: seconds,
        symbols: 3,
        trades: counts.trades,
        books: counts.books,
        csv_events_per_s: csv.wall,
        postgresql_rows_per_s: packed.wall,
        postgresql_arrays_rows_per_s: arrays.wall,
        postgresql_speedup: round(packed.wall / arrays.wall, 2),
        columnar_events_per_s: columnar.wall,
        data_only_events_per_s: dataOnly.wall,
        cpu_csv_events_per_s: csv.cpu,
        cpu_postgresql_rows_per_s: packed.cpu,
        cpu_postgresql_arrays_rows_per_s: arrays.cpu,
        cpu_columnar_events_per_s: columnar.cpu,
        convert_s: round(convertSeconds, 2),
        csv_bytes: size("trades.csv") + size("books.csv"),
        columnar_bytes: size("replay.arrow"),
        postgresql_book_table_bytes: await tableBytes(tables.books),
        postgresql_arrays_book_table_bytes: await tableBytes(arrayTables.books),
        batch_size: BATCH_SIZE,
      };
    } finally {
      const drop = [tables.trades, tables.books, arrayTables.trades, arrayTables.books].join(", ");
      await admin.query(`DROP TABLE IF EXISTS ${drop}`).catch(() => undefined);
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
