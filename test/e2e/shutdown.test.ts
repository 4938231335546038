import { afterEach, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import * as zmq from "zeromq";
import { fromRoot } from "../../src/runtime/paths.js";
import { freePort, freePortPair } from "../fixtures/ports.js";
import { LocalJournal, replay } from "../../src/actors/orders/journal/local-log.js";
import type { OrderEvent } from "../../src/actors/orders/events.js";
import { OrderManagerCore } from "../../src/actors/orders/core.js";
import { CloidGenerator } from "../../src/actors/orders/cloid.js";
import { BreakerStore, breakerFileFor } from "../../src/actors/risk/breaker-store.js";
import { NS_PER_DAY } from "../../src/model/time.js";

const silent = pino({ level: "silent" });
const ETH = "ETH-USDT-PERP";
const T0 = 1_765_000_000_000_000_000n;
const ENTRY = "0x000000000000000000000000000000e1";
const RESTING = "0x000000000000000000000000000000e2";

/**
 * A journal as a daemon that bought 0.5 ETH and stopped would have left it: 100 000 USD and a long
 * position, so the daemon under test starts with a position open and nothing else to do.
 */
function seedJournal(file: string, extra: OrderEvent[] = []): void {
  const events: OrderEvent[] = [
    { type: "BalanceSet", asset: "USD", amount: 100_000, tsNs: T0 },
    {
      ...{ type: "OrderSubmitted", clId: ENTRY, strategy: "ll", intentId: "seed-1", instrument: 1, symbol: ETH },
      ...{ marketType: "perp", side: "buy", orderType: "limit", tif: "IOC", price: 3100, size: 0.5 },
      ...{ reduceOnly: false, role: "entry", riskDecision: "approved", riskReason: "" },
      ...{ ackDeadlineNs: T0 + 3_000_000_000n, tsNs: T0 },
    },
    {
      ...{ type: "OrderAccepted", clId: ENTRY, exchangeOrderId: "1", venueTsNs: T0, venueTsIsTsc: false },
      ...{ recvNs: T0, reasonText: "ok" },
    },
    {
      ...{ type: "OrderFilled", clId: ENTRY, exchangeOrderId: "1", venueTsNs: T0, venueTsIsTsc: false, recvNs: T0 },
      ...{ execId: "x1", venueSymbol: "ETH-USDC-PERP", side: "buy", price: 3100, size: 0.5 },
      ...{ feeCurrency: "USDC", feeAmount: 0, liquidity: "taker" },
    },
    ...extra,
  ];
  const { journal } = LocalJournal.open({ path: file, fsync: "every_event", fsyncIntervalMs: 100 }, silent);
  journal.append(events);
  journal.close();
}

/** The order manager's state folded from a journal: what the daemon left behind. */
function foldJournal(file: string): OrderManagerCore {
  const core = new OrderManagerCore(
    {
      accountId: "a",
      ackTimeoutNs: { ioc: 1n, gtc: 1n },
      instrument: (symbol) =>
        symbol === ETH ? { symbol, marketType: "perp", base: "ETH", quote: "USD", leverage: 10 } : undefined,
    },
    new CloidGenerator("00000000000000ff"),
  );
  const { journal, records } = LocalJournal.open({ path: file, fsync: "none", fsyncIntervalMs: 100 }, silent);
  replay(records, (event, seq) => core.apply(event, seq));
  journal.close();
  return core;
}

function config(dir: string, health: number, execution: string, shutdown: string, extra = "", runtime = ""): string {
  const [trades, books] = freePortPair();
  return `
mode: live
runtime:${runtime}
  account_id: ${accountOf(dir)}
  database_url: ${process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test"}
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")} }
  shutdown: ${shutdown}
market_data:
  provider: synthetic
  port: ${trades}
  books_port: ${books}
  synthetic:
    preset: demo
    symbols:
      - { symbol: BTC-USDT-PERP, price: 97000, volatility_bps: 0.5 }
      - { symbol: ETH-USDT-PERP, price: 3100, leader: BTC-USDT-PERP, lag_ms: 1500, correlation: 0.85 }
execution: ${execution}
strategies:
  - name: ll
    type: leadlag
    config:
      symbols: [BTC-USDT-PERP, ETH-USDT-PERP]
      decision_scores_csv_path: ${path.join(dir, "decisions.csv")}
      time_limit_seconds: 3600
observability:
  logging: { level: info }
  health_server: { host: 127.0.0.1, port: ${health} }
${extra}`;
}

function accountOf(dir: string): string {
  return `shutdown-${process.pid}-${path.basename(dir)}`;
}

let running: ChildProcess | undefined;
afterEach(() => {
  running?.kill("SIGKILL");
  running = undefined;
});

function start(configFile: string) {
  const child = spawn(process.execPath, [fromRoot("bin", "leadlag.js"), "run", configFile], {
    cwd: fromRoot(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  running = child;
  let log = "";
  child.stdout.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr.on("data", (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { child, log: () => log, exited };
}

/** Until the order manager shows the seeded position and risk has a book for it (a flatten needs its price). */
async function waitForPosition(port: number, log: () => string): Promise<void> {
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      const positions = (await (await fetch(`http://127.0.0.1:${port}/positions`)).json()) as {
        positions: { symbol: string; qty: number }[];
      };
      const risk = (await (await fetch(`http://127.0.0.1:${port}/risk`)).json()) as { equity_usd?: number };
      const open = positions.positions.some((p) => p.symbol === ETH && Math.abs(p.qty - 0.5) < 1e-9);
      if (open && risk.equity_usd !== undefined && risk.equity_usd !== 100_000) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`the seeded position never showed:\n${log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("stopping with positions open", () => {
  it("SIGTERM with flatten: true closes the position with a reduce-only IOC and leaves no open order", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-shutdown-"));
    const journalFile = path.join(dir, "journal.log");
    seedJournal(journalFile);
    const health = await freePort();
    const file = path.join(dir, "config.yaml");
    writeFileSync(
      file,
      config(dir, health, "{ provider: paper, mode: paper }", "{ flatten: true, timeout_ms: 10000 }"),
    );
    const daemon = start(file);
    await waitForPosition(health, daemon.log);
    daemon.child.kill("SIGTERM");
    expect(await daemon.exited, daemon.log().slice(-3000)).toBe(0);
    expect(daemon.log()).toContain('"msg":"flatten order"');
    expect(daemon.log()).not.toContain("shutdown left open");

    const core = foldJournal(journalFile);
    expect(core.openOrders()).toEqual([]);
    expect(Math.abs(core.ledger.position(ETH)?.qty ?? 0)).toBeLessThan(1e-9);
    const flatten = core.allOrders().filter((o) => o.submitted.strategy === "risk");
    expect(flatten.length).toBeGreaterThanOrEqual(1);
    for (const o of flatten) {
      expect(o.submitted).toMatchObject({ side: "sell", reduceOnly: true, tif: "IOC", orderType: "market" });
      // Snapped to ETH's rules: 5 significant figures, at most 2 decimals (6 − szDecimals 4), tick 0.1.
      expect(String(o.submitted.price)).toMatch(/^\d{4}(\.\d)?$/);
    }
  }, 120_000);

  it("a venue that never answers: the flatten cannot complete, exit 75 and a log line naming what stayed open", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-shutdown-"));
    const journalFile = path.join(dir, "journal.log");
    seedJournal(journalFile);
    const health = await freePort();
    const [ordersPort, eventsPort] = freePortPair();
    // The engine stand-in: takes every order frame and never says a word.
    const pull = new zmq.Pull({ linger: 0 });
    await pull.bind(`tcp://127.0.0.1:${ordersPort}`);
    const received: string[] = [];
    const reading = (async () => {
      try {
        for await (const [frame] of pull) received.push(frame.toString());
      } catch {
        // closed
      }
    })();
    try {
      const file = path.join(dir, "config.yaml");
      const execution = `{ provider: zmq, mode: paper, orders_port: ${ordersPort}, events_port: ${eventsPort} }`;
      writeFileSync(file, config(dir, health, execution, "{ flatten: true, timeout_ms: 2500 }"));
      const daemon = start(file);
      await waitForPosition(health, daemon.log);
      daemon.child.kill("SIGTERM");
      expect(await daemon.exited, daemon.log().slice(-3000)).toBe(75);
      const line = daemon
        .log()
        .split("\n")
        .find((l) => l.includes("shutdown left open"));
      expect(line, daemon.log().slice(-3000)).toBeDefined();
      expect(line).toContain(`position ${ETH} 0.5`);
      expect(line).toMatch(/order 0x[0-9a-f]{32} ETH-USDT-PERP \((pending_new|unknown)\)/);
      // What reached the engine: a reduce-only IOC sell of the whole position at a venue price, perp settings on.
      const places = received.map((f) => JSON.parse(f)).filter((o) => o.action === "place");
      expect(places.length).toBeGreaterThanOrEqual(1);
      expect(places[0].details).toMatchObject({
        symbol: "ETH-USDC-PERP",
        side: "sell",
        order_type: "market",
        time_in_force: "IOC",
        size: 0.5,
        reduce_only: true,
        margin_mode: "cross",
        leverage: 10,
      });
      expect(received[0]).toMatch(/"price":\d{4}(\.\d)?,/);
    } finally {
      pull.close();
      await reading;
    }
  }, 120_000);

  it("an engine that never answers an order turns /health 503 with execution degraded, naming the engine", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-shutdown-"));
    const journalFile = path.join(dir, "journal.log");
    seedJournal(journalFile);
    // A breaker that halts on its first mark sends a flatten order at once: the probe the engine never answers.
    const today = (BigInt(Date.now()) * 1_000_000n) / NS_PER_DAY;
    new BreakerStore(breakerFileFor(journalFile, accountOf(dir))).save({
      state: "ACTIVE",
      day: today.toString(),
      dayStartEquity: 100_200,
    });
    const health = await freePort();
    const [ordersPort, eventsPort] = freePortPair();
    const pull = new zmq.Pull({ linger: 0 });
    await pull.bind(`tcp://127.0.0.1:${ordersPort}`);
    const received: string[] = [];
    const reading = (async () => {
      try {
        for await (const [frame] of pull) received.push(frame.toString());
      } catch {
        // closed
      }
    })();
    try {
      const file = path.join(dir, "config.yaml");
      const execution = `{ provider: zmq, mode: paper, orders_port: ${ordersPort}, events_port: ${eventsPort} }`;
      const breaker = "risk: { circuit_breaker: { reduce_at_drawdown_usd: 40, halt_at_drawdown_usd: 50 } }";
      const deadline = "\n  order_manager: { ack_timeout_ms: { ioc: 1000, gtc: 1500 } }";
      writeFileSync(file, config(dir, health, execution, "{ flatten: false, timeout_ms: 2000 }", breaker, deadline));
      const daemon = start(file);
      const engineReason = /^venue: engine: no report for [\d.]+ s after an order \(deadline 1\.5 s\)$/;
      let code = 0;
      let body: { status?: string; subsystems?: Record<string, string>; reasons?: string[] } = {};
      for (const until = Date.now() + 60_000; Date.now() < until; ) {
        await new Promise((r) => setTimeout(r, 250));
        try {
          const res = await fetch(`http://127.0.0.1:${health}/health`);
          code = res.status;
          body = (await res.json()) as typeof body;
          if ((body.reasons ?? []).some((r) => engineReason.test(r))) break;
        } catch {
          // not listening yet
        }
      }
      expect(received.length, daemon.log().slice(-3000)).toBeGreaterThanOrEqual(1);
      expect(code).toBe(503);
      expect(body).toMatchObject({ status: "degraded", subsystems: { execution: "degraded" } });
      expect(body.reasons, JSON.stringify(body)).toContainEqual(expect.stringMatching(engineReason));
      daemon.child.kill("SIGTERM");
      // The flatten order stays unanswered, so the stop ends as a stop that left something open does.
      expect([0, 75]).toContain(await daemon.exited);
    } finally {
      pull.close();
      await reading;
    }
  }, 120_000);

  // That HALTED refuses entries and lets exits out is a rule of risk's core: test/unit/risk.test.ts.
  it("a HALTED breaker cancels every open order and closes the position", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-shutdown-"));
    const journalFile = path.join(dir, "journal.log");
    // A resting buy the halt must cancel, besides the long position it must close.
    seedJournal(journalFile, [
      {
        ...{ type: "OrderSubmitted", clId: RESTING, strategy: "ll", intentId: "seed-2", instrument: 1, symbol: ETH },
        ...{ marketType: "perp", side: "buy", orderType: "limit", tif: "GTC", price: 2500, size: 0.1 },
        ...{ reduceOnly: false, role: "entry", riskDecision: "approved", riskReason: "" },
        ...{ ackDeadlineNs: T0 + 15_000_000_000n, tsNs: T0 },
      },
      {
        ...{ type: "OrderAccepted", clId: RESTING, exchangeOrderId: "2", venueTsNs: T0, venueTsIsTsc: false },
        ...{ recvNs: T0, reasonText: "ok" },
      },
    ]);
    // The day started 200 USD richer: the first mark is a 200 USD drawdown, past the 50 USD halt.
    const today = (BigInt(Date.now()) * 1_000_000n) / NS_PER_DAY;
    new BreakerStore(breakerFileFor(journalFile, accountOf(dir))).save({
      state: "ACTIVE",
      day: today.toString(),
      dayStartEquity: 100_200,
    });
    const health = await freePort();
    const file = path.join(dir, "config.yaml");
    const breaker = "risk: { circuit_breaker: { reduce_at_drawdown_usd: 40, halt_at_drawdown_usd: 50 } }";
    const paper = "{ provider: paper, mode: paper }";
    writeFileSync(file, config(dir, health, paper, "{ flatten: false, timeout_ms: 5000 }", breaker));
    const daemon = start(file);
    const until = Date.now() + 60_000;
    let state = "";
    let flat = false;
    while (Date.now() < until && !(state === "HALTED" && flat)) {
      await new Promise((r) => setTimeout(r, 200));
      try {
        const risk = (await (await fetch(`http://127.0.0.1:${health}/risk`)).json()) as { breaker?: { state: string } };
        const { positions } = (await (await fetch(`http://127.0.0.1:${health}/positions`)).json()) as {
          positions: { symbol: string; qty: number }[];
        };
        state = risk.breaker?.state ?? "";
        flat = positions.some((p) => p.symbol === ETH) && positions.every((p) => Math.abs(p.qty) < 1e-9);
      } catch {
        // not listening yet
      }
    }
    expect(state, daemon.log().slice(-3000)).toBe("HALTED");
    expect(flat, daemon.log().slice(-3000)).toBe(true);
    // Actors ship their counters every few hundred ms.
    const flattenCounted = /^leadlag_risk_flatten_orders_total(\{[^}]*\})? [1-9]/m;
    let metrics = "";
    for (let i = 0; i < 50 && !flattenCounted.test(metrics); i++) {
      await new Promise((r) => setTimeout(r, 100));
      metrics = await (await fetch(`http://127.0.0.1:${health}/metrics`)).text();
    }
    expect(metrics.split("\n").filter((l) => l.includes("flatten"))).toContainEqual(
      expect.stringMatching(flattenCounted),
    );
    daemon.child.kill("SIGTERM");
    expect(await daemon.exited, daemon.log().slice(-3000)).toBe(0);

    const core = foldJournal(journalFile);
    expect(core.openOrders()).toEqual([]);
    expect(core.order(RESTING)).toMatchObject({ status: "canceled" });
    expect(core.order(RESTING)?.lastReason).not.toBe("");
    const flatten = core.allOrders().filter((o) => o.submitted.strategy === "risk");
    expect(flatten.length).toBeGreaterThanOrEqual(1);
    expect(flatten[0].submitted).toMatchObject({ side: "sell", reduceOnly: true, tif: "IOC" });
  }, 120_000);
});
