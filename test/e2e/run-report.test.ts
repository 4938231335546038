import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../fixtures/ports.js";
import { spedUpMarketYaml, spedUpStrategyYaml } from "../fixtures/sped-up-demo.js";
import { runDaemon } from "../fixtures/daemon-process.js";

function config(dir: string, ports: { trades: number; books: number; health: number }): string {
  return `
mode: live
runtime:
  account_id: e2e-report-${process.pid}-${Date.now()}
  database_url: ${process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test"}
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")} }
  control: { fault_injection: true }
${spedUpMarketYaml(ports)}
execution: { provider: paper, mode: paper }
initial_balance: { USDT: 100000 }
${spedUpStrategyYaml({ name: "e2e", dir })}
observability:
  logging: { level: info }
  health_server: { host: 127.0.0.1, port: ${ports.health} }
`;
}

interface Report {
  mode: string;
  config_hash: string;
  started_at: string;
  ended_at: string;
  stopped_by: string;
  exit_code: number;
  trades: { round_trips: number; round_trips_by_exit: Record<string, number>; fills: number };
  pnl: { realized_usd: number; unrealized_usd: number; fees_usd: number };
  decisions: { total: number; by_gate: Record<string, number> };
  jumps: { total: number; by_symbol: Record<string, number> };
  actors: { name: string; restarts: number }[];
  actor_restarts: number;
}

const decisionsOf = async (port: number) => {
  const body = await (await fetch(`http://127.0.0.1:${port}/status.json`)).json();
  return body as { decisions_by_gate: Record<string, number>; jumps: Record<string, number> };
};

describe("leadlag run --report-json", () => {
  it("writes the run's trades, PnL, fees, decisions by gate, jumps and restarts when SIGTERM stops it", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-run-report-"));
    const ports = { trades: await freePort(), books: await freePort(), health: await freePort() };
    const configPath = path.join(dir, "config.yaml");
    writeFileSync(configPath, config(dir, ports));
    const reportFile = path.join(dir, "report.json");
    const before = Date.now();
    const { child, exited, output } = runDaemon(configPath, ["--report-json", reportFile]);
    try {
      let crashed = false;
      const deadline = Date.now() + 150_000;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1000));
        const status = await decisionsOf(ports.health).catch(() => undefined);
        if (status === undefined) continue;
        if (!crashed) {
          const crash = await fetch(`http://127.0.0.1:${ports.health}/control/actors/jumps/crash`, { method: "POST" });
          crashed = crash.status === 202;
        }
        if ((status.decisions_by_gate.entered ?? 0) >= 1) break;
      }
      expect(crashed).toBe(true);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
    const report = JSON.parse(readFileSync(reportFile, "utf8")) as Report;
    expect(output()).toContain('"msg":"run report written"');
    expect(report.mode).toBe("live");
    expect(report.config_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(report.stopped_by).toBe("SIGTERM");
    expect(report.exit_code).toBe(0);
    const started = Date.parse(report.started_at);
    expect(started).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(report.ended_at)).toBeGreaterThan(started);

    expect(report.jumps.total).toBeGreaterThan(0);
    expect(report.jumps.by_symbol["BTC-USDT-PERP"]).toBeGreaterThan(0);
    const gates = Object.values(report.decisions.by_gate);
    expect(gates.reduce((a, b) => a + b, 0)).toBe(report.decisions.total);
    expect(report.decisions.by_gate.entered).toBeGreaterThanOrEqual(1);
    // Every decision the report counts is a row of the decision CSV (written by the same booking).
    const rows = readFileSync(path.join(dir, "decisions.csv"), "utf8").trim().split("\n").length - 1;
    expect(report.decisions.total).toBeGreaterThan(0);
    expect(report.decisions.total).toBeLessThanOrEqual(rows);
    // An entry filled (paper venue), so fees were paid.
    expect(report.trades.fills).toBeGreaterThanOrEqual(1);
    expect(report.pnl.fees_usd).toBeGreaterThan(0);
    expect(Number.isFinite(report.pnl.realized_usd)).toBe(true);
    // The jumps actor crashed once and was restarted.
    expect(report.actors.find((a) => a.name === "jumps")?.restarts).toBe(1);
    expect(report.actor_restarts).toBe(1);
  }, 200_000);

  it("writes it after a supervisor escalation too (exit 70, stopped_by escalated)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-run-report-storm-"));
    const [health, trades, books] = [await freePort(), await freePort(), await freePort()];
    const configPath = path.join(dir, "config.yaml");
    writeFileSync(
      configPath,
      `
mode: live
runtime:
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")} }
  control: { fault_injection: true }
  supervisor: { intensity: 1, period_s: 60, backoff_initial_ms: 1, backoff_max_ms: 1 }
market_data: { provider: zmq, port: ${trades}, books_port: ${books} }
execution: { provider: paper, mode: paper }
strategies:
  - name: ll
    type: leadlag
    config: { symbols: [BTC-USDT-PERP, ETH-USDT-PERP], decision_scores_csv_path: ${path.join(dir, "decisions.csv")} }
observability:
  logging: { level: info }
  health_server: { host: 127.0.0.1, port: ${health} }
`,
    );
    const reportFile = path.join(dir, "report.json");
    const { child, exited, output } = runDaemon(configPath, ["--report-json", reportFile]);
    try {
      const crash = () => fetch(`http://127.0.0.1:${health}/control/actors/strategy/crash`, { method: "POST" });
      const deadline = Date.now() + 60_000;
      while (!output().includes('"msg":"leadlag running"') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect((await crash()).status).toBe(202);
      // Once restarted, a second crash within the period is past the intensity of 1.
      const restarted = async () => {
        const res = await fetch(`http://127.0.0.1:${health}/control/actors`);
        const { actors } = (await res.json()) as { actors: { name: string; state: string; restarts: number }[] };
        const strategy = actors.find((a) => a.name === "strategy");
        return strategy?.state === "running" && strategy.restarts === 1;
      };
      while (!(await restarted()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await crash().catch(() => undefined);
      expect(await exited).toBe(70);
    } finally {
      child.kill("SIGKILL");
    }
    const report = JSON.parse(readFileSync(reportFile, "utf8")) as Report;
    expect(report.stopped_by).toBe("escalated");
    expect(report.exit_code).toBe(70);
    expect(report.actors.find((a) => a.name === "strategy")?.restarts).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it("refuses a report path it could not write before anything starts (exit 2)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-run-report-bad-"));
    const ports = { trades: await freePort(), books: await freePort(), health: await freePort() };
    const configPath = path.join(dir, "config.yaml");
    writeFileSync(configPath, config(dir, ports));
    const missing = path.join(dir, "no-such-dir", "report.json");
    const { exited, output } = runDaemon(configPath, ["--report-json", missing]);
    expect(await exited).toBe(2);
    expect(output()).toContain(
      `leadlag: --report-json ${missing}: cannot be written (its directory ${path.dirname(missing)}: missing)`,
    );
    expect(output()).not.toContain("leadlag running");
    const { exited: dirExit, output: dirOutput } = runDaemon(configPath, ["--report-json", dir]);
    expect(await dirExit).toBe(2);
    expect(dirOutput()).toContain(`leadlag: --report-json ${dir}: is a directory`);
  }, 60_000);
});
