import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { pino } from "pino";
import type { OrderEvent } from "../../src/actors/orders/events.js";
import { LocalJournal, replay } from "../../src/actors/orders/journal/local-log.js";
import { embeddedClient, postgresClient } from "../../src/actors/orders/journal/clients.js";
import { JournalStore, type SqlClient } from "../../src/actors/orders/journal/store.js";
import { JournalShipper } from "../../src/actors/orders/journal/shipper.js";
import type { VenueEvent } from "../../src/protocol/wire/engine.js";
import {
  MS,
  OrderHarness,
  T0,
  accepted,
  canceled,
  filled,
  newOrderManager,
  submitOrder,
} from "../../bench/order-harness.js";

const logger = pino({ level: "silent" });
const dir = mkdtempSync(join(tmpdir(), "leadlag-journal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
const freshPath = () => join(dir, `journal-${++fileNo}.log`);
const open = (path: string, fsync: "none" | "interval" | "every_event" = "interval") =>
  LocalJournal.open({ path, fsync, fsyncIntervalMs: 50 }, logger);

/** A realistic stream: submissions, acks, fills, cancels, with the live state kept by a harness. */
function tradingSession(orders: number): OrderHarness {
  const h = new OrderHarness();
  for (let i = 0; i < orders; i++) {
    const id = h.submit({
      tif: i % 3 === 0 ? "GTC" : "IOC",
      side: i % 2 === 0 ? "buy" : "sell",
      size: 1 + (i % 3),
      tsNs: T0 + BigInt(i) * MS,
    });
    h.venue(accepted(id, String(1000 + i)));
    h.venue(filled(id, `e${i}a`, 0.5, 3000 + i, { side: i % 2 === 0 ? "buy" : "sell" }));
    if (i % 3 === 0) h.cancel(id);
    h.venue(canceled(id));
  }
  return h;
}

function writeSession(path: string, h: OrderHarness): void {
  const { journal } = open(path);
  for (const { event } of h.journal) journal.append([event]);
  journal.close();
}

describe("local journal", () => {
  it("recovers every event and folds back to the live state", () => {
    const h = tradingSession(50);
    const path = freshPath();
    writeSession(path, h);
    const { journal, records, truncatedBytes, problem } = open(path);
    expect({ truncatedBytes, problem, n: records.length }).toEqual({
      truncatedBytes: 0,
      problem: "",
      n: h.journal.length,
    });
    expect(records.map((r) => r.event)).toEqual(h.journal.map((j) => j.event));
    const rebuilt = newOrderManager();
    replay(records, (e, s) => rebuilt.apply(e, s));
    expect(rebuilt.allOrders()).toEqual(h.core.allOrders());
    expect(rebuilt.ledger.allPositions()).toEqual(h.core.ledger.allPositions());
    expect(journal.lastSeq).toBe(BigInt(h.journal.length));
    journal.close();
  });

  it("a torn tail at any byte is detected, cut, and appending continues the sequence", () => {
    const h = tradingSession(8);
    const path = freshPath();
    writeSession(path, h);
    const full = readFileSync(path);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: full.length - 1 }), (cut) => {
        writeFileSync(path, full.subarray(0, cut));
        const { journal, records, truncatedBytes } = open(path, "every_event");
        expect(records.map((r) => r.event)).toEqual(h.journal.slice(0, records.length).map((j) => j.event));
        expect(statSync(path).size).toBe(cut - truncatedBytes);
        const [next] = journal.append([{ type: "BalanceSet", asset: "USDC", amount: 1, tsNs: T0 }]);
        expect(next.seq).toBe(BigInt(records.length + 1));
        journal.close();
        const reopened = open(path);
        reopened.journal.close();
        expect(reopened.records).toHaveLength(records.length + 1);
      }),
      { numRuns: 60 },
    );
  });

  it("a flipped byte in the last record fails its checksum and only that record is dropped", () => {
    const h = tradingSession(3);
    const path = freshPath();
    writeSession(path, h);
    const data = readFileSync(path);
    data[data.length - 3] ^= 0xff;
    writeFileSync(path, data);
    const { records, problem } = open(path);
    expect(problem).toBe("bad_checksum");
    expect(records).toHaveLength(h.journal.length - 1);
  });

  it("an empty file (created, never written) opens as an empty journal", () => {
    const path = freshPath();
    writeFileSync(path, "");
    truncateSync(path, 0);
    const { records, journal } = open(path);
    expect(records).toEqual([]);
    expect(journal.lastSeq).toBe(0n);
    journal.close();
  });

  it(
    "a rehearsed append writes nothing and uses no sequence number, and sizes exactly what the append then " + "writes",
    () => {
      const h = tradingSession(3);
      const path = freshPath();
      const { journal } = open(path);
      for (const { event } of h.journal) {
        const before = statSync(path).size;
        const seq = journal.lastSeq;
        const rehearsed = journal.rehearseAppend([event]);
        expect([statSync(path).size, journal.lastSeq]).toEqual([before, seq]);
        journal.append([event]);
        expect(statSync(path).size - before).toBe(rehearsed);
      }
      journal.close();
      const reopened = open(path);
      expect(reopened.records.map((r) => [r.seq, r.event])).toEqual(h.journal.map((j) => [j.seq, j.event]));
      reopened.journal.close();
    },
  );
});

// ─── the database tier, on the real PostgreSQL and on the embedded default ────────────────────────

const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const schema = `journal_test_${randomBytes(4).toString("hex")}`;

const backends: [string, () => Promise<SqlClient>][] = [
  ["postgresql", async () => postgresClient(DATABASE_URL)],
  ["embedded PGlite", async () => embeddedClient(join(dir, "pglite"))],
];

describe.each(backends)("journal store on %s", (_name, connect) => {
  let client: SqlClient;
  let store: JournalStore;

  beforeAll(async () => {
    client = await connect();
    store = new JournalStore(client, schema);
  });
  afterAll(async () => {
    await client.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.close();
  });

  it("applies versioned migrations once", async () => {
    expect(await store.migrate()).toEqual([1]);
    expect(await store.migrate()).toEqual([]);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations`);
    expect(rows.map((r) => Number(r.version))).toEqual([1]);
  });

  it("ships the local log idempotently and restores a lost local log from the database", async () => {
    const account = `acct-${randomBytes(3).toString("hex")}`;
    const h = tradingSession(40);
    const path = freshPath();
    const opened = open(path);
    const shipper = new JournalShipper(store, account, logger, { batchSize: 64 });
    await shipper.reconcile(opened.journal, opened.records);
    const records = h.journal.flatMap(({ event }) => opened.journal.append([event]));
    shipper.enqueue(records);
    // a crash after shipping part: re-shipping from the start changes nothing
    await store.insert(account, records.slice(0, 10));
    await shipper.drain();
    await store.insert(account, records);
    expect(await store.count(account)).toBe(records.length);
    expect(await store.maxSeq(account)).toBe(BigInt(records.length));
    const { rows } = await client.query<{ type: string; ts: string }>(
      `SELECT payload->>'type' AS type, payload->>'tsNs' AS ts FROM "${schema}".journal_events WHERE account_id = ` +
        `$1 AND seq = 2`,
      [account],
    );
    expect(rows[0]).toEqual({ type: "OrderSubmitted", ts: T0.toString() });
    opened.journal.close();

    // the local log is lost: a new one is rebuilt from the database, and folds to the same state
    rmSync(path);
    const fresh = open(path);
    const again = new JournalShipper(store, account, logger);
    const result = await again.reconcile(fresh.journal, fresh.records);
    expect(result.restored.map((r) => Number(r.seq)).slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(result.restored.map((r) => r.event)).toEqual(h.journal.map((j) => j.event) as OrderEvent[]);
    fresh.journal.close();
    const reopened = open(path);
    const rebuilt = newOrderManager();
    replay(reopened.records, (e, s) => rebuilt.apply(e, s));
    expect(rebuilt.allOrders()).toEqual(h.core.allOrders());
    reopened.journal.close();
  });

  it("on start queues only what the database lacks", async () => {
    const account = `acct-${randomBytes(3).toString("hex")}`;
    const path = freshPath();
    const { journal } = open(path);
    const h = tradingSession(5);
    const records = h.journal.flatMap(({ event }) => journal.append([event]));
    await store.insert(account, records.slice(0, 7));
    const shipper = new JournalShipper(store, account, logger);
    expect(await shipper.reconcile(journal, records)).toEqual({ queuedFromLocal: records.length - 7, restored: [] });
    await shipper.stop();
    expect(await store.count(account)).toBe(records.length);
    journal.close();
  });
});

describe("crash mid-stream", () => {
  type Input =
    | { kind: "submit"; side: "buy" | "sell"; size: number }
    | { kind: "fill"; order: number; exec: number; size: number }
    | { kind: "ack" | "cancel"; order: number };
  const inputArb = fc.oneof(
    fc.record({
      kind: fc.constant("submit" as const),
      side: fc.constantFrom("buy" as const, "sell" as const),
      size: fc.integer({ min: 1, max: 4 }),
    }),
    fc.record({
      kind: fc.constant("fill" as const),
      order: fc.nat(),
      exec: fc.integer({ min: 0, max: 30 }),
      size: fc.integer({ min: 1, max: 2 }),
    }),
    fc.record({ kind: fc.constantFrom("ack" as const, "cancel" as const), order: fc.nat() }),
  );

  /** Runs inputs through journal + core like the shell; a "crash" drops the core and rebuilds it from the file. */
  function run(inputs: readonly Input[], crashAt: number, path: string) {
    let opened = open(path);
    let core = newOrderManager("000000000000000a");
    const clIds: string[] = [];
    const placed: string[] = [];
    const record = (events: readonly OrderEvent[]) => {
      for (const r of opened.journal.append(events))
        for (const out of core.apply(r.event, r.seq).outputs) if (out.type === "PlaceOrder") placed.push(out.clId);
    };
    record([{ type: "BalanceSet", asset: "USDC", amount: 1_000_000, tsNs: T0 }]);
    inputs.forEach((input, i) => {
      if (i === crashAt) {
        opened.journal.close();
        opened = open(path);
        core = newOrderManager("000000000000000b"); // a new process: a new cloid session
        replay(opened.records, (e, s) => core.apply(e, s));
        // the engine redelivers nothing, but a duplicate of the last fill must still change nothing
        const lastFill = opened.records
          .map((r) => r.event)
          .filter((e) => e.type === "OrderFilled")
          .at(-1);
        if (lastFill) record(core.onVenueEvent(lastFill as VenueEvent));
      }
      if (input.kind === "submit") {
        const d = core.onSubmit(submitOrder({ side: input.side, size: input.size }), T0);
        if (d.ok) {
          clIds.push(d.event.clId);
          record([d.event]);
        }
        return;
      }
      if (clIds.length === 0) return;
      const clId = clIds[input.order % clIds.length];
      const side = core.order(clId)?.submitted.side ?? "buy";
      if (input.kind === "fill")
        record(core.onVenueEvent(filled(clId, `${clId}-${input.exec}`, input.size, 3000, { side })));
      else record(core.onVenueEvent(input.kind === "ack" ? accepted(clId) : canceled(clId)));
    });
    opened.journal.close();
    return { core, placed };
  }

  it(
    "after a crash at any point, positions and balances equal an uninterrupted run and no order is placed " + "twice",
    () => {
      fc.assert(
        fc.property(fc.array(inputArb, { minLength: 1, maxLength: 40 }), fc.nat(), (inputs, cut) => {
          const crashAt = cut % inputs.length;
          const clean = run(inputs, -1, freshPath());
          const crashed = run(inputs, crashAt, freshPath());
          expect(crashed.core.ledger.allPositions()).toEqual(clean.core.ledger.allPositions());
          expect(crashed.core.ledger.balance("USDC")).toEqual(clean.core.ledger.balance("USDC"));
          expect(crashed.core.allOrders().map((o) => [o.status, o.filledSize])).toEqual(
            clean.core.allOrders().map((o) => [o.status, o.filledSize]),
          );
          expect(new Set(crashed.placed).size).toBe(crashed.placed.length);
          expect(crashed.placed.length).toBe(clean.placed.length);
        }),
        { numRuns: 100 },
      );
    },
  );
});
