import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import pg from "pg";
import { pino } from "pino";
import { parseSymbolRules } from "../../src/model/instruments.js";
import { SyntheticMarket, type SyntheticMessage } from "../../src/actors/market-synth/generator.js";
import { syntheticSpecFromConfig } from "../../src/actors/market-synth/spec.js";
import { booksCsvHeader, CsvRecordSink, TRADES_CSV_HEADER } from "../../src/backtest/recorder/csv-sink.js";
import { unpackLevels, viewOf } from "../../src/backtest/recorder/packed-levels.js";
import { PostgresRecordSink } from "../../src/backtest/recorder/postgres-sink.js";
import { Recorder } from "../../src/backtest/recorder/recorder.js";
import type { BookRecord, RecordSink, TradeRecord } from "../../src/backtest/recorder/rows.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { marketDataSchema } from "../../src/config/schema/market-data.js";
import { CKPT_2, CKPT_TOPIC, DELTA_3, DELTA_TOPIC } from "../fixtures/marketstream-examples.js";

const registry = parseSymbolRules(readFileSync(fromRoot("configs/symbol_rules.csv"), "utf8"));
const START = 1_763_380_800_000_000_000n;
const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

function syntheticMessages(seconds: number): SyntheticMessage[] {
  const market = new SyntheticMarket(syntheticSpecFromConfig(marketDataSchema.parse({}).synthetic, registry), START);
  const out: SyntheticMessage[] = [];
  market.advance(START + BigInt(seconds) * 1_000_000_000n, (m) => out.push(m));
  return out;
}

/** What the recorder should write, captured in memory from the same feed. */
class MemorySink implements RecordSink {
  trades: TradeRecord[] = [];
  books: BookRecord[] = [];
  trade(r: TradeRecord) {
    this.trades.push(r);
  }
  book(r: BookRecord) {
    this.books.push(r);
  }
  async close() {}
}

const MAX_SKEW_NS = 2_000_000_000n;

function record(sink: RecordSink, messages: readonly SyntheticMessage[], levels = 10): Recorder {
  const recorder = new Recorder(registry, levels, MAX_SKEW_NS, sink);
  for (const m of messages) recorder.onFrame(m.topic, m.payload, m.tsNs);
  return recorder;
}

describe("recorder", () => {
  const messages = syntheticMessages(20);
  const expected = new MemorySink();
  record(expected, messages);

  it("writes trades.csv and books.csv that read back to exactly what the feed produced", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-rec-"));
    try {
      await record(new CsvRecordSink(dir, 10), messages).close();
      const trades = readFileSync(path.join(dir, "trades.csv"), "utf8").trimEnd().split("\n");
      const books = readFileSync(path.join(dir, "books.csv"), "utf8").trimEnd().split("\n");
      expect(trades[0]).toBe(TRADES_CSV_HEADER);
      expect(books[0]).toBe(booksCsvHeader(10));
      expect(trades.length - 1).toBe(expected.trades.length);
      expect(books.length - 1).toBe(expected.books.length);
      const readTrades = trades.slice(1).map((line) => {
        const [ts, recv, exchange, symbol, price, amount, side, tradeId, seq] = line.split(",");
        return {
          tsNs: BigInt(ts),
          recvNs: BigInt(recv),
          exchange,
          symbol,
          price: Number(price),
          amount: Number(amount),
          side,
          tradeId,
          seq: Number(seq),
        };
      });
      expect(readTrades).toEqual(expected.trades);
      const cells = books[1].split(",");
      const first = expected.books[0];
      expect(BigInt(cells[0])).toBe(first.tsNs);
      expect(BigInt(cells[1])).toBe(first.recvNs);
      expect(cells.slice(2, 6)).toEqual([first.exchange, first.symbol, String(first.seq), "checkpoint"]);
      expect(cells.slice(6, 26).map(Number)).toEqual(first.bidPx.flatMap((p, i) => [p, first.bidSz[i]]));
      expect(cells.slice(26, 46).map(Number)).toEqual(first.askPx.flatMap((p, i) => [p, first.askSz[i]]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("leaves cells empty for absent levels, writes one invalid row when the book turns invalid, none after", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-rec-"));
    try {
      const recorder = new Recorder(registry, 4, MAX_SKEW_NS, new CsvRecordSink(dir, 4));
      recorder.onFrame(CKPT_TOPIC, CKPT_2, 1763380800200000001n);
      recorder.onFrame(DELTA_TOPIC, DELTA_3.replace('"seq":3', '"seq":9'), 1763380800700000001n);
      recorder.onFrame(DELTA_TOPIC, DELTA_3.replace('"seq":3', '"seq":10'), 1763380800700000002n);
      await recorder.close();
      const books = readFileSync(path.join(dir, "books.csv"), "utf8").trimEnd().split("\n");
      expect(books.slice(1)).toEqual([
        "1763380800200000000,1763380800200000001,HYPERLIQUID,BTC-USDC-PERP,2,checkpoint,97000,1.2345,96999,0.5," +
          "96998,2,,,97001,0.8,97002,1.1,97003,3,,",
        "1763380800700000000,1763380800700000001,HYPERLIQUID,BTC-USDC-PERP,9,invalid,,,,,,,,,,,,,,,,",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("to PostgreSQL", () => {
    // A private schema per run: other suites may use tables of the same names in the shared test database.
    const schema = `recorder_test_${process.pid}_${Date.now()}`;
    const searchPath = encodeURIComponent(`-c search_path=${schema}`);
    const url = `${DATABASE_URL}${DATABASE_URL.includes("?") ? "&" : "?"}options=${searchPath}`;
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    afterAll(async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await admin.end();
    });

    it("creates the tables, COPYs in batches and reads back exactly", async () => {
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      const sink = await PostgresRecordSink.open({ url, logger: pino({ level: "silent" }), batchRows: 100 });
      await record(sink, messages).close();
      const reader = new pg.Client({ connectionString: url });
      await reader.connect();
      try {
        const trades = await reader.query(
          "SELECT ts_ns::text, recv_ns::text, exchange, symbol, price, amount, side, trade_id, seq FROM trades " +
            "ORDER BY seq, " +
            "symbol, ts_ns",
        );
        const sorted = [...expected.trades].sort(
          (a, b) => a.seq - b.seq || a.symbol.localeCompare(b.symbol) || Number(a.tsNs - b.tsNs),
        );
        expect(
          trades.rows.map((r) => ({
            tsNs: BigInt(r.ts_ns),
            recvNs: BigInt(r.recv_ns),
            exchange: r.exchange,
            symbol: r.symbol,
            price: r.price,
            amount: r.amount,
            side: r.side,
            tradeId: r.trade_id,
            seq: Number(r.seq),
          })),
        ).toEqual(sorted);
        const books = await reader.query(
          "SELECT ts_ns::text, exchange, symbol, seq, bid_px, bid_sz, ask_px, ask_sz FROM ob_snapshots",
        );
        expect(books.rowCount).toBe(expected.books.length);
        const byKey = new Map(books.rows.map((r) => [`${r.symbol}/${r.seq}`, r]));
        // Levels are packed bytea: float64 big-endian, best level first.
        const levels = (bytes: Buffer) => unpackLevels(viewOf(bytes), 0, bytes.length);
        for (const b of expected.books) {
          const row = byKey.get(`${b.symbol}/${b.seq}`);
          expect({
            tsNs: BigInt(row.ts_ns),
            bidPx: levels(row.bid_px),
            bidSz: levels(row.bid_sz),
            askPx: levels(row.ask_px),
            askSz: levels(row.ask_sz),
          }).toEqual({ tsNs: b.tsNs, bidPx: b.bidPx, bidSz: b.bidSz, askPx: b.askPx, askSz: b.askSz });
        }
      } finally {
        await reader.end();
      }
    });

    it("names the server when it cannot connect", async () => {
      await expect(
        PostgresRecordSink.open({
          url: "postgresql://postgres:secret@127.0.0.1:1/none",
          logger: pino({ level: "silent" }),
        }),
      ).rejects.toThrow(/PostgreSQL at postgresql:\/\/127\.0\.0\.1:1\/none/);
    });
  });
});
