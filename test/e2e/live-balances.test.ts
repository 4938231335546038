import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { XPublisher } from "zeromq";
import { fromRoot } from "../../src/runtime/paths.js";
import { EngineStandIn } from "../../bench/engine-standin.js";
import { parseExecutionOrder } from "../../src/protocol/wire/engine-server.js";
import { ACCOUNT_SNAPSHOT_TOPIC, serializeAccountSnapshot } from "../../src/protocol/wire/account-sync.js";
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
${spedUpMarketYaml(p)}
execution: { provider: zmq, mode: live, host: 127.0.0.1, orders_port: ${p.orders}, events_port: ${p.events} }
initial_balance: { USDT: 100000 }
${spedUpStrategyYaml({ name: "e2e", dir })}
risk:
  circuit_breaker: { enabled: false }
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

describe("live daemon balances (engine stand-in, account publisher)", () => {
  it("enters on declared capital, then refuses entries for balance once the venue's snapshot says the money is gone", async () => {
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
    const engine = new EngineStandIn((frame) => {
      const order = parseExecutionOrder(frame);
      if (order?.action === "place" && order.tags.role === "entry") entries.push(order.clId);
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

      // The account service reports 1 USDC: it replaces the declared capital, and the next entries are refused.
      await accounts.receive(); // the daemon's subscription: it is connected
      await accounts.send([
        ACCOUNT_SNAPSHOT_TOPIC,
        serializeAccountSnapshot({
          accountId,
          seq: 1,
          balances: [{ asset: "USDC", total: 1, available: 1 }],
          positions: [],
          marginUsed: 0,
          marginAvailable: 1,
          tsNs: BigInt(Date.now()) * 1_000_000n,
        }),
      ]);
      expect(await until(async () => (await balanceDenials()) >= 1, 120_000), "an entry refused for balance").toBe(
        true,
      );
      expect(log).toContain("first account snapshot: its balances replace the declared initial_balance");
      expect(log).toMatch(/"rule":"insufficient_balance","reason":"needs [^"]+ USD, free [^"]+".*"msg":"order denied"/);
    } finally {
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      accounts.close();
      await engine.stop();
    }
  }, 300_000);
});
