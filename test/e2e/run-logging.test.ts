import { afterEach, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fromRoot } from "../../src/runtime/paths.js";
import { freePort, freePortPair } from "../fixtures/ports.js";
import { waitFor } from "../fixtures/wait.js";

const bin = fromRoot("bin", "leadlag.js");

/** The daemon on the embedded synthetic market, state in a temp dir, with `observability` lines of its own. */
async function writeConfig(observability: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "leadlag-run-logging-"));
  const [trades, books] = freePortPair();
  const file = path.join(dir, "config.yaml");
  writeFileSync(
    file,
    `
mode: live
runtime:
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")} }
market_data: { provider: synthetic, port: ${trades}, books_port: ${books} }
execution: { provider: paper, mode: paper }
strategies:
  - name: ll
    type: leadlag
    config: { symbols: [BTC-USDT-PERP, ETH-USDT-PERP], decision_scores_csv_path: ${path.join(dir, "decisions.csv")} }
observability:
  health_server: { host: 127.0.0.1, port: ${await freePort()} }
${observability}
`,
  );
  return file;
}

function daemon(args: string[]): {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [bin, ...args], { cwd: fromRoot(), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

interface Line {
  level: number;
  msg: string;
  status?: Record<string, number>;
}
const linesOf = (text: string): Line[] =>
  text
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Line);

let running: ChildProcess | undefined;
afterEach(() => {
  running?.kill("SIGKILL");
  running = undefined;
});

describe("run's logging", () => {
  it("--log-level and --structured-logging override the config; a status line comes every log_interval_sec; all also in logging.file", async () => {
    const logFile = path.join(mkdtempSync(path.join(tmpdir(), "leadlag-run-log-")), "logs", "trading.log");
    const config = await writeConfig(`
  logging: { level: warn, structured: false, file: ${logFile} }
  metrics_aggregator: { log_interval_sec: 0.4, poll_interval_sec: 0.2 }`);
    const d = daemon(["run", config, "--log-level", "INFO", "--structured-logging"]);
    running = d.child;
    await waitFor(() => (d.stdout().match(/"msg":"status: /g) ?? []).length >= 3, 40_000);
    const lines = linesOf(d.stdout()); // every line JSON, though the config says structured: false
    expect(lines.find((l) => l.msg === "leadlag running")?.level).toBe(30); // info, though the config says warn
    const status = lines.filter((l) => l.msg.startsWith("status: "));
    for (const line of status) {
      expect(line.level).toBe(30);
      const s = line.status!;
      expect(Object.keys(s).sort()).toEqual(
        ["entries", "exits", "jumps", "openPositions", "realizedPnlUsd", "scans", "unrealizedPnlUsd"].sort(),
      );
      expect(line.msg).toBe(
        `status: ${s.jumps} jumps, ${s.scans} scans, ${s.entries} entries, ${s.exits} exits, ` +
          `${s.openPositions} open, PnL ${s.realizedPnlUsd < 0 ? "-" : "+"}${Math.abs(s.realizedPnlUsd).toFixed(2)} ` +
          `USD realized, ${s.unrealizedPnlUsd < 0 ? "-" : "+"}${Math.abs(s.unrealizedPnlUsd).toFixed(2)} unrealized`,
      );
    }
    d.child.kill("SIGTERM");
    expect(await d.exited).toBe(0);
    // The file has the same lines, the stop's included (flushed before exit).
    const filed = linesOf(readFileSync(logFile, "utf8"));
    expect(filed.filter((l) => l.msg.startsWith("status: ")).length).toBeGreaterThanOrEqual(3);
    expect(filed.at(-1)?.msg).toBe(linesOf(d.stdout()).at(-1)?.msg);
  });

  it("logs no status line with metrics_aggregator.enabled: false", async () => {
    const config = await writeConfig(`
  logging: { level: info }
  metrics_aggregator: { enabled: false, log_interval_sec: 0.2 }`);
    const d = daemon(["run", config]);
    running = d.child;
    await waitFor(() => d.stdout().includes('"msg":"leadlag running"'), 40_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(d.stdout()).not.toContain('"msg":"status: ');
    d.child.kill("SIGTERM");
    expect(await d.exited).toBe(0);
  });

  it("refuses an unknown --log-level with exit 2, naming the levels it accepts", async () => {
    const d = daemon(["run", await writeConfig(""), "--log-level", "verbose"]);
    expect(await d.exited).toBe(2);
    expect(d.stderr()).toContain(
      "leadlag run: --log-level: unknown level 'verbose'; use one of trace, debug, info, warn, warning, error, fatal, critical",
    );
  });
});
