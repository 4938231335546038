import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { planBacktest } from "../../src/backtest/runner/plan.js";
import { artifactDirOf } from "../../src/backtest/scan/versions.js";
import { leadLagStrategy, loadConfig } from "../../src/config/index.js";
import { fromRoot } from "../../src/runtime/paths.js";

const unit = (name: string) => readFileSync(fromRoot("deploy", name), "utf8");
const directive = (text: string, key: string) => [...text.matchAll(new RegExp(`^${key}=(.*)$`, "gm"))].map((m) => m[1]);

/** The scan command line the service's ExecStart runs, as the shell expands it today. */
function execStartArgs(): string[] {
  const exec = directive(unit("leadlag-scan.service"), "ExecStart")[0];
  const script = /^\/bin\/sh -c '(.*)'$/.exec(exec)![1].replaceAll("%%", "%");
  expect(script.startsWith("exec /usr/bin/node /opt/leadlag/bin/leadlag.js ")).toBe(true);
  const printed = spawnSync(
    "/bin/sh",
    ["-c", script.replace("exec /usr/bin/node /opt/leadlag/bin/leadlag.js", "printf '%s\\n'")],
    {
      encoding: "utf8",
      env: { PATH: process.env.PATH },
    },
  );
  expect(printed.status, printed.stderr).toBe(0);
  return printed.stdout.trimEnd().split("\n");
}

describe("deploy/leadlag-scan.service and .timer", () => {
  it("the timer starts the service daily at 00:30 UTC and catches up a missed day", () => {
    const timer = unit("leadlag-scan.timer");
    expect(directive(timer, "Unit")).toEqual(["leadlag-scan.service"]);
    expect(directive(timer, "Persistent")).toEqual(["true"]);
    expect(directive(timer, "WantedBy")).toEqual(["timers.target"]);
    const calendar = spawnSync("systemd-analyze", ["calendar", directive(timer, "OnCalendar")[0]], {
      encoding: "utf8",
    });
    expect(calendar.status, calendar.stderr).toBe(0);
    expect(calendar.stdout).toMatch(/Normalized form: \*-\*-\* 00:30:00 UTC/);
  });

  it("scans yesterday, midnight to midnight UTC, with configs/backtest.yaml into the directory the daemon reads", async () => {
    const service = unit("leadlag-scan.service");
    expect(directive(service, "Type")).toEqual(["oneshot"]);
    const args = execStartArgs();
    expect(args.slice(0, 2)).toEqual(["scan", "/opt/leadlag/configs/backtest.yaml"]);
    const start = Date.parse(args[args.indexOf("--start") + 1]);
    const end = Date.parse(args[args.indexOf("--end") + 1]);
    expect(end - start).toBe(86_400_000);
    const now = Date.now();
    expect(end).toBe(now - (now % 86_400_000));
    expect(args[args.indexOf("--keep") + 1]).toBe("7");

    // The config as shipped plans that window, and its artifacts_path's directory is the one the unit may write.
    const workDir = directive(service, "WorkingDirectory")[0];
    const config = await loadConfig(fromRoot(path.relative(workDir, args[1])), { env: {} });
    const plan = await planBacktest(config, {
      start: args[args.indexOf("--start") + 1],
      end: args[args.indexOf("--end") + 1],
    });
    expect(plan.endNs - plan.startNs).toBe(86_400n * 1_000_000_000n);
    const artifacts = artifactDirOf(leadLagStrategy(config).config.artifacts_path)!;
    expect(directive(service, "ReadWritePaths")).toEqual([path.join(workDir, artifacts)]);
    // The live daemon reads the same link.
    const live = await loadConfig(fromRoot("configs", "live.yaml"), {
      env: { DATABASE_URL: "postgresql://x@h/db", LEADLAG_ACCOUNT: "a" },
    });
    expect(leadLagStrategy(live).config.artifacts_path).toBe(path.join(artifacts, "latest"));
  });
});
