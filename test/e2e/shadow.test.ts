import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { EngineStandIn } from "../../bench/engine-standin.js";
import { parseConfig } from "../../src/config/index.js";
import { parseExecutionOrder } from "../../src/protocol/wire/engine-server.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { runDaemon } from "../fixtures/daemon-process.js";
import { freePort } from "../fixtures/ports.js";
import { spedUpMarketYaml, spedUpStrategyYaml } from "../fixtures/sped-up-demo.js";

const run = promisify(execFile);

interface Ports {
  trades: number;
  books: number;
  health: number;
  orders: number;
  events: number;
  accounts: number;
}

/**
 * The sped-up demo market, orders to an engine stand-in over ZeroMQ, and a live strategy whose entry threshold
 * no jump reaches: the live daemon never orders, so any order the engine sees would be a shadow's. The shadow
 * `cand` (attached from the config's `shadows:` list) has the demo's threshold and trades on simulated fills.
 */
function config(dir: string, p: Ports): string {
  const strategy = spedUpStrategyYaml({ name: "e2e", dir }).replace(
    "      symbols:",
    "      entry_threshold: 100000\n      symbols:",
  );
  return `
mode: live
runtime:
  account_id: e2e-shadow-${process.pid}-${Date.now()}
  database_url: ${process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test"}
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")} }
  control: { fault_injection: true }
${spedUpMarketYaml(p)}
execution: { provider: zmq, mode: paper, host: 127.0.0.1, orders_port: ${p.orders}, events_port: ${p.events} }
initial_balance: { USDT: 100000 }
${strategy}
shadows:
  - name: cand
    set: { strategies.0.config.entry_threshold: 1.0 }
observability:
  logging: { level: info }
  health_server: { host: 127.0.0.1, port: ${p.health} }
  accounts_zmq: { host: 127.0.0.1, port: ${p.accounts} }
`;
}

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [fromRoot("bin", "leadlag.js"), "shadow", ...args], {
      cwd: fromRoot(),
    });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

interface Report {
  summary: Record<string, number>;
  divergence: { live: { outcome: string } | null; shadow: { outcome: string } | null; agree: boolean }[];
}

describe("shadow mode against an engine stand-in", () => {
  it("a shadow trades on simulated fills while the engine sees no order; attach, list, report, crash, promote, detach", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-shadow-e2e-"));
    const p: Ports = {
      trades: await freePort(),
      books: await freePort(),
      health: await freePort(),
      orders: await freePort(),
      events: await freePort(),
      accounts: await freePort(),
    };
    const places: string[] = [];
    const engine = new EngineStandIn((frame) => {
      if (parseExecutionOrder(frame)?.action === "place") places.push(frame);
    });
    await engine.start(p.orders, p.events);
    const configPath = path.join(dir, "config.yaml");
    writeFileSync(configPath, config(dir, p));
    const daemon = runDaemon(configPath);
    const url = `http://127.0.0.1:${p.health}`;
    const get = async (route: string) => (await fetch(url + route)).json() as Promise<unknown>;
    try {
      const report = () => get("/control/shadows/cand/report") as Promise<Report>;
      const traded = await until(async () => {
        const r = await report();
        return r.summary.fills >= 2 && r.summary.entered >= 1;
      }, 150_000);
      expect(traded, `the shadow entered and was filled\n${daemon.output().slice(-3000)}`).toBe(true);
      expect(places, "no order reached the engine").toEqual([]);

      const r = await report();
      expect(r.summary.live_decisions).toBeGreaterThan(0);
      expect(r.summary.live_entered).toBe(0);
      // The live threshold stopped what the shadow entered: the side-by-side says so.
      const entered = r.divergence.filter((d) => d.shadow?.outcome === "entered" && d.live !== null);
      expect(entered.length).toBeGreaterThan(0);
      expect(entered.every((d) => !d.agree && d.live!.outcome !== "entered")).toBe(true);
      const metrics = await (await fetch(url + "/metrics")).text();
      expect(metrics).toMatch(/^leadlag_shadow_decisions_total\{[^}]*shadow="cand"[^}]*\} [1-9]/m);
      expect(metrics).toMatch(/^leadlag_shadow_tap_dropped_frames_total\{shadow="cand"\} 0$/m);

      // The CLI: a second shadow (the live config itself), a refused duplicate and bad config, the list.
      const calib = await cli("attach", "calib", "--mirror", "--thread", "main", "--url", url);
      expect(calib.code).toBe(0);
      expect(calib.out).toContain("attached shadow calib (thread: main)");
      const duplicate = await cli("attach", "calib", "--mirror", "--url", url);
      expect(duplicate.code).toBe(1);
      expect(duplicate.out).toContain("HTTP 409: a shadow named 'calib' is already attached");
      const bad = await cli(
        "attach",
        "bad",
        "--url",
        url,
        "--set",
        "strategies.0.config.entry_threshold=-1",
        "--set",
        "strategies.0.config.jump_detection_config.alpha=0.01",
      );
      expect(bad.code).toBe(1);
      expect(bad.out).toContain("HTTP 400");
      expect(bad.out).toContain("strategies[0].config.entry_threshold");
      expect(bad.out).toContain("strategies[0].config.jump_detection_config.alpha");
      const list = await cli("list", "--url", url);
      expect(list.out.split("\n").filter((l) => /^(cand|calib)\t/.test(l))).toHaveLength(2);
      expect(list.out).toMatch(/^cand\trunning\tset\tthread own\t/m);
      expect(list.out).toMatch(/^calib\trunning\tmirror\tthread main\t/m);
      expect(list.out).not.toContain("bad");
      // On the daemon's main thread the mirror is fed by the tap as cand is on its worker: it decides on live jumps.
      const calibDecided = await until(async () => {
        const c = (await get("/control/shadows/calib/report")) as Report;
        return c.divergence.some((d) => d.shadow !== null);
      }, 60_000);
      expect(calibDecided, daemon.output().slice(-2000)).toBe(true);

      // A shadow actor's crash restarts it alone: every live actor keeps its first incarnation.
      const crash = await fetch(`${url}/control/shadows/cand/actors/shadow-cand-strategy/crash`, { method: "POST" });
      expect(crash.status).toBe(202);
      const restarted = await until(async () => {
        const { shadow } = (await get("/control/shadows/cand")) as {
          shadow: { actors: { name: string; state: string; restarts: number }[] };
        };
        const strategy = shadow.actors.find((a) => a.name === "shadow-cand-strategy")!;
        return strategy.restarts === 1 && strategy.state === "running";
      }, 20_000);
      expect(restarted).toBe(true);
      const { actors } = (await get("/control/actors")) as { actors: { name: string; restarts: number }[] };
      expect(actors.filter((a) => a.restarts !== 0)).toEqual([]);

      const reportFile = path.join(dir, "cand-report.json");
      const htmlFile = path.join(dir, "cand-report.html");
      const printed = await cli("report", "cand", "--json", reportFile, "--html", htmlFile, "--url", url);
      expect(printed.code).toBe(0);
      expect(printed.out).toContain("shadow cand (running)");
      const written = JSON.parse(readFileSync(reportFile, "utf8")) as Report & { equity: unknown[] };
      expect(written.summary.fills).toBeGreaterThanOrEqual(2);
      expect(written.equity.length).toBeGreaterThan(0);
      expect(readFileSync(htmlFile, "utf8")).toContain("<h1>Shadow cand (running, set) since");

      const promoted = path.join(dir, "promoted.yaml");
      expect((await cli("promote", "cand", "--write", promoted, "--url", url)).code).toBe(0);
      const next = parseConfig(readFileSync(promoted, "utf8"));
      expect(next.strategies[0].config.entry_threshold).toBe(1);
      expect(next.shadows).toEqual([]);

      expect((await cli("detach", "calib", "--url", url)).code).toBe(0);
      const again = await cli("detach", "calib", "--url", url);
      expect(again.code).toBe(1);
      expect(again.out).toContain("HTTP 404: no shadow named 'calib'");
      expect(places).toEqual([]);
    } finally {
      daemon.child.kill("SIGTERM");
      const code = await daemon.exited;
      await engine.stop();
      expect(code, daemon.output().slice(-2000)).toBe(0);
    }
  }, 240_000);
});
