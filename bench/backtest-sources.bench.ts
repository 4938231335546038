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

/** Events/s through a source's batches; with `feed`, each event also through the feed core (decode + book rebuild). */
async function drain(source: ReplaySource, feed?: FeedCore): Promise<{ events: number; seconds: number }> {
  const t0 = performance.now();
  let events = 0;
  for await (const batch of source.batches()) {
    events += batch.length;
    if (feed) for (const e of batch) feed.onMessage(e.topic, e.wire, e.recvNs);
  }
  await source.close();
  return { events, seconds: (performance.now() - t0) / 1000 };
}

function feedCore(): FeedCore {
  const ignore = () => undefined;
  return new FeedCore(
    { registry: symbolRules(), lookbackNs: 0n, staleAfterNs: NS_PER_S, maxClockSkewNs: 2n * NS_PER_S },
    { trade: ignore, book: ignore },
  );
}

/**
 * The replay sources on one recording (the synthetic market's three symbols through the recorder; one
 * hour, `--quick` five minutes): events/s decoded from the CSV directory, the PostgreSQL tables and the
 * Arrow replay file (best of three), the file also through the feed core (`data_only_events_per_s`:
 * decode + book rebuild), file sizes and PostgreSQL rows/s.
 */
export const backtestSourcesBench: Bench = {
  name: "backtest-sources",
  summary: "replay sources: events/s from CSV, PostgreSQL and the Arrow replay file, file sizes",
  async run({ quick }) {
    const seconds = quick ? 300 : 3600;
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-bench-sources-"));
    const suffix = `${process.pid}_${Date.now()}`;
    const tables = { trades: `bench_trades_${suffix}`, books: `bench_books_${suffix}` };
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    try {
      const pgSink = await PostgresRecordSink.open({
        url: DATABASE_URL,
        logger: pino({ level: "silent" }),
        tables,
        batchRows: BATCH_SIZE,
      });
      const counts = await recordSynthetic(seconds, new FanOutSink([new CsvRecordSink(dir, 10), pgSink]));
      await admin.query(`ANALYZE ${tables.trades}; ANALYZE ${tables.books}`);
      const options = { window: WHOLE_WINDOW, batchSize: BATCH_SIZE };
      const file = path.join(dir, "replay.arrow");
      const t0 = performance.now();
      await writeColumnarFile(await CsvDirectorySource.open(dir, options), file);
      const convertSeconds = (performance.now() - t0) / 1000;
      const best = async (open: () => Promise<ReplaySource>, feed: boolean) => {
        let top = 0;
        for (let i = 0; i < 3; i++) {
          const r = await drain(await open(), feed ? feedCore() : undefined);
          top = Math.max(top, r.events / r.seconds);
        }
        return round(top, 0);
      };
      const csv = await drain(await CsvDirectorySource.open(dir, options));
      const pgRun = await drain(await PostgresSource.open(DATABASE_URL, tables, options));
      const size = (f: string) => statSync(path.join(dir, f)).size;
      return {
        bench: "backtest-sources",
        recording_s: seconds,
        symbols: 3,
        trades: counts.trades,
        books: counts.books,
        csv_events_per_s: round(csv.events / csv.seconds, 0),
        postgresql_rows_per_s: round(pgRun.events / pgRun.seconds, 0),
        columnar_events_per_s: await best(() => ColumnarFileSource.open(file, options), false),
        data_only_events_per_s: await best(() => ColumnarFileSource.open(file, options), true),
        convert_s: round(convertSeconds, 2),
        csv_bytes: size("trades.csv") + size("books.csv"),
        columnar_bytes: size("replay.arrow"),
        batch_size: BATCH_SIZE,
      };
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${tables.trades}, ${tables.books}`).catch(() => undefined);
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
