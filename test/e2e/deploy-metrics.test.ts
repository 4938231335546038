import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { fromRoot } from "../../src/runtime/paths.js";
import { freePort, freePortPair } from "../fixtures/ports.js";
import { dashboardExprs, exposedNames, metricNamesIn, promtool } from "../fixtures/deploy.js";
import { spedUpMarketYaml, spedUpStrategyYaml } from "../fixtures/sped-up-demo.js";

/**
 * The deploy/ files against a real daemon: the daemon trades the synthetic market (ETH and SOL follow BTC; 1 s
 * ATR bars, a 15 s time limit) until its /metrics serves every metric the dashboard and the alert rules name, or
 * fails listing the missing ones; then promtool lints the scrape.
 */
const dashboard = JSON.parse(readFileSync(fromRoot("deploy", "grafana", "dashboards", "leadlag.json"), "utf8"));
const alerts = parseYaml(readFileSync(fromRoot("deploy", "prometheus", "alerts.yml"), "utf8")) as {
  groups: { rules: { alert: string; expr: string }[] }[];
};
const alertExprs = alerts.groups.flatMap((g) => g.rules.map((r) => ({ name: r.alert, expr: r.expr })));
const wanted = [...new Set([...dashboardExprs(dashboard), ...alertExprs.map((a) => a.expr)].flatMap(metricNamesIn))];

/** prom-client's default metrics name three gauges `…_total`; promtool's lint names them and nothing else may fail. */
const PROM_CLIENT_LINT =
  /^leadlag_nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;

function config(dir: string, health: number, [trades, books]: [number, number]): string {
  return `
mode: live
runtime:
  account_id: deploy-e2e-${process.pid}-${Date.now()}
  database_url: ${process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test"}
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")} }
${spedUpMarketYaml({ trades: trades, books: books })}
execution: { provider: paper, mode: paper }
${spedUpStrategyYaml({ name: "deploy", dir })}
observability:
  logging: { level: warn }
  health_server: { host: 127.0.0.1, port: ${health} }
`;
}

let child: ChildProcess | undefined;
let port = 0;
let output = "";
const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "leadlag-deploy-"));
  port = await freePort();
  const file = path.join(dir, "config.yaml");
  writeFileSync(file, config(dir, port, await freePortPair()));
  child = spawn(process.execPath, [fromRoot("bin", "leadlag.js"), "run", file], {
    cwd: fromRoot(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
});

afterAll(() => {
  child?.kill("SIGKILL");
});

describe("deploy/ against a running daemon's /metrics", () => {
  it("serves every metric the Grafana dashboard and the alert rules name, once it has traded", async () => {
    const until = Date.now() + 150_000;
    let missing: string[] = wanted;
    while (missing.length > 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 1000));
      const names = await scrape().then(exposedNames, () => new Set<string>());
      missing = wanted.filter((n) => !names.has(n));
    }
    expect(missing, output.slice(-2000)).toEqual([]);
    // The check above would pass on an empty list: the files name what they are meant to.
    for (const name of [
      "leadlag_decision_latency_seconds_bucket",
      "leadlag_realized_pnl_usd",
      "leadlag_open_positions",
      "leadlag_jumps_detected_total",
      "leadlag_hy_passes_total",
      "leadlag_decisions_total",
      "leadlag_actor_restarts_total",
      "leadlag_feed_last_receipt_age_seconds",
      "leadlag_risk_breaker_state",
      "leadlag_risk_equity_usd",
      "leadlag_venue_events_total",
    ])
      expect(wanted).toContain(name);
  }, 170_000);

  it("reports the breaker ACTIVE and the equity /risk reports", async () => {
    const text = await scrape();
    const value = (series: string) => Number(new RegExp(`^${series} (\\S+)$`, "m").exec(text)?.[1]);
    expect(value('leadlag_risk_breaker_state\\{actor="risk",state="ACTIVE"\\}')).toBe(1);
    expect(value('leadlag_risk_breaker_state\\{actor="risk",state="REDUCING"\\}')).toBe(0);
    expect(value('leadlag_risk_breaker_state\\{actor="risk",state="HALTED"\\}')).toBe(0);
    const risk = (await (await fetch(`http://127.0.0.1:${port}/risk`)).json()) as { equity_usd: number };
    // Paper balance 100000 USDT plus perp PnL: within a few hundred dollars of it, and marked twice a second.
    expect(value('leadlag_risk_equity_usd\\{actor="risk"\\}')).toBeGreaterThan(99_000);
    expect(Math.abs(value('leadlag_risk_equity_usd\\{actor="risk"\\}') - risk.equity_usd)).toBeLessThan(50);
  });

  it("passes `promtool check metrics` but for prom-client's own default-metric names", async () => {
    const run = spawnSync(promtool(), ["check", "metrics"], { input: await scrape(), encoding: "utf8" });
    const findings = (run.stdout + run.stderr).split("\n").filter((l) => l.trim() !== "");
    // 0: clean; 3: lint findings only (a parse error is 1, with "error while linting").
    expect([0, 3], findings.join("\n")).toContain(run.status);
    expect(findings.filter((l) => !PROM_CLIENT_LINT.test(l))).toEqual([]);
  });

  it("every alert rule's metrics are served (the dashboard's, above, too)", async () => {
    const names = exposedNames(await scrape());
    for (const { name, expr } of alertExprs)
      expect(
        metricNamesIn(expr).filter((n) => !names.has(n)),
        name,
      ).toEqual([]);
  });
});
