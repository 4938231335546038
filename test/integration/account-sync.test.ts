import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { XPublisher } from "zeromq";
import { compiledUrl } from "../../src/runtime/paths.js";
import { startSystem } from "../../src/supervisor/system.js";
import type { Supervisor } from "../../src/supervisor/supervisor.js";
import { parseConfig } from "../../src/config/index.js";
import { actorModule } from "../../src/supervisor/children.js";
import { actorSections } from "../../src/supervisor/sections.js";
import type { OrderDenied, PlaceOrder } from "../../src/protocol/orders.js";
import type { OrdersStatus } from "../../src/protocol/status.js";
import type { AccountSnapshot } from "../../src/protocol/account.js";
import { ACCOUNT_SNAPSHOT_TOPIC, serializeAccountSnapshot } from "../../src/protocol/wire/account-sync.js";
import { freePort } from "../fixtures/ports.js";
import { waitFor } from "../fixtures/wait.js";

const databaseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const driver = compiledUrl(new URL("../fixtures/actors/account-driver.ts", import.meta.url)).href;
const PRICE = 100_000;

function liveConfig(dir: string, accountId: string, port: number) {
  return parseConfig(
    `
mode: live
runtime:
  account_id: ${accountId}
  database_url: ${databaseUrl}
  journal: { path: ${path.join(dir, "journal.log")}, fsync: interval }
market_data: { provider: zmq }
execution: { provider: zmq, mode: live }
initial_balance: { USDC: 1000 }
strategies: [{ name: s, type: leadlag, config: { symbols: [BTC-USDT-PERP], perp_leverage: 1 } }]
risk:
  reconciliation: { position_tolerance_usd: 50, trip_after_snapshots: 2 }
observability:
  accounts_zmq: { host: 127.0.0.1, port: ${port} }
`,
    { env: {} },
  );
}

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

let running: Supervisor | undefined;
let publisher: XPublisher | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  publisher?.close();
  publisher = undefined;
});

describe("account sync (emulated account publisher on a real ZeroMQ PUB socket)", () => {
  it("trades on declared capital, adopts the venue's balances, halts on a persistent mismatch, counts bad input", async () => {
    const port = await freePort();
    publisher = new XPublisher({ linger: 0 });
    await publisher.bind(`tcp://127.0.0.1:${port}`);
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-account-sync-"));
    const accountId = `account-sync-${process.pid}-${Date.now()}`;
    const sections = actorSections(liveConfig(dir, accountId, port));
    const placed: PlaceOrder[] = [];
    const denied: OrderDenied[] = [];
    const logs: Record<string, unknown>[] = [];
    const metrics = new Map<string, number>();
    const labelSets = new Map<string, Set<string>>();
    let propose: (size: number) => void = () => undefined;
    const log = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    running = await startSystem(
      [
        { name: "account-sync", module: actorModule("account-sync"), thread: "main", config: sections.accountSync() },
        {
          name: "driver",
          module: driver,
          thread: "main",
          config: {
            instrument: 0,
            symbol: "BTC-USDT-PERP",
            price: PRICE,
            onPlace: (o: PlaceOrder) => placed.push(o),
            onDenied: (d: OrderDenied) => denied.push(d),
            marginAbove: 0.06,
            expose: (f: (size: number) => void) => (propose = f),
          },
        },
        { name: "orders", module: actorModule("orders"), thread: "main", config: sections.orders() },
        { name: "risk", module: actorModule("risk"), thread: "main", config: sections.risk() },
      ],
      {
        log,
        logLevel: "info",
        onMetrics: (samples: readonly Sample[]) => {
          for (const s of samples) {
            metrics.set(`${s.name}${JSON.stringify(s.labels)}`, s.value);
            labelSets.set(s.name, (labelSets.get(s.name) ?? new Set()).add(Object.keys(s.labels).join(",")));
          }
        },
      },
    );
    const orders = () => running!.actorStatus("orders") as OrdersStatus | undefined;
    const usd = () => orders()?.balances.find((b) => b.asset === "USD")?.total;
    const breaker = () => (running!.actorStatus("risk") as { breaker: { state: string } } | undefined)?.breaker.state;
    const metric = (name: string, labels: Record<string, string>) => metrics.get(`${name}${JSON.stringify(labels)}`);

    // Declared capital in live mode: 1000 USDC (booked as USD) before any snapshot.
    await waitFor(() => usd() === 1000);
    propose(0.005); // 500 USD of margin at leverage 1: within 1000
    await waitFor(() => placed.length === 1);
    propose(0.05); // 5000 USD: refused for balance, logged and counted
    await waitFor(() => denied.length === 1);
    expect(denied[0]).toMatchObject({ rule: "insufficient_balance", reason: "needs 5000 USD, free 500" });
    const balanceDenials = { actor: "orders", decision: "denied", rule: "insufficient_balance" };
    await waitFor(() => metric("risk_decisions_total", balanceDenials) === 1);
    expect(logs.find((l) => l.msg === "order denied")).toMatchObject({
      actor: "orders",
      rule: "insufficient_balance",
      reason: "needs 5000 USD, free 500",
      symbol: "BTC-USDT-PERP",
    });

    // The subscriber has joined when its subscription reaches the publisher.
    const subscription = await publisher.receive();
    expect(subscription[0].subarray(1).toString()).toBe(ACCOUNT_SNAPSHOT_TOPIC);
    const send = (payload: string) => publisher!.send([ACCOUNT_SNAPSHOT_TOPIC, payload]);
    const snapshot = (seq: number, btc: number, usdc: number): string => {
      const s: Omit<AccountSnapshot, "type" | "recvNs"> = {
        accountId,
        seq,
        balances: [{ asset: "USDC", total: usdc, available: usdc - 500 }],
        positions: [{ symbol: "BTC-USDC-PERP", qty: btc, entryPrice: PRICE }],
        marginUsed: 500,
        marginAvailable: usdc - 500,
        tsNs: BigInt(Date.now()) * 1_000_000n,
      };
      return serializeAccountSnapshot(s);
    };

    // Bad input: counted, logged once per interval, ignored.
    await send("{not json");
    await send("{}");
    await send(snapshot(1, 0.005, 1).replace(accountId, "someone-else"));
    const syncStatus = () => running!.actorStatus("account-sync") as { dropped: Record<string, number> } | undefined;
    await waitFor(() => syncStatus()?.dropped.malformed === 2 && syncStatus()?.dropped.foreign_account === 1);
    await waitFor(() => metric("account_sync_dropped_total", { actor: "account-sync", reason: "malformed" }) === 2);
    const dropLines = logs.filter((l) => l.msg === "account snapshot dropped");
    expect(dropLines.map((l) => l.reason)).toEqual(["malformed", "foreign_account"]);
    expect(usd()).toBe(1000);

    // The first snapshot replaces declared capital; the same entry now passes.
    await send(snapshot(1, 0.005, 20_000));
    await waitFor(() => usd() === 20_000);
    propose(0.05);
    await waitFor(() => placed.length === 2);
    expect(placed[1]).toMatchObject({ size: 0.05, price: PRICE });
    // The venue's own refusal for margin: logged and counted by reason, the reservation released.
    propose(0.1);
    await waitFor(() => placed.length === 3);
    const venueMargin = { actor: "orders", reason: "insufficient_balance" };
    await waitFor(() => metric("venue_rejections_total", venueMargin) === 1);
    expect(logs.find((l) => l.msg === "order rejected by the venue")).toMatchObject({
      actor: "orders",
      reasonCode: "insufficient_balance",
      reasonText: "Insufficient margin to place order.",
      symbol: "BTC-USDT-PERP",
      side: "buy",
      role: "entry",
      size: 0.1,
    });
    await waitFor(() => orders()?.orders.find((o) => o.cl_id === placed[2].clId)?.status === "rejected");
    expect(breaker()).toBe("ACTIVE");
    const venueAccount = () =>
      (running!.actorStatus("risk") as { venue_account?: Record<string, unknown> }).venue_account;
    await waitFor(() => venueAccount()?.seq === 1);
    expect(venueAccount()).toMatchObject({ margin_used: 500, margin_available: 19_500 });

    // A mismatch past tolerance in one snapshot is logged and metered; in a second one in a row it halts.
    await send(snapshot(2, 0.5, 20_000)); // ours 0.055 BTC: 44 500 USD of difference > 50
    await waitFor(
      () => metric("account_reconcile_differences_total", { actor: "risk", kind: "position", beyond: "true" }) === 1,
    );
    expect(breaker()).toBe("ACTIVE");
    expect(logs.find((l) => l.msg === "account differs from the venue's snapshot")).toMatchObject({
      differences: ["position BTC-USDC-PERP ours 0.055, venue 0.5 (44500.00 USD > 50 USD)"],
    });
    await send(snapshot(3, 0.5, 20_000));
    await waitFor(() => breaker() === "HALTED");
    expect(logs.find((l) => l.msg === "circuit breaker transition")).toMatchObject({
      to: "HALTED",
      reason: expect.stringContaining("account mismatch in 2 consecutive snapshots"),
    });
    propose(0.001);
    await waitFor(() => denied.length === 2);
    expect(denied[1]).toMatchObject({ rule: "CircuitBreaker" });
    // Prometheus refuses samples of one metric with other label names: every actor uses one set per metric.
    for (const [name, sets] of labelSets) expect([name, sets.size]).toEqual([name, 1]);
  });
});
