import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { pino } from "pino";
import type { OrderEvent } from "../src/actors/orders/events.js";
import type { OrderStatusChanged } from "../src/protocol/orders.js";
import { LocalJournal, replay, type FsyncPolicy } from "../src/actors/orders/journal/local-log.js";
import { embeddedClient, postgresClient } from "../src/actors/orders/journal/clients.js";
import { JournalStore, type SqlClient } from "../src/actors/orders/journal/store.js";
import { JournalShipper } from "../src/actors/orders/journal/shipper.js";
import { RiskCore } from "../src/actors/risk/core.js";
import { serializePlace } from "../src/protocol/wire/engine.js";
import { ETH_PERP, MS, OrderHarness, T0, accepted, canceled, filled, newOrderManager } from "./order-harness.js";
import { percentile, round, sortedCopy, type Bench } from "./bench.js";
import { priceRulesOf } from "../src/model/instruments.js";

const logger = pino({ level: "silent" });
const DEFAULT_FSYNC: FsyncPolicy = "interval"; // runtime.journal.fsync default
const FSYNC_INTERVAL_MS = 100;

/** A realistic event mix (submit, ack, fills, cancels) of about `n` events, as the order manager journals it. */
function sessionEvents(n: number): OrderEvent[] {
  const h = new OrderHarness();
  h.balance("USDC", 1e12);
  for (let i = 0; h.journal.length < n; i++) {
    const side = i % 2 === 0 ? "buy" : "sell";
    const id = h.submit({ side, size: 2, tif: i % 4 === 0 ? "GTC" : "IOC", tsNs: T0 + BigInt(i) * MS });
    h.venue(accepted(id, String(i)));
    h.venue(filled(id, `x${i}`, 1, 3000 + (i % 7), { side }));
    h.venue(canceled(id));
  }
  return h.journal.slice(0, n).map((j) => j.event);
}

function appendRate(
  path: string,
  events: readonly OrderEvent[],
  fsync: FsyncPolicy,
): { perSecond: number; p50: number; p99: number } {
  const { journal } = LocalJournal.open({ path, fsync, fsyncIntervalMs: FSYNC_INTERVAL_MS }, logger);
  const times = new Float64Array(events.length);
  const started = process.hrtime.bigint();
  for (let i = 0; i < events.length; i++) {
    const t = process.hrtime.bigint();
    journal.append([events[i]]);
    times[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  journal.close();
  const sorted = sortedCopy(times);
  return { perSecond: events.length / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function databaseClient(): Promise<{ client: SqlClient; backend: string }> {
  const url = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
  const client = postgresClient(url);
  try {
    await client.query("SELECT 1");
    return { client, backend: "postgresql" };
  } catch {
    await client.close();
    return { client: await embeddedClient("memory://"), backend: "pglite" };
  }
}

/** Risk → order manager (journal included) → wire frame: the order path up to the PUSH socket, in-process. */
function orderPathPieces(dir: string, n: number): { p50: number; p99: number } {
  const risk = new RiskCore({
    limits: () => ({
      inventoryBands: {},
      pxBandBp: 100,
      maxNotionalPerOrder: 1e9,
      maxOpenOrders: 1e9,
      maxGrossUsd: 1e12,
      maxLeverage: 1e6,
    }),
    breaker: { enabled: false },
    instrument: () => ({
      ...{ id: 1, symbol: ETH_PERP.symbol, marketType: "perp", base: "ETH", quote: "USDC", lotSize: 0.001 },
      priceRules: priceRulesOf("hyperliquid", "perpetual", 0.01, 3),
    }),
  });
  risk.onAccount({ type: "AccountUpdated", accountId: "a", asset: "USDC", total: 1e12, locked: 0, tsNs: T0 });
  const orders = newOrderManager();
  const { journal } = LocalJournal.open(
    { path: join(dir, "path.log"), fsync: DEFAULT_FSYNC, fsyncIntervalMs: FSYNC_INTERVAL_MS },
    logger,
  );
  journal
    .append([{ type: "BalanceSet", asset: "USDC", amount: 1e12, tsNs: T0 }])
    .forEach((r) => orders.apply(r.event, r.seq));
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const now = T0 + BigInt(i) * MS;
    risk.onBook(ETH_PERP.symbol, 3000, now);
    const t = process.hrtime.bigint();
    const d = risk.onPropose(
      {
        type: "ProposeOrder",
        strategy: "s",
        intentId: `i${i}`,
        instrument: 1,
        symbol: ETH_PERP.symbol,
        marketType: "perp",
        side: "buy",
        orderType: "limit",
        tif: "IOC",
        price: 3001,
        size: 0.01,
        reduceOnly: false,
        role: "entry",
        tsNs: now,
      },
      now,
    );
    if (d.kind !== "submit") throw new Error(`bench order denied: ${d.message.reason}`);
    const s = orders.onSubmit(d.message, now);
    if (!s.ok) throw new Error(s.detail);
    const statuses: OrderStatusChanged[] = [];
    for (const r of journal.append([s.event])) {
      for (const out of orders.apply(r.event, r.seq).outputs) {
        if (out.type === "PlaceOrder")
          serializePlace(out, {
            ...{ venue: "hyperliquid", engineSymbol: out.symbol, lotSize: 0.001 },
            priceRules: priceRulesOf("hyperliquid", "perpetual", 0.01, 3),
          });
        else if (out.type === "OrderStatusChanged") statuses.push(out);
      }
    }
    times[i] = Number(process.hrtime.bigint() - t) / 1000;
    // Untimed: the venue ends the order and risk hears about it, so open orders stay at a steady level.
    for (const r of journal.append([canceled(s.event.clId)])) {
      for (const out of orders.apply(r.event, r.seq).outputs) if (out.type === "OrderStatusChanged") statuses.push(out);
    }
    for (const st of statuses) risk.onOrderStatus(st);
  }
  journal.close();
  const sorted = sortedCopy(times);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

export const journalBench: Bench = {
  name: "journal",
  summary: "order journal: events/s into the local log (default fsync) and to PostgreSQL, recovery of 100k events",
  async run({ quick }) {
    const dir = mkdtempSync(join(tmpdir(), "leadlag-journal-bench-"));
    try {
      const n = quick ? 30_000 : 100_000;
      const events = sessionEvents(100_000);

      appendRate(join(dir, "warmup.log"), events.slice(0, 5_000), DEFAULT_FSYNC);
      const local = appendRate(join(dir, "local.log"), events.slice(0, n), DEFAULT_FSYNC);
      const everyEvent = appendRate(join(dir, "every.log"), events.slice(0, quick ? 1_000 : 5_000), "every_event");

      const recoveryPath = join(dir, "recovery.log");
      appendRate(recoveryPath, events, "none");
      const recoveryStart = process.hrtime.bigint();
      const opened = LocalJournal.open(
        { path: recoveryPath, fsync: DEFAULT_FSYNC, fsyncIntervalMs: FSYNC_INTERVAL_MS },
        logger,
      );
      const core = newOrderManager();
      replay(opened.records, (e, s) => core.apply(e, s));
      const recoveryMs = Number(process.hrtime.bigint() - recoveryStart) / 1e6;
      opened.journal.close();

      const { client, backend } = await databaseClient();
      const schema = `journal_bench_${randomBytes(4).toString("hex")}`;
      let shippedPerSecond = 0;
      try {
        const store = new JournalStore(client, schema);
        await store.migrate();
        const shipper = new JournalShipper(store, "bench", logger, { batchSize: 1000 });
        const toShip = opened.records.slice(0, quick ? 10_000 : 50_000);
        shipper.enqueue(toShip);
        const shipStart = process.hrtime.bigint();
        await shipper.drain();
        shippedPerSecond = toShip.length / (Number(process.hrtime.bigint() - shipStart) / 1e9);
      } finally {
        await client.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.close();
      }

      const path = orderPathPieces(dir, quick ? 5_000 : 20_000);
      return {
        bench: "journal",
        fsync: DEFAULT_FSYNC,
        n,
        local_events_per_s: Math.round(local.perSecond),
        append_us_p50: round(local.p50),
        append_us_p99: round(local.p99),
        every_event_events_per_s: Math.round(everyEvent.perSecond),
        shipped_events_per_s: Math.round(shippedPerSecond),
        db: backend,
        recovery_events: opened.records.length,
        recovery_ms: round(recoveryMs, 1),
        risk_to_frame_us_p50: round(path.p50),
        risk_to_frame_us_p99: round(path.p99),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
