import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { compiledUrl } from "../../src/runtime/paths.js";
import { startSystem } from "../../src/supervisor/system.js";
import type { Supervisor } from "../../src/supervisor/supervisor.js";
import { parseConfig, type Config, loadRegistry, universe } from "../../src/config/index.js";
import { instrumentNamed } from "../../src/model/instruments.js";
import { actorModule } from "../../src/supervisor/children.js";
import { actorSections } from "../../src/supervisor/sections.js";
import type { OrderFilled, ProposeOrder } from "../../src/protocol/orders.js";
import { waitFor } from "../fixtures/wait.js";
import type { OrdersStatus } from "../../src/protocol/status.js";

const databaseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const driver = compiledUrl(new URL("../fixtures/actors/trading-driver.ts", import.meta.url)).href;
const LEADER = "BTC-USDT-PERP";
const LAGGER = "ETH-USDT-PERP";
const logLevel = process.env.TEST_LOG ?? "silent";

/** A strategy that enters the lagger on every leader jump and leaves by a 0.3 s time limit. */
function tradingConfig(dir: string): Config {
  return parseConfig(
    `
mode: live
symbol_rules_path: configs/symbol_rules.csv
runtime:
  account_id: fill-identity-${process.pid}-${Date.now()}
  database_url: ${databaseUrl}
  journal: { path: ${path.join(dir, "journal.log")}, fsync: interval }
market_data: { provider: zmq }
execution: { provider: paper, mode: paper }
initial_balance: { USDT: 100000 }
strategies:
  - name: s
    type: leadlag
    config:
      symbols: [${LEADER}, ${LAGGER}]
      artifacts_path: ${path.join(dir, "no-artifacts")}
      decision_scores_csv_path: ${path.join(dir, "decisions.csv")}
      atr_enabled: false
      hazard_window_seconds: 0
      time_limit_seconds: 0.3
`,
    { env: {} },
  );
}

let running: Supervisor | undefined;
let dir: string | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("fill and order identity across restarts of the paper venue", () => {
  it("books every fill and keeps entering after a venue crash and a daemon stop and start on one journal", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "leadlag-fill-identity-"));
    const config = tradingConfig(dir);
    const registry = await loadRegistry(config);
    const ids = new Map(universe(config, registry).map((i) => [i.symbol, i.id]));
    const laggerPrices = instrumentNamed(registry, LAGGER)!.priceRules;
    const proposals: ProposeOrder[] = [];
    const fills: OrderFilled[] = [];
    let jumping = true;
    const start = (sections = actorSections(config)) =>
      startSystem(
        [
          {
            name: "driver",
            module: driver,
            thread: "main",
            config: {
              leader: { id: ids.get(LEADER)!, mid: 60_000 },
              lagger: { id: ids.get(LAGGER)!, mid: 3000, priceRules: laggerPrices },
              jumpEveryMs: 400,
              jumping: () => jumping,
              onPropose: (o: ProposeOrder) => proposals.push(o),
              onFill: (f: OrderFilled) => fills.push(f),
            },
          },
          { name: "strategy", module: actorModule("strategy"), thread: "main", config: sections.strategy() },
          { name: "orders", module: actorModule("orders"), thread: "main", config: sections.orders() },
          { name: "venue", module: actorModule("venues/paper"), thread: "main", config: sections.paperVenue() },
        ],
        { log: pino({ level: logLevel }), logLevel, faultInjection: true },
      );
    const entries = () => proposals.filter((p) => p.role === "entry").length;
    const outcomes = () => {
      const rows = readFileSync(path.join(dir!, "decisions.csv"), "utf8").trim().split("\n");
      const column = rows[0].split(",").indexOf("outcome");
      const tally = new Map<string, number>();
      for (const row of rows.slice(1)) tally.set(row.split(",")[column], (tally.get(row.split(",")[column]) ?? 0) + 1);
      return [...tally].map(([outcome, n]) => `${outcome}=${n}`).join(" ");
    };
    const moreEntries = async (n: number, when: string) => {
      const from = entries();
      await waitFor(() => entries() >= from + n, 30_000).catch(() => {
        throw new Error(`${when}: ${entries() - from} of ${n} entries (decisions so far: ${outcomes()})`);
      });
    };

    running = await start();
    await moreEntries(2, "before the crash");
    expect(running.crashActor("venue")).toBe(true);
    await waitFor(() => running!.actors().find((a) => a.name === "venue")!.restarts === 1);
    await moreEntries(3, "after the venue crashed");

    await running.stop();
    const proposedBeforeRestart = proposals.length;
    running = await start();
    await moreEntries(3, "after the daemon restarted on the same journal");

    jumping = false;
    // Statuses are published every 50-100 ms: settled once the venue's fills are flat and every order of
    // this run is in the order manager's status, finished.
    const ordersStatus = () => running!.actorStatus("orders") as OrdersStatus | undefined;
    const strategyStatus = () => running!.actorStatus("strategy") as { executors: Record<string, number> } | undefined;
    const venueNet = () => fills.reduce((sum, f) => sum + (f.side === "buy" ? f.size : -f.size), 0);
    await waitFor(() => {
      const executors = strategyStatus()?.executors;
      const idle = executors !== undefined && Object.values(executors).every((n) => n === 0);
      const finished = new Map(ordersStatus()?.orders.map((o) => [o.intent_id, !o.open]));
      const booked = proposals.slice(proposedBeforeRestart).every((p) => finished.get(p.intentId) === true);
      return idle && booked && Math.abs(venueNet()) < 1e-9;
    }, 30_000);

    // The order manager's books equal the venue's own account of what traded, across three venue incarnations.
    const status = ordersStatus()!;
    const lagger = status.positions.find((p) => p.symbol === LAGGER);
    const net = venueNet();
    const gross = fills.reduce((sum, f) => sum + f.size, 0);
    const fees = fills.reduce((sum, f) => sum + f.feeAmount, 0);
    // three incarnations of the venue traded, each under its own id prefix, and no exec id came twice
    expect(new Set(fills.map((f) => f.execId.slice(0, 20))).size).toBe(3);
    expect(new Set(fills.map((f) => f.execId)).size).toBe(fills.length);
    expect(lagger?.qty).toBeCloseTo(net, 9); // flat, as every position was closed
    expect(status.orders.reduce((sum, o) => sum + o.filled, 0)).toBeCloseTo(gross, 9);
    expect(lagger?.fees).toBeCloseTo(fees, 9);
    expect(status.orders.filter((o) => o.role === "entry" && o.status === "accepted")).toEqual([]);
    expect(status.health).toEqual({ status: "ok", reasons: [] });
  }, 150_000);
});
