import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { pino } from "pino";
import { FeedCore } from "../../src/actors/feed/core.js";
import { CsvRecordSink } from "../../src/backtest/recorder/csv-sink.js";
import { PostgresRecordSink } from "../../src/backtest/recorder/postgres-sink.js";
import { ColumnarFileSource, writeColumnarFile } from "../../src/backtest/sources/columnar.js";
import { CsvDirectorySource } from "../../src/backtest/sources/csv.js";
import { eventText } from "../../src/backtest/sources/events.js";
import { WHOLE_WINDOW } from "../../src/backtest/sources/open.js";
import { PostgresSource } from "../../src/backtest/sources/postgres.js";
import type { ReplayEvent, ReplaySource, SourceOptions } from "../../src/backtest/sources/source.js";
import type { Book, Trade } from "../../src/protocol/market-data.js";
import { fromRoot } from "../../src/runtime/paths.js";
import {
  FanOutSink,
  MemorySink,
  RECORDING_START_NS,
  recordSynthetic,
  symbolRules,
  syntheticFrames,
} from "../../bench/backtest-recording.js";
import { freePort } from "../fixtures/ports.js";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const S = 1_000_000_000n;
const SECONDS = 60;
const suffix = `${process.pid}_${Date.now()}`;
const tables = { trades: `src_test_trades_${suffix}`, books: `src_test_books_${suffix}` };
const all: SourceOptions = { window: WHOLE_WINDOW, batchSize: 20000 };
const execFileAsync = promisify(execFile);

async function texts(source: ReplaySource): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of source.batches()) for (const e of batch) out.push(eventText(e));
  await source.close();
  return out;
}

async function events(source: ReplaySource): Promise<ReplayEvent[]> {
  const out: ReplayEvent[] = [];
  for await (const batch of source.batches()) out.push(...batch);
  await source.close();
  return out;
}

describe("backtest sources", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "leadlag-sources-"));
  const memory = new MemorySink();
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  const file = path.join(dir, "replay.arrow");

  beforeAll(async () => {
    await admin.connect();
    const pgSink = await PostgresRecordSink.open({ url: DATABASE_URL, logger: pino({ level: "silent" }), tables });
    await recordSynthetic(SECONDS, new FanOutSink([new CsvRecordSink(path.join(dir, "rec"), 10), pgSink, memory]));
    await writeColumnarFile(await CsvDirectorySource.open(path.join(dir, "rec"), all), file);
  });

  afterAll(async () => {
    await admin.query(`DROP TABLE IF EXISTS ${tables.trades}, ${tables.books}`).catch(() => undefined);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it("CSV, PostgreSQL and the replay file give byte-for-byte the same events, in receipt-time order", async () => {
    const csv = await texts(await CsvDirectorySource.open(path.join(dir, "rec"), all));
    const fromPg = await texts(await PostgresSource.open(DATABASE_URL, tables, all));
    const columnar = await texts(await ColumnarFileSource.open(file, all));
    expect(csv.length).toBe(memory.trades.length + memory.books.length);
    expect(fromPg).toEqual(csv);
    expect(columnar).toEqual(csv);
    const evs = await events(await ColumnarFileSource.open(file, all));
    for (let i = 1; i < evs.length; i++) expect(evs[i].recvNs >= evs[i - 1].recvNs).toBe(true);
    // Both times are carried, and differ (the recorder's recv_ns is leadlag's own receipt time).
    expect(evs.every((e) => e.exchTsNs === e.wire.receipt_timestamp_ns && e.recvNs > e.exchTsNs)).toBe(true);
  });

  it("applies the window (receipt time) and the symbol filter on every source, and probes the same counts", async () => {
    const window = { startNs: RECORDING_START_NS + 10n * S, endNs: RECORDING_START_NS + 20n * S };
    const options = { window, symbols: ["ETH-USDC-PERP", "XRP-USDC-PERP"], batchSize: 500 };
    const expected = (await events(await CsvDirectorySource.open(path.join(dir, "rec"), all))).filter(
      (e) => e.recvNs >= window.startNs && e.recvNs < window.endNs && e.topic.symbol === "ETH-USDC-PERP",
    );
    expect(expected.length).toBeGreaterThan(100);
    const opened = [
      await CsvDirectorySource.open(path.join(dir, "rec"), options),
      await PostgresSource.open(DATABASE_URL, tables, options),
      await ColumnarFileSource.open(file, options),
    ];
    for (const source of opened) {
      const probe = await source.probe();
      expect(Object.fromEntries(probe.perSymbol)).toEqual({ "ETH-USDC-PERP": expected.length, "XRP-USDC-PERP": 0 });
      expect(await texts(source)).toEqual(expected.map(eventText));
    }
  });

  it("reports zero events per symbol for a window with no data", async () => {
    const window = { startNs: RECORDING_START_NS - 100n * S, endNs: RECORDING_START_NS - 50n * S };
    const options = { window, symbols: ["BTC-USDC-PERP", "SOL-USDC-PERP"], batchSize: 100 };
    for (const source of [
      await CsvDirectorySource.open(path.join(dir, "rec"), options),
      await PostgresSource.open(DATABASE_URL, tables, options),
      await ColumnarFileSource.open(file, options),
    ]) {
      const probe = await source.probe();
      expect(probe.total).toBe(0);
      expect(Object.fromEntries(probe.perSymbol)).toEqual({ "BTC-USDC-PERP": 0, "SOL-USDC-PERP": 0 });
      expect(await texts(source)).toEqual([]);
    }
  });

  it("never holds more than batch_size decoded rows per input", async () => {
    for (const batchSize of [7, 300]) {
      const options = { window: WHOLE_WINDOW, batchSize };
      for (const source of [
        await CsvDirectorySource.open(path.join(dir, "rec"), options),
        await PostgresSource.open(DATABASE_URL, tables, options),
        await ColumnarFileSource.open(file, options),
      ]) {
        let batches = 0;
        for await (const batch of source.batches()) {
          expect(batch.length).toBeLessThanOrEqual(batchSize);
          batches++;
        }
        const peaks = Object.values(source.stats().peakHeldRows);
        expect(peaks.length).toBeGreaterThan(0);
        for (const peak of peaks) expect(peak).toBeLessThanOrEqual(batchSize);
        expect(Math.max(...peaks)).toBe(batchSize);
        expect(batches).toBeGreaterThan(1);
        await source.close();
      }
    }
  });

  it("replays into the feed core the books and trades the live feed produced", async () => {
    const trades: Trade[] = [];
    const books: Book[] = [];
    const feed = new FeedCore(
      { registry: symbolRules(), lookbackNs: 0n, staleAfterNs: S, maxClockSkewNs: 2n * S },
      { trade: (t) => trades.push(t), book: (b) => books.push(b) },
    );
    for (const e of await events(await PostgresSource.open(DATABASE_URL, tables, all)))
      expect(feed.onMessage(e.topic, e.wire, e.recvNs)).toBeUndefined();
    // The live feed, fed the frames the recording was made from, at the same receipt times.
    const live = { trades: [] as Trade[], books: [] as Book[] };
    const liveFeed = new FeedCore(
      { registry: symbolRules(), lookbackNs: 0n, staleAfterNs: S, maxClockSkewNs: 2n * S },
      { trade: (t) => live.trades.push(t), book: (b) => live.books.push(b) },
    );
    syntheticFrames(SECONDS, (topic, payload, recvNs) => liveFeed.onFrame(topic, payload, recvNs));
    expect(trades).toEqual(live.trades);
    expect(trades.length).toBeGreaterThan(100);
    expect(books).toEqual(live.books);
  });

  describe("bad input", () => {
    const bad = path.join(dir, "bad");

    it("counts and skips unreadable rows by reason", async () => {
      const header = "ts_ns,recv_ns,exchange,symbol,price,amount,side,trade_id,seq";
      const t = (recv: number, price: string, seq: number, side = "buy") =>
        `${1000 + recv},${2000 + recv},HYPERLIQUID,BTC-USDC-PERP,${price},1,${side},id${seq},${seq}`;
      const trades = [
        header,
        t(1, "100", 1),
        t(2, "NaN", 2),
        t(3, "-5", 3),
        t(4, "101", 1), // the seq of the row before it in its stream
        t(0, "101", 5), // goes back in receipt time
        t(6, "102", 6, "hold"),
        "1,2,3", // wrong cell count
        t(7, "103", 7),
      ];
      const bookHeader = "ts_ns,recv_ns,exchange,symbol,seq,kind,bid_px_0,bid_sz_0,ask_px_0,ask_sz_0";
      const books = [
        bookHeader,
        "1001,2001,HYPERLIQUID,BTC-USDC-PERP,1,checkpoint,99,1,100,1",
        "1002,2002,HYPERLIQUID,BTC-USDC-PERP,2,checkpoint,101,1,100,1", // crossed
        "1003,2003,HYPERLIQUID,BTC-USDC-PERP,3,checkpoint,99,-1,100,1",
        "1004,2004,HYPERLIQUID,BTC-USDC-PERP,4,sideways,99,1,100,1",
        "1005,2005,HYPERLIQUID,BTC-USDC-PERP,5,checkpoint,99,1,100,1",
      ];
      const { mkdirSync } = await import("node:fs");
      mkdirSync(bad, { recursive: true });
      writeFileSync(path.join(bad, "trades.csv"), trades.join("\n") + "\n");
      writeFileSync(path.join(bad, "books.csv"), books.join("\n") + "\n");
      const source = await CsvDirectorySource.open(bad, all);
      const seqs = (await events(source)).map((e) => `${e.topic.stream}:${e.wire.seq}`);
      expect(seqs).toEqual([
        "preprocessed_trades:1",
        "preprocessed_book_ckpt:1",
        "preprocessed_book_ckpt:5",
        "preprocessed_trades:7",
      ]);
      expect(source.drops()).toEqual({
        bad_row: 2,
        nan_price: 1,
        nonpositive_price: 1,
        negative_size: 1,
        bad_side: 1,
        crossed_book: 1,
        duplicate: 1,
        out_of_order: 1,
      });
      expect(source.stats()).toMatchObject({ rows: 13, events: 4 });
    });

    it("reads files an older recorder wrote: receipt time = ts_ns, every book a checkpoint", async () => {
      const legacy = path.join(dir, "legacy");
      const { mkdirSync } = await import("node:fs");
      mkdirSync(legacy, { recursive: true });
      writeFileSync(
        path.join(legacy, "trades.csv"),
        "ts_ns,exchange,symbol,price,amount,side,trade_id,seq\n5,HYPERLIQUID,BTC-USDC-PERP,100,1,sell,x,1\n",
      );
      writeFileSync(
        path.join(legacy, "books.csv"),
        "ts_ns,exchange,symbol,seq,bid_px_0,bid_sz_0,ask_px_0,ask_sz_0\n4,HYPERLIQUID,BTC-USDC-PERP,1,99,1,,\n",
      );
      const evs = await events(await CsvDirectorySource.open(legacy, all));
      expect(evs.map((e) => [e.recvNs, e.exchTsNs, e.topic.name])).toEqual([
        [4n, 4n, "HYPERLIQUID-preprocessed_book_ckpt-BTC-USDC-PERP"],
        [5n, 5n, "HYPERLIQUID-preprocessed_trades-BTC-USDC-PERP"],
      ]);
    });

    it("names the missing column and the file or table", async () => {
      const missing = path.join(dir, "missing");
      const { mkdirSync } = await import("node:fs");
      mkdirSync(missing, { recursive: true });
      writeFileSync(path.join(missing, "trades.csv"), "ts_ns,exchange,symbol,price,amount,side,trade_id\n");
      writeFileSync(path.join(missing, "books.csv"), readFileSync(path.join(dir, "rec", "books.csv")));
      await expect(CsvDirectorySource.open(missing, all)).rejects.toThrow(/trades\.csv .* lacks column seq$/);
      const table = `src_test_old_${suffix}`;
      await admin.query(`CREATE TABLE ${table} (ts_ns bigint, exchange text, symbol text, price float8, seq bigint)`);
      try {
        await expect(PostgresSource.open(DATABASE_URL, { trades: table, books: tables.books }, all)).rejects.toThrow(
          `table ${table} lacks columns amount, side, trade_id`,
        );
      } finally {
        await admin.query(`DROP TABLE ${table}`);
      }
      await expect(ColumnarFileSource.open(path.join(dir, "rec", "books.csv"), all)).rejects.toThrow(
        /is not an Arrow IPC file/,
      );
    });

    it("says in one line which server it cannot reach", async () => {
      const port = await freePort();
      const url = `postgresql://postgres:secret@127.0.0.1:${port}/none`;
      const error = await PostgresSource.open(url, tables, all).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(`cannot reach PostgreSQL at 127.0.0.1:${port}: ECONNREFUSED`);
    });
  });

  describe("leadlag data (CLI)", () => {
    const bin = fromRoot("bin/leadlag.js");

    it("imports recorder CSV into PostgreSQL and converts the tables to the same replay file", async () => {
      const imported = { trades: `cli_trades_${suffix}`, books: `cli_books_${suffix}` };
      try {
        const { stdout } = await execFileAsync("node", [
          bin,
          "data",
          "import",
          path.join(dir, "rec"),
          "--to",
          DATABASE_URL,
          "--trade-table",
          imported.trades,
          "--book-table",
          imported.books,
        ]);
        expect(JSON.parse(stdout)).toMatchObject({
          trades: memory.trades.length,
          books: memory.books.length,
          skipped: {},
        });
        const out = path.join(dir, "from-pg.arrow");
        const converted = await execFileAsync("node", [
          bin,
          "data",
          "convert",
          DATABASE_URL,
          "--out",
          out,
          "--trade-table",
          imported.trades,
          "--book-table",
          imported.books,
        ]);
        expect(JSON.parse(converted.stdout)).toMatchObject({ rows: memory.trades.length + memory.books.length });
        expect(await texts(await ColumnarFileSource.open(out, all))).toEqual(
          await texts(await ColumnarFileSource.open(file, all)),
        );
      } finally {
        await admin.query(`DROP TABLE IF EXISTS ${imported.trades}, ${imported.books}`);
      }
    });

    it("converts a window of a CSV directory and exits 1 with one line for an unreachable database", async () => {
      const out = path.join(dir, "window.arrow");
      const { stdout } = await execFileAsync("node", [
        bin,
        "data",
        "convert",
        path.join(dir, "rec"),
        "--out",
        out,
        "--start",
        "2025-11-17T12:00:10Z",
        "--end",
        "2025-11-17T12:00:20Z",
        "--symbols",
        "BTC-USDC-PERP",
      ]);
      const evs = await events(await ColumnarFileSource.open(out, all));
      expect(JSON.parse(stdout).rows).toBe(evs.length);
      expect(evs.length).toBeGreaterThan(50);
      const inWindow = (ns: bigint) => ns >= RECORDING_START_NS + 10n * S && ns < RECORDING_START_NS + 20n * S;
      expect(evs.every((e) => e.topic.symbol === "BTC-USDC-PERP" && inWindow(e.recvNs))).toBe(true);
      const port = await freePort();
      const failed = await execFileAsync("node", [
        bin,
        "data",
        "convert",
        `postgresql://postgres@127.0.0.1:${port}/x`,
        "--out",
        out,
      ]).catch((e: { code: number; stderr: string }) => e);
      expect(failed).toMatchObject({
        code: 1,
        stderr: `leadlag data: cannot reach PostgreSQL at 127.0.0.1:${port}: ECONNREFUSED\n`,
      });
    });
  });
});
