import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { compiledUrl } from "../../src/runtime/paths.js";
import { startSystem } from "../../src/supervisor/system.js";
import type { Supervisor } from "../../src/supervisor/supervisor.js";
import { parseConfig } from "../../src/config/index.js";
import { actorModule } from "../../src/supervisor/children.js";
import { actorSections } from "../../src/supervisor/sections.js";
import type { PlaceOrder } from "../../src/protocol/orders.js";
import { LocalJournal } from "../../src/actors/orders/journal/local-log.js";
import { embeddedClient, postgresClient } from "../../src/actors/orders/journal/clients.js";
import { JournalStore, type SqlClient } from "../../src/actors/orders/journal/store.js";
import { readHolder } from "../../src/actors/orders/journal/lock.js";
import { scanRecords } from "../../src/actors/orders/journal/record.js";
import { waitFor } from "../fixtures/wait.js";
import type { OrdersStatus } from "../../src/protocol/status.js";

const databaseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const driver = compiledUrl(new URL("../fixtures/actors/orders-driver.ts", import.meta.url)).href;
const silent = pino({ level: "silent" });
const logLevel = process.env.TEST_LOG ?? "silent";

function ordersConfig(dir: string, accountId: string, database: "postgresql" | "embedded") {
  return parseConfig(
    `
mode: live
symbol_rules_path: configs/symbol_rules.csv
runtime:
  account_id: ${accountId}
  ${database === "postgresql" ? `database_url: ${databaseUrl}` : `db_path: ${path.join(dir, "db")}`}
  journal: { path: ${path.join(dir, "journal.log")}, fsync: interval }
market_data: { provider: zmq }
execution: { provider: paper, mode: paper }
initial_balance: { USDC: 1000000 }
strategies: [{ name: s, type: leadlag, config: { symbols: [BTC-USDT-PERP] } }]
`,
    { env: {} },
  );
}

let running: Supervisor | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await running?.stop();
  running = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

type Database = "postgresql" | "embedded";

async function startOrders(dir: string, accountId: string, database: Database, count: number, placed: PlaceOrder[]) {
  const onPlace = (o: PlaceOrder) => placed.push(o);
  const section = actorSections(ordersConfig(dir, accountId, database)).orders();
  const saved = process.env.DATABASE_URL;
  // The embedded database is used when no URL is set; a worker copies the environment when it is spawned.
  if (database === "embedded") delete process.env.DATABASE_URL;
  try {
    return await startSystem(
      [
        {
          name: "driver",
          module: driver,
          thread: "main",
          config: { count, instrument: 0, symbol: "BTC-USDT-PERP", price: 100_000, size: 0.001, onPlace },
        },
        { name: "orders", module: actorModule("orders"), thread: "worker-orders", config: section },
      ],
      { log: silent, logLevel, faultInjection: true },
    );
  } finally {
    if (saved !== undefined) process.env.DATABASE_URL = saved;
  }
}

const status = () => running!.actorStatus("orders") as OrdersStatus | undefined;
const restarts = () => running!.actors().find((a) => a.name === "orders")!.restarts;
const qty = () => status()?.positions[0]?.qty ?? 0;

/** After the daemon stopped: the journal replays whole and the database holds exactly its records, byte for byte. */
async function expectOneWriter(dir: string, accountId: string, client: SqlClient, count: number): Promise<void> {
  const options = { path: path.join(dir, "journal.log"), fsync: "none", fsyncIntervalMs: 100 } as const;
  const reopened = LocalJournal.open(options, silent);
  reopened.journal.close();
  expect(reopened.problem).toBe("");
  expect(reopened.truncatedBytes).toBe(0);
  const types = reopened.records.map((r) => r.event.type);
  expect(types.filter((t) => t === "OrderSubmitted")).toHaveLength(count);
  expect(types.filter((t) => t === "OrderFilled")).toHaveLength(count);
  expect(types.filter((t) => t === "BalanceSet")).toHaveLength(1);
  expect(reopened.records.map((r) => r.seq)).toEqual(reopened.records.map((_, i) => BigInt(i + 1)));
  const stored = await new JournalStore(client).recordsAfter(accountId, 0n, 1_000_000);
  expect(stored.map((r) => r.seq)).toEqual(reopened.records.map((r) => r.seq));
  const hex = (r: { payload: Uint8Array }) => Buffer.from(r.payload).toString("hex");
  expect(stored.map(hex)).toEqual(reopened.records.map(hex));
}

describe("order manager crashed during its start-up", () => {
  it("while its embedded database opens, three times: one writer, the journal whole, fills booked once", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-startup-crash-"));
    dirs.push(dir);
    const placed: PlaceOrder[] = [];
    const count = 200;
    running = await startOrders(dir, "embedded-crash", "embedded", count, placed);
    // The embedded database takes seconds to open; each crash lands in the next 50 ms timer tick.
    for (let i = 1; i <= 3; i++) {
      expect(running.crashActor("orders")).toBe(true);
      await waitFor(() => restarts() === i);
    }
    await waitFor(() => placed.length === count && Math.abs(qty() - count * 0.001) < 1e-9, 60_000);
    // Statuses are shipped every 100 ms: the one read may still be from before the last inputs were released.
    await waitFor(() => status()?.health.status === "ok");
    await running.stop();
    running = undefined;

    expect(new Set(placed.map((o) => o.clId)).size).toBe(count);
    const holder = readHolder(path.join(dir, "journal.log.lock"));
    expect(holder).toMatchObject({ pid: process.pid, owner: "orders incarnation 4" });
    const client = await embeddedClient(path.join(dir, "db"));
    try {
      await expectOneWriter(dir, "embedded-crash", client, count);
    } finally {
      await client.close();
    }
  }, 120_000);

  const steps = ["orders:load-registry", "orders:open-database", "orders:migrate", "orders:max-seq", "orders:restore"];
  it.each(steps)("at %s: one writer afterwards, the journal replays whole, nothing lost", async (step) => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-startup-step-"));
    dirs.push(dir);
    const accountId = `startup-${step.replace(/\W/g, "-")}-${process.pid}-${Date.now()}`;
    const placed: PlaceOrder[] = [];
    const count = 300;
    const client = postgresClient(databaseUrl);
    try {
      running = await startOrders(dir, accountId, "postgresql", count, placed);
      const journalPath = path.join(dir, "journal.log");
      /** Every record of the local log is in the database (read while the daemon runs: no lock needed to read). */
      const allShipped = async () =>
        (await new JournalStore(client).count(accountId)) === scanRecords(readFileSync(journalPath)).records.length;
      const waitForShipping = async () => {
        let done = false;
        // The log is briefly absent while the restore test replaces it: then not shipped yet.
        await waitFor(
          () => (
            void allShipped().then(
              (d) => (done = d),
              () => (done = false),
            ),
            done
          ),
        );
      };
      if (step === "orders:restore") {
        // A restore needs the database ahead of the local log: everything traded and shipped, then the log lost.
        await waitFor(() => placed.length === count && Math.abs(qty() - count * 0.001) < 1e-9);
        await waitForShipping();
        unlinkSync(journalPath);
      } else {
        await waitFor(() => placed.length >= count / 3);
      }
      // The next incarnation crashes when it reaches the step; the one after it must come up whole.
      expect(running.crashActor("orders", step)).toBe(true);
      expect(running.crashActor("orders")).toBe(true);
      await waitFor(() => restarts() === 2 && running!.actors().find((a) => a.name === "orders")!.state === "running");
      expect(running.actors().find((a) => a.name === "orders")!.lastError).toContain(`crash at ${step}`);
      await waitFor(() => placed.length === count && Math.abs(qty() - count * 0.001) < 1e-9);
      await waitForShipping();
      // Statuses are shipped every 100 ms: the one read may still be from before the last inputs were released.
      await waitFor(() => status()?.health.status === "ok");
      await running.stop();
      running = undefined;

      expect(placed).toHaveLength(count);
      expect(new Set(placed.map((o) => o.clId)).size).toBe(count);
      expect(readHolder(path.join(dir, "journal.log.lock"))).toMatchObject({ owner: "orders incarnation 3" });
      await expectOneWriter(dir, accountId, client, count);
    } finally {
      await client.close();
    }
  });
});
