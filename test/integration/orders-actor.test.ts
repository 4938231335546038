import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { compiledUrl } from "../../src/runtime/paths.js";
import { startSystem } from "../../src/supervisor/system.js";
import type { Supervisor } from "../../src/supervisor/supervisor.js";
import { parseConfig } from "../../src/config/index.js";
import { actorModule } from "../../src/supervisor/children.js";
import { actorSections } from "../../src/supervisor/sections.js";
import type { PlaceOrder, PositionChanged } from "../../src/protocol/orders.js";
import { waitFor } from "../fixtures/wait.js";
import type { OrdersStatus } from "../../src/protocol/status.js";

const databaseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const driver = compiledUrl(new URL("../fixtures/actors/orders-driver.ts", import.meta.url)).href;
const restingDriver = compiledUrl(new URL("../fixtures/actors/resting-orders-driver.ts", import.meta.url)).href;

function ordersConfig(dir: string, accountId: string) {
  return parseConfig(
    `
mode: live
symbol_rules_path: configs/symbol_rules.csv
runtime:
  account_id: ${accountId}
  database_url: ${databaseUrl}
  journal: { path: ${path.join(dir, "journal.log")}, fsync: interval }
market_data: { provider: zmq }
execution: { provider: paper, mode: paper }
initial_balance: { USDC: 1000000 }
strategies: [{ name: s, type: leadlag, config: { symbols: [BTC-USDT-PERP, ETH-USDT-PERP] } }]
`,
    { env: {} },
  );
}

let running: Supervisor | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe("order manager actor", () => {
  it("keeps positions and balances exact and sends no order twice when it is crashed mid-stream of fills", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-orders-"));
    const accountId = `crash-test-${process.pid}-${Date.now()}`;
    const placed: PlaceOrder[] = [];
    const count = 400;
    running = await startSystem(
      [
        {
          name: "driver",
          module: driver,
          thread: "main",
          config: {
            count,
            instrument: 0,
            symbol: "BTC-USDT-PERP",
            price: 100_000,
            size: 0.001,
            onPlace: (o: PlaceOrder) => placed.push(o),
          },
        },
        {
          name: "orders",
          module: actorModule("orders"),
          thread: "worker-orders",
          config: actorSections(ordersConfig(dir, accountId)).orders(),
        },
      ],
      {
        log: pino({ level: process.env.TEST_LOG ?? "silent" }),
        logLevel: process.env.TEST_LOG ?? "silent",
        faultInjection: true,
      },
    );
    await waitFor(() => placed.length >= count / 4);
    expect(running.crashActor("orders")).toBe(true);
    await waitFor(() => running!.actors().find((a) => a.name === "orders")!.restarts === 1);
    await waitFor(() => placed.length === count);
    await waitFor(() =>
      (running!.actorStatus("orders") as OrdersStatus | undefined)?.positions[0]?.qty === undefined
        ? false
        : Math.abs((running!.actorStatus("orders") as OrdersStatus).positions[0].qty - count * 0.001) < 1e-9,
    );

    expect(new Set(placed.map((o) => o.clId)).size).toBe(count);
    expect(new Set(placed.map((o) => o.intentId)).size).toBe(count);
    const status = running.actorStatus("orders") as OrdersStatus;
    expect(status.positions).toHaveLength(1);
    expect(status.positions[0].symbol).toBe("BTC-USDT-PERP");
    expect(status.positions[0].avg_price).toBeCloseTo(100_000, 6);
    expect(status.positions[0].qty).toBeCloseTo(count * 0.001, 9);
    expect(status.positions[0].fees).toBeCloseTo(count * 0.05, 6);
    expect(status.orders.filter((o) => o.status === "filled")).toHaveLength(count);
    const usd = status.balances.find((b) => b.asset === "USD")!;
    expect(usd.total).toBeCloseTo(1_000_000 - count * 0.05, 6);
  });

  it("answers a restarted actor's request for the account state with every position it holds", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-orders-"));
    const placed: PlaceOrder[] = [];
    const positions: PositionChanged[] = [];
    let requestState: () => void = () => undefined;
    const count = 20;
    running = await startSystem(
      [
        {
          name: "driver",
          module: driver,
          thread: "main",
          config: {
            count,
            instrument: 0,
            symbol: "BTC-USDT-PERP",
            price: 100_000,
            size: 0.001,
            onPlace: (o: PlaceOrder) => placed.push(o),
            onPosition: (p: PositionChanged) => positions.push(p),
            exposeStateRequest: (f: () => void) => (requestState = f),
          },
        },
        {
          name: "orders",
          module: actorModule("orders"),
          thread: "worker-orders",
          config: actorSections(ordersConfig(dir, `state-test-${process.pid}-${Date.now()}`)).orders(),
        },
      ],
      { log: pino({ level: process.env.TEST_LOG ?? "silent" }), logLevel: process.env.TEST_LOG ?? "silent" },
    );
    await waitFor(() => positions.some((p) => Math.abs(p.qty - count * 0.001) < 1e-9));
    const before = positions.length;
    requestState();
    await waitFor(() => positions.length > before);
    expect(positions.slice(before)).toMatchObject([{ type: "PositionChanged", symbol: "BTC-USDT-PERP" }]);
    expect(positions[before].qty).toBeCloseTo(count * 0.001, 9);
    expect(positions[before].avgPrice).toBeCloseTo(100_000, 6);
  });

  it(
    "cancels the resting orders a paper venue lost, in a crash of the venue and in a restart of the " + "daemon",
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "leadlag-orders-"));
      const sections = actorSections(ordersConfig(dir, `paper-lost-${process.pid}-${Date.now()}`));
      const placed: PlaceOrder[] = [];
      const count = 30;
      const log = {
        log: pino({ level: process.env.TEST_LOG ?? "silent" }),
        logLevel: process.env.TEST_LOG ?? "silent",
        faultInjection: true,
      };
      const start = (run: string) =>
        startSystem(
          [
            {
              name: "driver",
              module: restingDriver,
              thread: "main",
              config: {
                count,
                instrument: 0,
                symbol: "BTC-USDT-PERP",
                price: 100_000,
                run,
                onPlace: (o: PlaceOrder) => placed.push(o),
              },
            },
            { name: "orders", module: actorModule("orders"), thread: "main", config: sections.orders() },
            { name: "venue", module: actorModule("venues/paper"), thread: "main", config: sections.paperVenue() },
          ],
          log,
        );
      const orders = () => (running!.actorStatus("orders") as OrdersStatus | undefined)?.orders ?? [];
      const ofRun = (run: string) => orders().filter((o) => o.intent_id.startsWith(`${run}-`));

      running = await start("first");
      await waitFor(() => ofRun("first").filter((o) => o.status === "accepted").length === count);
      expect(running.crashActor("venue")).toBe(true);
      await waitFor(() => ofRun("first").every((o) => o.status === "canceled"));
      expect(ofRun("first").map((o) => o.reason)).toEqual(Array(count).fill("venue restarted: order lost"));
      expect(running.actors().find((a) => a.name === "venue")!.restarts).toBe(1);

      // A second batch rests, then the whole daemon stops: its venue's book of resting orders goes with it.
      await running.stop();
      running = await start("second");
      await waitFor(() => ofRun("second").filter((o) => o.status === "accepted").length === count);
      await running.stop();
      running = await start("third");
      await waitFor(() => ofRun("second").length === count && ofRun("second").every((o) => o.status === "canceled"));
      expect(ofRun("second").map((o) => o.reason)).toEqual(Array(count).fill("venue restarted: order lost"));
      await waitFor(() => ofRun("third").filter((o) => o.status === "accepted").length === count);
      expect(new Set(placed.map((o) => o.clId)).size).toBe(3 * count);
      expect(placed).toHaveLength(3 * count);
    },
  );
});
