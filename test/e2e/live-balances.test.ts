import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { XPublisher } from "zeromq";
import { fromRoot } from "../../src/runtime/paths.js";
import { EngineStandIn } from "../../bench/engine-standin.js";
import { parseExecutionOrder } from "../../src/protocol/wire/engine-server.js";
import { ACCOUNT_SNAPSHOT_TOPIC, serializeAccountSnapshot } from "../../src/protocol/wire/account-sync.js";
import { instrumentNamed, marketTypeOf, parseSymbolRules, type Instrument } from "../../src/model/instruments.js";
import type { PriceRules } from "../../src/model/rounding.js";
import { LocalJournal, replay } from "../../src/actors/orders/journal/local-log.js";
import { OrderManagerCore } from "../../src/actors/orders/core.js";
import { CloidGenerator } from "../../src/actors/orders/cloid.js";
import { freePort } from "../fixtures/ports.js";
import { spedUpMarketYaml, spedUpStrategyYaml } from "../fixtures/sped-up-demo.js";

interface Ports {
  trades: number;
  books: number;
  health: number;
  orders: number;
  events: number;
  accounts: number;
}

/**
 * The synthetic lead-lag market of trading.test.ts, orders to an engine stand-in over ZeroMQ with real money
 * declared (`execution.mode: live`), the account service on `accounts_zmq`. The drawdown breaker is off: the
 * snapshot below takes nearly all the declared capital away, which is the point, not a loss.
 */
function liveConfig(dir: string, accountId: string, p: Ports): string {
  return `
mode: live
runtime:
  account_id: ${accountId}
  database_url: ${process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test"}
  journal: { path: ${path.join(dir, "journal.log")} }
  shutdown: { flatten: true, timeout_ms: 15000 }
${spedUpMarketYaml(p)}
execution: { provider: zmq, mode: live, host: 127.0.0.1, orders_port: ${p.orders}, events_port: ${p.events} }
initial_balance: { USDT: 100000 }
${spedUpStrategyYaml({ name: "e2e", dir })}
risk:
  circuit_breaker: { enabled: false }
  # Risk's leverage and maintenance limits far looser than the strategy's perp_leverage (10): an entry risk lets
  # through can then still lack the initial margin, which is the order manager's refusal this test is about.
  perps: { max_leverage: 1000, maintenance_buffer_bps: 0 }
observability:
  logging: { level: info }
  health_server: { host: 127.0.0.1, port: ${p.health} }
  accounts_zmq: { host: 127.0.0.1, port: ${p.accounts} }
`;
}

async function metricSum(port: number, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    const m = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (m?.[1].includes(labels)) sum += Number(m[2]);
  }
  return sum;
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

const registry = parseSymbolRules(readFileSync(fromRoot("configs/symbol_rules.csv"), "utf8"));

/**
 * The venue's price rules read off the frame's own text, written apart from src/model/rounding.ts: decimals
 * and significant figures counted as a person would, the tick checked with integers.
 */
function breaksPriceRules(text: string, rules: PriceRules): string | undefined {
  if (!/^\d+(\.\d+)?$/.test(text)) return "not plain decimal text";
  const [whole, fraction = ""] = text.split(".");
  if (rules.maxDecimals !== null && fraction.length > rules.maxDecimals)
    return `more than ${rules.maxDecimals} decimals`;
  const significant = (whole + fraction).replace(/^0+/, "");
  if (rules.maxSignificantFigures !== null && fraction !== "" && significant.length > rules.maxSignificantFigures)
    return `more than ${rules.maxSignificantFigures} significant figures`;
  const [tickWhole, tickFraction = ""] = String(rules.tickSize).split(".");
  const scale = Math.max(fraction.length, tickFraction.length);
  const units = BigInt(whole + fraction.padEnd(scale, "0"));
  const tick = BigInt(tickWhole + tickFraction.padEnd(scale, "0"));
  return units % tick === 0n ? undefined : `not a multiple of the tick ${rules.tickSize}`;
}

/** A size printed as whole lots: no more decimals than szDecimals, positive. */
function breaksLot(text: string, inst: Instrument): string | undefined {
  const fraction = text.split(".")[1] ?? "";
  if (fraction.replace(/0+$/, "").length > inst.sizeDecimals) return `more than ${inst.sizeDecimals} decimals`;
  return Number(text) > 0 ? undefined : "not positive";
}

/** The order manager's state folded from the journal the daemon left: what it thinks is open at the venue. */
function foldJournal(file: string): OrderManagerCore {
  const core = new OrderManagerCore(
    {
      accountId: "a",
      ackTimeoutNs: { ioc: 1n, gtc: 1n },
      instrument: (symbol) => {
        const inst = instrumentNamed(registry, symbol);
        if (inst === undefined) return undefined;
        return { symbol, marketType: marketTypeOf(inst), base: inst.base, quote: "USD", leverage: 10 };
      },
    },
    new CloidGenerator("00000000000000ff"),
  );
  const silent = { level: "silent" } as const;
  const { journal, records } = LocalJournal.open({ path: file, fsync: "none", fsyncIntervalMs: 100 }, pino(silent));
  replay(records, (event, seq) => core.apply(event, seq));
  journal.close();
  return core;
}

describe("live daemon balances (engine stand-in, account publisher)", () => {
  it("enters on declared capital, refuses entries for balance once the venue's snapshot says the money is gone, sends only venue prices and lots, and stops with no order open", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-live-balances-"));
    const ports: Ports = {
      trades: await freePort(),
      books: await freePort(),
      health: await freePort(),
      orders: await freePort(),
      events: await freePort(),
      accounts: await freePort(),
    };
    const accountId = `e2e-live-${process.pid}-${Date.now()}`;
    const entries: string[] = [];
    const places: { role: string; symbol: string; price: string; size: string }[] = [];
    const engine = new EngineStandIn((frame) => {
      const order = parseExecutionOrder(frame);
      if (order?.action !== "place") return;
      if (order.tags.role === "entry") entries.push(order.clId);
      // The numbers exactly as the wire carries them, not as JSON.parse would round them.
      const price = /"price":([^,}]+)/.exec(frame)?.[1] ?? "";
      const size = /"size":([^,}]+)/.exec(frame)?.[1] ?? "";
      places.push({ role: order.tags.role ?? "", symbol: order.symbol, price, size });
    });
    await engine.start(ports.orders, ports.events);
    const accounts = new XPublisher({ linger: 0 });
    await accounts.bind(`tcp://127.0.0.1:${ports.accounts}`);
    const configPath = path.join(dir, "config.yaml");
    writeFileSync(configPath, liveConfig(dir, accountId, ports));
    const child = spawn(process.execPath, [fromRoot("bin", "leadlag.js"), "run", configPath, "--live"], {
      cwd: fromRoot(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    child.stdout.on("data", (d: Buffer) => (log += d.toString()));
    child.stderr.on("data", (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const balanceDenials = () => metricSum(ports.health, "leadlag_risk_decisions_total", 'rule="insufficient_balance"');
    try {
      // Live, the declared 100 000 USDT is what the first entries are margined against.
      expect(await until(async () => entries.length >= 1, 150_000), "an entry reached the engine").toBe(true);
      expect(await balanceDenials()).toBe(0);

      // The account service reports 20 USDC: it replaces the declared capital, and the next entries (500 USD, 50 USD
      // of initial margin at leverage 10) are refused for balance; exits (reduce-only, no margin) still go out.
      await accounts.receive(); // the daemon's subscription: it is connected
      await accounts.send([
        ACCOUNT_SNAPSHOT_TOPIC,
        serializeAccountSnapshot({
          accountId,
          seq: 1,
          balances: [{ asset: "USDC", total: 20, available: 20 }],
          positions: [],
          marginUsed: 0,
          marginAvailable: 20,
          tsNs: BigInt(Date.now()) * 1_000_000n,
        }),
      ]);
      expect(await until(async () => (await balanceDenials()) >= 1, 120_000), "an entry refused for balance").toBe(
        true,
      );
      expect(log).toContain("first account snapshot: its balances replace the declared initial_balance");
      expect(log).toMatch(
        /"rule":"insufficient_balance","reason":"needs [^"]+ USD, free [^"]+","symbol":"[^"]+","side":"\w+","role":"entry".*"msg":"order denied"/,
      );
      expect(log, "an exit refused for balance").not.toMatch(/"rule":"insufficient_balance"[^}]*"role":"(exit|sl|tp)"/);

      // SIGTERM: entries stop, open orders are canceled, positions closed by reduce-only IOC (flatten: true).
      child.kill("SIGTERM");
      expect(await exited, log.slice(-3000)).toBe(0);
      expect(log).not.toContain("shutdown left open");
      const core = foldJournal(path.join(dir, "journal.log"));
      expect(core.openOrders(), "no order open after the stop").toEqual([]);

      // Every order the engine received obeys the venue's rules: price on the instrument's grid, whole lots.
      expect(places.length).toBeGreaterThanOrEqual(entries.length);
      expect(
        places.some((p) => p.role !== "entry"),
        "exits reached the engine too",
      ).toBe(true);
      for (const p of places) {
        const inst = instrumentNamed(registry, p.symbol);
        expect(inst, p.symbol).toBeDefined();
        if (inst === undefined) continue;
        expect(breaksPriceRules(p.price, inst.priceRules), `${p.role} ${p.symbol} price ${p.price}`).toBeUndefined();
        expect(breaksLot(p.size, inst), `${p.role} ${p.symbol} size ${p.size}`).toBeUndefined();
      }
    } finally {
      child.kill("SIGKILL");
      await exited;
      accounts.close();
      await engine.stop();
    }
  }, 300_000);
});
