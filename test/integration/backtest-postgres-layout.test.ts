import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import pg from "pg";
import { pino } from "pino";
import { packedLevelColumns, PostgresRecordSink } from "../../src/backtest/recorder/postgres-sink.js";
import type { BookRecord, TradeRecord } from "../../src/backtest/recorder/rows.js";
import { contentProblem } from "../../src/backtest/sources/checks.js";
import { bookEvent, eventText, TopicTable, tradeEvent } from "../../src/backtest/sources/events.js";
import { WHOLE_WINDOW } from "../../src/backtest/sources/open.js";
import { PostgresSource } from "../../src/backtest/sources/postgres.js";
import type { ReplayEvent, ReplaySource } from "../../src/backtest/sources/source.js";
import { fromRoot } from "../../src/runtime/paths.js";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
// A private schema per run: other suites (and other checkouts) share the test database.
const schema = `book_layout_test_${process.pid}_${Date.now()}`;
const all = { window: WHOLE_WINDOW, batchSize: 64 };
const START = 1_763_380_800_000_000_000n;

/** The book table as a recorder before packed levels made it (and before recv_ns and kind). */
const legacyBookTable = (t: string) =>
  `CREATE TABLE ${t} (ts_ns bigint NOT NULL, exchange text NOT NULL, symbol text NOT NULL, seq bigint NOT NULL,
   bid_px double precision[] NOT NULL, bid_sz double precision[] NOT NULL,
   ask_px double precision[] NOT NULL, ask_sz double precision[] NOT NULL)`;

type Row = { trade: TradeRecord } | { book: BookRecord };

/** Mostly plausible values, some that the checks must drop (NaN, ±Infinity, ≤ 0, out of range), -0 and denormals. */
const value = (min: number, max: number) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.double({ min, max, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity, -1, 0, -0, 5e-324, 2e15) },
  );
const side = (min: number, max: number) =>
  fc.integer({ min: 0, max: 10 }).chain((n) =>
    fc.tuple(
      fc.array(value(min, max), { minLength: n, maxLength: n }),
      // Now and then one size fewer than prices: a length mismatch.
      fc.oneof({ weight: 9, arbitrary: fc.constant(n) }, { weight: 1, arbitrary: fc.constant(Math.max(0, n - 1)) }),
    ),
  );
const rowArb = fc.oneof(
  fc.record({
    trade: fc.record({
      price: value(1, 1e5),
      amount: value(1e-3, 10),
      side: fc.constantFrom("buy", "sell", "buy", "sell", "hold"),
      tradeId: fc.stringMatching(/^[a-z0-9]{1,8}$/),
      symbol: fc.constantFrom("BTC-USDC-PERP", "ETH-USDC-PERP"),
    }),
  }),
  fc.record({
    book: fc.record({
      kind: fc.constantFrom("checkpoint", "checkpoint", "snapshot", "invalid"),
      bids: side(1, 100),
      asks: side(100, 200),
      sizes: fc.array(value(0, 50), { minLength: 10, maxLength: 10 }),
      symbol: fc.constantFrom("BTC-USDC-PERP", "ETH-USDC-PERP"),
    }),
  }),
);

type Drawn = typeof rowArb extends fc.Arbitrary<infer T> ? T : never;

/** Recorder rows in replay order (receipt times increasing, one seq per row: nothing a duplicate). */
function recorderRows(drawn: Drawn[]): Row[] {
  return drawn.map((d, i) => {
    const recvNs = START + BigInt(i) * 1000n + 7n;
    const base = { tsNs: recvNs - 500n, recvNs, exchange: "HYPERLIQUID", seq: i + 1 };
    if ("trade" in d) {
      const { symbol, price, amount, side, tradeId } = d.trade;
      return { trade: { ...base, symbol, price, amount, side: side as "buy", tradeId } };
    }
    const { kind, bids, asks, sizes, symbol } = d.book;
    const invalid = kind === "invalid";
    const levels = ([px, n]: [number[], number]) => ({ px: invalid ? [] : px, sz: invalid ? [] : sizes.slice(0, n) });
    const b = levels(bids);
    const a = levels(asks);
    return {
      book: { ...base, symbol, kind: kind as "checkpoint", bidPx: b.px, bidSz: b.sz, askPx: a.px, askSz: a.sz },
    };
  });
}

/** -0 goes through COPY's text format (trades, array levels) as 0; packed levels keep it. */
const viaText = (x: number) => (Object.is(x, -0) ? 0 : x);

function expectedEvent(topics: TopicTable, row: Row, arrays: boolean): ReplayEvent {
  if ("trade" in row) {
    const r = row.trade;
    const [price, amount] = [viaText(r.price), viaText(r.amount)];
    return tradeEvent(topics, r.tsNs, r.recvNs, r.exchange, r.symbol, price, amount, r.side, r.tradeId, r.seq);
  }
  const r = row.book;
  const arr = (v: readonly number[]) => (arrays ? v.map(viaText) : [...v]);
  return bookEvent(
    topics,
    r.kind,
    r.tsNs,
    r.recvNs,
    r.exchange,
    r.symbol,
    r.seq,
    arr(r.bidPx),
    arr(r.bidSz),
    arr(r.askPx),
    arr(r.askSz),
  );
}

/** Every number of the wire message, in a fixed order: what `Object.is` compares. */
function numbers(event: ReplayEvent): number[] {
  const w = event.wire;
  if ("trade_id" in w) return [w.price, w.amount, w.seq];
  if ("bid_px" in w) return [...w.bid_px, -1, ...w.bid_sz, -1, ...w.ask_px, -1, ...w.ask_sz, w.seq];
  if ("bids" in w) return [...w.bids.flat(), -1, ...w.asks.flat(), w.seq];
  return [w.seq];
}

async function drain(source: ReplaySource): Promise<ReplayEvent[]> {
  const out: ReplayEvent[] = [];
  for await (const batch of source.batches()) out.push(...batch);
  await source.close();
  return out;
}

describe("PostgreSQL book layouts", () => {
  const url = `${DATABASE_URL}${DATABASE_URL.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const admin = new pg.Client({ connectionString: url });
  let tableNo = 0;
  const freshTables = () => {
    tableNo++;
    return { trades: `trades_${tableNo}`, books: `books_${tableNo}` };
  };

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
  });

  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
  });

  it("random rows round-trip exactly through the recorder's tables, packed or arrays; bad values are counted drops", async () => {
    let dropped = 0;
    let replayed = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { minLength: 1, maxLength: 40 }), fc.boolean(), async (drawn, legacy) => {
        const tables = freshTables();
        if (legacy) await admin.query(legacyBookTable(tables.books));
        const rows = recorderRows(drawn);
        const sink = await PostgresRecordSink.open({ url, logger: pino({ level: "silent" }), tables });
        for (const row of rows) "trade" in row ? sink.trade(row.trade) : sink.book(row.book);
        await sink.close();
        expect(await packedLevelColumns(admin, tables.books)).toEqual(Array(4).fill(!legacy));

        const topics = new TopicTable();
        const expected = rows.map((r) => expectedEvent(topics, r, legacy));
        const problems = expected.map(contentProblem);
        const drops: Record<string, number> = {};
        for (const p of problems) if (p) drops[p] = (drops[p] ?? 0) + 1;
        const kept = expected.filter((_, i) => problems[i] === undefined);

        const source = await PostgresSource.open(url, tables, all);
        const got = await drain(source);
        expect(source.drops()).toEqual(drops);
        expect(got.map(eventText)).toEqual(kept.map(eventText));
        // Bit for bit: -0 stays -0 (JSON would not tell), every double its own.
        got.forEach((e, i) => {
          const [a, b] = [numbers(e), numbers(kept[i])];
          expect(a.length).toBe(b.length);
          a.forEach((x, j) =>
            expect(Object.is(x, b[j]), `${e.topic.name} seq ${e.wire.seq}: ${x} vs ${b[j]}`).toBe(true),
          );
        });
        dropped += problems.filter(Boolean).length;
        replayed += got.length;
        await admin.query(`DROP TABLE ${tables.trades}, ${tables.books}`);
      }),
      { numRuns: 12 },
    );
    // The values drawn do both: rows replayed and rows dropped.
    expect(dropped).toBeGreaterThan(0);
    expect(replayed).toBeGreaterThan(0);
  }, 120_000);

  it("converts an older table's arrays to packed levels with the SQL of docs/market-data.md, same events", async () => {
    const tables = freshTables();
    await admin.query(legacyBookTable(tables.books));
    const level = (i: number) => [100 - i, 99.5 - i];
    const sink = await PostgresRecordSink.open({ url, logger: pino({ level: "silent" }), tables });
    for (let i = 0; i < 50; i++) {
      const base = { tsNs: START + BigInt(i) * 1000n, recvNs: START + BigInt(i) * 1000n + 3n, exchange: "HYPERLIQUID" };
      const kind = i % 10 === 9 ? "invalid" : "checkpoint";
      const levels = kind === "invalid" ? [] : level(i % 7);
      sink.book({
        ...base,
        symbol: "BTC-USDC-PERP",
        seq: i + 1,
        kind,
        bidPx: levels,
        bidSz: [1, 2],
        askPx: levels.map((p) => p + 1),
        askSz: [0.5, 1e-9],
      });
    }
    await sink.close();
    const before = await drain(await PostgresSource.open(url, tables, all));
    expect(before).toHaveLength(50);

    const docs = readFileSync(fromRoot("docs/market-data.md"), "utf8");
    const sql = /```sql\n(CREATE FUNCTION pg_temp\.pack_levels[\s\S]*?)```/.exec(docs)?.[1];
    expect(sql, "the migration block in docs/market-data.md").toBeDefined();
    await admin.query(sql!.replaceAll("ob_snapshots", tables.books));
    expect(await packedLevelColumns(admin, tables.books)).toEqual([true, true, true, true]);
    const after = await drain(await PostgresSource.open(url, tables, all));
    expect(after.map(eventText)).toEqual(before.map(eventText));
  });

  it("counts rows it cannot decode as bad_row and replays the rest", async () => {
    const tables = freshTables();
    await admin.query(
      `CREATE TABLE ${tables.trades} (ts_ns bigint, recv_ns bigint, exchange text, symbol text, price float8,
         amount float8, side text, trade_id text, seq bigint);
       CREATE TABLE ${tables.books} (ts_ns bigint, recv_ns bigint, exchange text, symbol text, seq bigint,
         kind text, bid_px bytea, bid_sz bytea, ask_px bytea, ask_sz bytea)`,
    );
    const one = "'\\x4059000000000000'::bytea"; // 100.0
    const two = "'\\x4069000000000000'::bytea"; // 200.0
    const row = (seq: number, kind: string, bidPx: string, symbol = "'BTC-USDC-PERP'") =>
      `(${seq}, ${seq}, 'HYPERLIQUID', ${symbol}, ${seq}, ${kind}, ${bidPx}, ${one}, ${two}, ${one})`;
    await admin.query(
      `INSERT INTO ${tables.books} VALUES ${[
        row(1, "'checkpoint'", one),
        row(2, "'checkpoint'", "'\\x40590000000000'::bytea"), // 7 bytes: not a whole double
        row(3, "'checkpoint'", "NULL"),
        row(4, "'sideways'", one),
        row(5, "NULL", one),
        row(6, "'checkpoint'", one, "NULL"),
        row(7, "'snapshot'", one),
      ].join(", ")};
       INSERT INTO ${tables.trades} VALUES (8, 8, 'HYPERLIQUID', 'BTC-USDC-PERP', 100, NULL, 'buy', 'a', 8),
         (9, 9, 'HYPERLIQUID', 'BTC-USDC-PERP', 100, 1, 'buy', 'b', 9)`,
    );
    const source = await PostgresSource.open(url, tables, all);
    const got = await drain(source);
    expect(got.map((e) => `${e.topic.stream}:${e.wire.seq}`)).toEqual([
      "preprocessed_book_ckpt:1",
      "preprocessed_book:7",
      "preprocessed_trades:9",
    ]);
    expect(source.drops()).toEqual({ bad_row: 6 });
    expect(source.stats()).toMatchObject({ rows: 9, events: 3 });
  });

  it("names a level column the book table lacks", async () => {
    const tables = freshTables();
    await admin.query(
      `CREATE TABLE ${tables.trades} (ts_ns bigint, exchange text, symbol text, price float8, amount float8,
         side text, trade_id text, seq bigint);
       CREATE TABLE ${tables.books} (ts_ns bigint, exchange text, symbol text, seq bigint, bid_px bytea,
         bid_sz bytea, ask_px bytea)`,
    );
    await expect(PostgresSource.open(url, tables, all)).rejects.toThrow(`table ${tables.books} lacks column ask_sz`);
  });
});
