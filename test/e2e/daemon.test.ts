import { afterEach, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fromRoot } from "../../src/runtime/paths.js";
import { freePort, freePortPair } from "../fixtures/ports.js";
import net from "node:net";

const bin = fromRoot("bin", "leadlag.js");

function writeConfig(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "leadlag-e2e-"));
  const file = path.join(dir, "config.yaml");
  writeFileSync(file, text);
  return file;
}

function daemon(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd: fromRoot(), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitForHealth(
  port: number,
  timeoutMs = 40_000,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status === 200) return { status: res.status, body };
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error("daemon never became healthy");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The whole daemon on the embedded synthetic market (on ports of its own, so /health can be ok: a daemon
 * without market data is rightly degraded), state in a temp dir.
 */
const minimalConfig = (
  port: number,
  dir = mkdtempSync(path.join(tmpdir(), "leadlag-daemon-")),
  [trades, books] = freePortPair(),
) => `
mode: live
runtime:
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")} }
  control: { fault_injection: true }
market_data: { provider: synthetic, port: ${trades}, books_port: ${books} }
execution: { provider: paper, mode: paper }
strategies:
  - name: ll
    type: leadlag
    config: { symbols: [BTC-USDT-PERP, ETH-USDT-PERP], decision_scores_csv_path: ${path.join(dir, "decisions.csv")} }
observability:
  logging: { level: warn }
  health_server: { host: 127.0.0.1, port: ${port} }
`;

async function json(
  port: number,
  pathname: string,
  method = "GET",
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${pathname}`, { method });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

let running: ChildProcess | undefined;
afterEach(() => {
  running?.kill("SIGKILL");
  running = undefined;
});

describe("daemon", () => {
  it("refuses to start (exit 2) on a data directory in use, naming the journal and its holder", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-daemon-"));
    const [first, second] = [await freePort(), await freePort()];
    const d = daemon(["run", writeConfig(minimalConfig(first, dir))]);
    running = d.child;
    await waitForHealth(first);
    const other = daemon(["run", writeConfig(minimalConfig(second, dir))]);
    expect(await other.exited).toBe(2);
    const lock = `${path.join(dir, "journal.log")}.lock`;
    expect(other.output()).toContain(`leadlag: ${lock} is locked by pid ${d.child.pid} on `);
    expect(other.output()).toMatch(/orders incarnation 1, since \d{4}-\d\d-\d\dT/);
    expect((await json(first, "/health")).status).toBe(200);
  });

  it("becomes healthy, serves metrics and control, and exits 0 on SIGTERM", async () => {
    const port = await freePort();
    const d = daemon(["run", writeConfig(minimalConfig(port))]);
    running = d.child;
    const health = await waitForHealth(port);
    expect(health.body).toMatchObject({
      status: "healthy",
      subsystems: { market_data: "ready", execution: "ready", strategies: "ready" },
      state: "ok",
    });
    expect(health.body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain("leadlag_process_cpu_seconds_total");
    const actors = (await (await fetch(`http://127.0.0.1:${port}/control/actors`)).json()) as { actors: unknown[] };
    expect(Array.isArray(actors.actors)).toBe(true);
    const crash = await fetch(`http://127.0.0.1:${port}/control/actors/nobody/crash`, { method: "POST" });
    expect(crash.status).toBe(404);
    const t0 = Date.now();
    d.child.kill("SIGTERM");
    expect(await d.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it(
    "serves positions, orders and risk, restarts and crashes actors on request, and reports a restart in " + "/health",
    async () => {
      const port = await freePort();
      const d = daemon(["run", writeConfig(minimalConfig(port))]);
      running = d.child;
      await waitForHealth(port);
      const actorsOf = async () =>
        (await json(port, "/control/actors")).body.actors as {
          name: string;
          restarts: number;
          state: string;
          thread: string;
        }[];
      const names = (await actorsOf()).map((a) => a.name);
      expect(names.filter((n) => !n.startsWith("estimator-"))).toEqual([
        "market-synth",
        "md-bridge",
        "feed",
        "jumps",
        "account-sync",
        "venue",
        "orders",
        "risk",
        "strategy",
        "shadow-tap", // always there, idle until a shadow attaches (docs/shadow.md)
      ]);
      expect(names).toContain("estimator-0");
      for (const a of await actorsOf()) expect(a.state).toBe("running");

      const crash = await json(port, "/control/actors/strategy/crash", "POST");
      expect(crash.status).toBe(202);
      for (let i = 0; i < 100 && (await actorsOf()).find((a) => a.name === "strategy")!.restarts === 0; i++)
        await new Promise((r) => setTimeout(r, 50));
      const strategy = (await actorsOf()).find((a) => a.name === "strategy")!;
      expect(strategy.restarts).toBe(1);
      await waitForHealth(port);

      expect((await json(port, "/control/actors/risk/restart", "POST")).status).toBe(202);
      await waitForHealth(port);
      expect((await actorsOf()).find((a) => a.name === "risk")!.restarts).toBe(1);

      expect((await json(port, "/positions")).body).toEqual({ positions: [] });
      expect((await json(port, "/orders?state=all")).body).toEqual({ orders: [] });
      expect((await json(port, "/orders?state=bogus")).status).toBe(400);
      const risk = await json(port, "/risk");
      expect(risk.body).toMatchObject({ breaker: { state: "ACTIVE" }, open_orders: 0 });
      expect((await json(port, "/risk/reset", "POST")).status).toBe(202);
      d.child.kill("SIGTERM");
      expect(await d.exited).toBe(0);
    },
  );

  it("exits 2 with every config error listed and starts nothing", async () => {
    const bad = writeConfig(
      "mode: sideways\nruntime: { supervisor: { intensity: -1 } }\nobservability: { health_server: { port: 99999 } }\n",
    );
    const d = daemon(["run", bad]);
    expect(await d.exited).toBe(2);
    expect(d.output()).toMatch(/mode/);
    expect(d.output()).toMatch(/runtime\.supervisor\.intensity/);
    expect(d.output()).toMatch(/observability\.health_server\.port/);
  });

  it("exits 2 naming the symbol and the rules file when a configured symbol is not in the rules", async () => {
    const unknown = writeConfig(
      minimalConfig(await freePort()).replace(
        "symbols: [BTC-USDT-PERP, ETH-USDT-PERP]",
        "symbols: [BTC-USDT-PERP, DOGE-USDT-PERP]",
      ),
    );
    const d = daemon(["run", unknown]);
    expect(await d.exited).toBe(2);
    expect(d.output()).toContain(
      "leadlag: strategies[0].config.symbols: 'DOGE-USDT-PERP' is not in configs/symbol_rules.csv",
    );
  });

  it("refuses to trade real money unless the operator confirms it", async () => {
    const live = writeConfig(
      minimalConfig(await freePort())
        .replace(
          "execution: { provider: paper, mode: paper }",
          "execution: { provider: zmq, mode: live, orders_port: 25601, events_port: 25602 }",
        )
        .replace("control: { fault_injection: true }", "control: { fault_injection: false }"),
    );
    const d = daemon(["run", live]);
    expect(await d.exited).toBe(2);
    expect(d.output()).toContain("confirm with --live or LEADLAG_CONFIRM_LIVE=yes");
  });

  it("exits 2 naming the port when the health port is taken", async () => {
    const blocker = net.createServer();
    const port = await new Promise<number>((r) =>
      blocker.listen(0, "127.0.0.1", () => r((blocker.address() as net.AddressInfo).port)),
    );
    try {
      const d = daemon(["run", writeConfig(minimalConfig(port))]);
      expect(await d.exited).toBe(2);
      expect(d.output()).toContain(`port ${port}`);
    } finally {
      blocker.close();
    }
  });
});
