import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { loadConfig, parseConfig } from "../../src/config/index.js";
import { LIVE_CONFIRM_ENV, tradesRealMoney } from "../../src/supervisor/daemon.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { dashboardExprs, promtool } from "../fixtures/deploy.js";

const deploy = (...p: string[]) => fromRoot("deploy", ...p);
const defaults = parseConfig("mode: live\n");

/** Dockerfile instructions with their continuation lines joined, grouped by stage. */
function dockerStages(text: string): { name: string; instructions: { op: string; args: string }[] }[] {
  const joined = text.replace(/\\\n/g, " ");
  const stages: { name: string; instructions: { op: string; args: string }[] }[] = [];
  for (const line of joined.split("\n")) {
    const m = /^([A-Z]+)\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === "FROM") stages.push({ name: /\bAS\s+(\S+)/i.exec(m[2])?.[1] ?? "", instructions: [] });
    stages.at(-1)?.instructions.push({ op: m[1], args: m[2].trim() });
  }
  return stages;
}

function envFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

describe("deploy/Dockerfile", () => {
  const stages = dockerStages(readFileSync(deploy("Dockerfile"), "utf8"));
  const runtime = stages.at(-1)!;
  const op = (name: string) => runtime.instructions.filter((i) => i.op === name);

  it("builds in one stage and runs as a non-root user in a slim Node 20 stage without sources", () => {
    expect(stages.map((s) => s.name)).toEqual(["build", "runtime"]);
    expect(readFileSync(deploy("Dockerfile"), "utf8")).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(stages[0].instructions.some((i) => i.op === "RUN" && /npm ci && npm prune --omit=dev/.test(i.args))).toBe(
      true,
    );
    expect(op("USER").map((i) => i.args)).toEqual(["leadlag"]);
    const copied = op("COPY").map((i) => i.args);
    expect(copied).toContain("--from=build /opt/leadlag/node_modules ./node_modules");
    expect(copied).toContain("--from=build /opt/leadlag/dist ./dist");
    expect(copied.some((c) => /\bsrc\b/.test(c))).toBe(false);
    // Everything the stages copy from the context exists in the repository.
    for (const stage of stages)
      for (const c of stage.instructions.filter((i) => i.op === "COPY" && !i.args.startsWith("--from")))
        for (const source of c.args.split(/\s+/).slice(0, -1)) expect(existsSync(fromRoot(source)), source).toBe(true);
  });

  it("checks the health server's /health on the config's default port, and runs bin/leadlag.js", () => {
    const check = op("HEALTHCHECK")[0].args;
    const url = /http:\/\/127\.0\.0\.1:(\d+)(\/\w+)/.exec(check);
    expect(url).not.toBeNull();
    expect(Number(url![1])).toBe(defaults.observability.health_server.port);
    expect(url![2]).toBe("/health");
    expect(check).toContain("r.ok ? 0 : 1"); // 503 (degraded) is unhealthy
    expect(op("EXPOSE").map((i) => i.args)).toEqual([String(defaults.observability.health_server.port)]);
    expect(JSON.parse(op("ENTRYPOINT")[0].args)).toEqual(["node", "bin/leadlag.js"]);
    const cmd = JSON.parse(op("CMD").at(-1)!.args) as string[];
    expect(cmd[0]).toBe("run");
    expect(existsSync(fromRoot(cmd[1]))).toBe(true);
  });

  it("has a .dockerignore that keeps the host's node_modules and dist out of the build context", () => {
    const ignored = readFileSync(fromRoot(".dockerignore"), "utf8").split("\n");
    for (const entry of ["node_modules", "dist", "data", "logs", ".git"]) expect(ignored).toContain(entry);
  });
});

describe("deploy/compose.yaml", () => {
  const compose = parseYaml(readFileSync(deploy("compose.yaml"), "utf8")) as {
    services: Record<string, { volumes?: string[]; command?: string[]; environment?: Record<string, string> }>;
  };

  it("runs leadlag, PostgreSQL, Prometheus and Grafana, mounting files that exist", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["grafana", "leadlag", "postgres", "prometheus"]);
    for (const service of Object.values(compose.services))
      for (const volume of service.volumes ?? []) {
        const source = volume.split(":")[0];
        if (source.startsWith(".")) expect(existsSync(deploy(source)), volume).toBe(true);
      }
  });

  it("mounts a config that loads, with the health server where Prometheus scrapes it", async () => {
    const leadlag = compose.services.leadlag;
    const mount = leadlag.volumes!.find((v) => v.split(":")[1] === leadlag.command![1])!;
    const config = await loadConfig(deploy(mount.split(":")[0]), {
      env: { LEADLAG_CONTROL_TOKEN: "t", DATABASE_URL: "postgresql://x@postgres/leadlag" },
    });
    expect(config.observability.health_server.host).toBe("0.0.0.0");
    expect(config.runtime.database_url).toBe("postgresql://x@postgres/leadlag");
    const prometheus = parseYaml(readFileSync(deploy("prometheus", "prometheus.yml"), "utf8"));
    const job = prometheus.scrape_configs.find((j: { job_name: string }) => j.job_name === "leadlag");
    expect(job.metrics_path).toBe("/metrics");
    expect(job.static_configs[0].targets).toEqual([`leadlag:${config.observability.health_server.port}`]);
    // The Dockerfile's HEALTHCHECK asks the default port: the compose config keeps it.
    expect(config.observability.health_server.port).toBe(defaults.observability.health_server.port);
  });

  it("provisions the datasource the dashboard's panels name", () => {
    const datasources = parseYaml(
      readFileSync(deploy("grafana", "provisioning", "datasources", "prometheus.yml"), "utf8"),
    );
    const uids = new Set(datasources.datasources.map((d: { uid: string }) => d.uid));
    const dashboard = JSON.parse(readFileSync(deploy("grafana", "dashboards", "leadlag.json"), "utf8"));
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    for (const panel of dashboard.panels) {
      expect(uids.has(panel.datasource.uid), panel.title).toBe(true);
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
    }
    expect(dashboardExprs(dashboard).length).toBeGreaterThanOrEqual(15);
  });
});

describe("deploy/leadlag.service", () => {
  const unit = readFileSync(deploy("leadlag.service"), "utf8");
  const directive = (key: string) => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, "gm"))].map((m) => m[1]);

  it("requires its environment file, and the example file starts configs/live.yaml's production profile live", async () => {
    expect(directive("EnvironmentFile")).toEqual(["/etc/leadlag/env"]); // no "-": a missing file is an error
    const exec = directive("ExecStart")[0].split(" ");
    expect(exec.slice(1, 3)).toEqual(["/opt/leadlag/bin/leadlag.js", "run"]);
    expect(exec.slice(4)).toEqual(["--profile", "production"]);
    expect(exec).not.toContain("--live"); // the confirmation is the operator's, in the environment file
    const env = envFile(readFileSync(deploy("leadlag.env.example"), "utf8"));
    expect(env[LIVE_CONFIRM_ENV]).toBe("yes");
    const config = await loadConfig(fromRoot("configs", "live.yaml"), { profile: "production", env });
    expect(tradesRealMoney(config)).toBe(true);
    expect(config.runtime.account_id).toBe(env.LEADLAG_ACCOUNT);
    // Without the file's variables the production profile does not load at all.
    await expect(loadConfig(fromRoot("configs", "live.yaml"), { profile: "production", env: {} })).rejects.toThrow(
      /LEADLAG_ACCOUNT/,
    );
  });

  it("does not restart a refused start, keeps its watchdog above twice the daemon's, and writes only data and logs", () => {
    expect(directive("RestartPreventExitStatus")).toEqual(["2"]);
    expect(Number(directive("WatchdogSec")[0]) * 1000).toBeGreaterThan(2 * defaults.runtime.watchdog.stall_ms);
    expect(directive("User")).toEqual(["leadlag"]);
    const workDir = directive("WorkingDirectory")[0];
    expect(directive("ReadWritePaths")[0].split(" ")).toEqual([path.join(workDir, "data"), path.join(workDir, "logs")]);
    expect(defaults.runtime.journal.path.startsWith("./data/")).toBe(true);
  });
});

describe("deploy/prometheus", () => {
  it("promtool accepts the alert rules and the scrape config (which loads them)", () => {
    for (const args of [
      ["check", "rules", deploy("prometheus", "alerts.yml")],
      ["check", "config", deploy("prometheus", "prometheus.yml")],
    ]) {
      const run = spawnSync(promtool(), args, { encoding: "utf8" });
      expect(run.status, run.stdout + run.stderr).toBe(0);
    }
    const run = spawnSync(promtool(), ["check", "rules", deploy("prometheus", "alerts.yml")], { encoding: "utf8" });
    expect(run.stdout).toContain("SUCCESS: 8 rules found");
  });

  it("every alert links a heading of docs/operations.md", () => {
    const alerts = parseYaml(readFileSync(deploy("prometheus", "alerts.yml"), "utf8"));
    const anchors = new Set(
      [...readFileSync(fromRoot("docs", "operations.md"), "utf8").matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1]
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, "")
          .replaceAll(" ", "-"),
      ),
    );
    for (const rule of alerts.groups.flatMap((g: { rules: unknown[] }) => g.rules)) {
      const link = /^docs\/operations\.md#(.+)$/.exec(rule.annotations.runbook);
      expect(link, rule.alert).not.toBeNull();
      expect(anchors.has(link![1]), `${rule.alert}: ${link![1]}`).toBe(true);
    }
  });

  it("promtool parses every PromQL expression of the Grafana dashboard (as recording rules)", () => {
    const dashboard = JSON.parse(readFileSync(deploy("grafana", "dashboards", "leadlag.json"), "utf8"));
    // Grafana replaces $__rate_interval before asking Prometheus; any duration stands in for it here.
    const rules = dashboardExprs(dashboard).map((expr, i) => ({
      record: `leadlag:dashboard_panel_${i}`,
      expr: expr.replaceAll("$__rate_interval", "1m"),
    }));
    const file = path.join(mkdtempSync(path.join(tmpdir(), "leadlag-dashboard-")), "rules.yml");
    writeFileSync(file, stringifyYaml({ groups: [{ name: "dashboard", rules }] }));
    const run = spawnSync(promtool(), ["check", "rules", file], { encoding: "utf8" });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });
});
