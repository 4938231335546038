import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DECISION_CSV_HEADER } from "../../src/actors/strategy/decision-csv.js";
import { TIMING_KEY } from "../../src/backtest/report/json.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { freePort } from "../fixtures/ports.js";
import { backtestConfigYaml, recordJumpyMarket } from "../fixtures/backtest.js";

const execFileAsync = promisify(execFile);
const SECONDS = 150;
let dir: string;
let files: { csv: string; arrow: string };
let config: string;

/** A report without what may differ between two runs of one recording from two sources. */
function comparable(report: Record<string, unknown>): Record<string, unknown> {
  const { source: _source, [TIMING_KEY]: _timing, ...rest } = report;
  return rest;
}

/** Runs `leadlag ARGS`; resolves with the exit code and both streams, whatever the code. */
async function leadlag(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return leadlagIn({}, fromRoot(), ...args);
}

async function leadlagIn(
  env: NodeJS.ProcessEnv,
  cwd: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync("node", [fromRoot("bin/leadlag.js"), ...args], {
      cwd,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function writeConfig(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "leadlag-backtest-cli-"));
  files = await recordJumpyMarket(dir, SECONDS);
  config = writeConfig("backtest.yaml", backtestConfigYaml(dir, files.csv, SECONDS));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("leadlag backtest", () => {
  it("gives a byte-identical report JSON (but for timing) for the same inputs and seed, from CSV and the replay file", async () => {
    const reports = ["a", "b", "c", "d"].map((n) => path.join(dir, `${n}.json`));
    // One run in an empty working directory and temporary directory of its own: both stay empty.
    const [scratch, cwd] = [mkdtempSync(path.join(dir, "tmp-")), mkdtempSync(path.join(dir, "cwd-"))];
    const anywhere = writeConfig(
      "backtest-anywhere.yaml",
      `symbol_rules_path: ${fromRoot("configs/symbol_rules.csv")}\n${readFileSync(config, "utf8")}`,
    );
    const runs = await Promise.all([
      leadlagIn({ TMPDIR: scratch }, cwd, "backtest", anywhere, "--quiet", "--seed", "3", "--report-json", reports[0]),
      // The heap cap docs/backtest.md gives for long windows changes nothing in the result.
      leadlagIn(
        { NODE_OPTIONS: "--max-old-space-size=512" },
        fromRoot(),
        "backtest",
        anywhere,
        "--quiet",
        "--seed",
        "3",
        "--report-json",
        reports[1],
      ),
      leadlag("backtest", anywhere, "--quiet", "--seed", "3", "--from", files.arrow, "--report-json", reports[2]),
      leadlag("backtest", anywhere, "--quiet", "--seed", "4", "--report-json", reports[3]),
    ]);
    for (const run of runs) expect(run, run.stderr).toMatchObject({ code: 0, stdout: "" });
    const [a, b, c] = reports.map((f) => readFileSync(f, "utf8"));
    // Byte-identical up to the last key, `timing` (wall seconds, events/s: the machine's, not the run's).
    const untimed = (text: string) => text.slice(0, text.indexOf(`"${TIMING_KEY}"`));
    expect(untimed(a).length).toBeGreaterThan(1000);
    expect(untimed(b)).toBe(untimed(a));
    const report = JSON.parse(a);
    expect(report.total_trades).toBeGreaterThan(0);
    expect(report.seed).toBe(3);
    expect(report[TIMING_KEY].wall_seconds).toBeGreaterThan(0);
    // The replay file holds the same events: only the source's name differs.
    expect(comparable(JSON.parse(c))).toEqual(comparable(report));
    // --seed reaches the simulated venue: another seed draws other fills (fill_probability 0.9, partials 0.25).
    const otherSeed = JSON.parse(readFileSync(reports[3], "utf8"));
    expect(otherSeed.seed).toBe(4);
    expect({ ...comparable(otherSeed), seed: 3 }).not.toEqual(comparable(report));
    // Nothing left behind: the run's journal and decision file were in a temporary directory, removed.
    expect(readdirSync(scratch)).toEqual([]);
    expect(readdirSync(cwd)).toEqual([]);
  }, 120_000);

  it("replays the same recording from PostgreSQL (leadlag data import) to the same report", async () => {
    const url = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
    const suffix = `${process.pid}_${Date.now()}`;
    const tables = { trades: `bt_cli_trades_${suffix}`, books: `bt_cli_books_${suffix}` };
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const imported = await leadlag(
        "data",
        "import",
        files.csv,
        "--to",
        url,
        "--trade-table",
        tables.trades,
        "--book-table",
        tables.books,
      );
      expect(imported.code, imported.stderr).toBe(0);
      const pgConfig = writeConfig(
        "backtest-pg.yaml",
        readFileSync(config, "utf8").replace(
          /data_source: .*/,
          `data_source: { connection: "${url}", trade_table: ${tables.trades}, book_table: ${tables.books} }`,
        ),
      );
      const [fromPg, fromCsv] = [path.join(dir, "pg.json"), path.join(dir, "csv.json")];
      const runs = await Promise.all([
        leadlag("backtest", pgConfig, "--quiet", "--report-json", fromPg),
        leadlag("backtest", config, "--quiet", "--report-json", fromCsv),
      ]);
      for (const run of runs) expect(run.code, run.stderr).toBe(0);
      const [a, b] = [fromPg, fromCsv].map((f) => JSON.parse(readFileSync(f, "utf8")));
      expect(a.source).toContain(tables.trades);
      expect(a.total_trades).toBeGreaterThan(0);
      // The configs differ in their data source only.
      expect({ ...comparable(a), config_hash: "" }).toEqual({ ...comparable(b), config_hash: "" });
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${tables.trades}, ${tables.books}`);
      await admin.end();
    }
  }, 120_000);

  it("runs the README's flow: record the synthetic market offline, backtest configs/backtest.yaml on it", async () => {
    const out = path.join(dir, "synthetic");
    const recorded = await leadlag("record", "--synthetic", "--duration", "120", "--out", out, "--seed", "5");
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(JSON.parse(recorded.stdout)).toMatchObject({
      synthetic: true,
      start: "2025-01-01T00:00:00.000Z",
      end: "2025-01-01T00:02:00.000Z",
    });
    const again = path.join(dir, "synthetic-again");
    await leadlag("record", "--synthetic", "--duration", "120", "--out", again, "--seed", "5");
    expect(readFileSync(path.join(again, "books.csv"), "utf8")).toBe(readFileSync(path.join(out, "books.csv"), "utf8"));
    const report = path.join(dir, "readme.json");
    const run = await leadlag(
      "backtest",
      fromRoot("configs/backtest.yaml"),
      "--from",
      out,
      "--quiet",
      "--start",
      "2025-01-01T00:00:00Z",
      "--end",
      "2025-01-01T00:02:00Z",
      "--report-json",
      report,
    );
    expect(run.code, run.stderr).toBe(0);
    const written = JSON.parse(readFileSync(report, "utf8"));
    expect(written.symbols).toEqual(["BTC-USDT-PERP", "ETH-USDT-PERP", "SOL-USDT-PERP"]);
    expect(written.events_replayed).toBeGreaterThan(120 * 3 * 10);
  }, 120_000);

  it("prints the summary and writes the HTML report and, when asked, the decision-score CSV", async () => {
    const html = path.join(dir, "report.html");
    const decisions = path.join(dir, "decisions.csv");
    const run = await leadlag("backtest", config, "--report-html", html, "--decisions-csv", decisions);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/=== Backtest Summary ===\nNet Profit: +-?\$-?[\d,]+\.\d\d\nTotal Return %: /);
    expect(run.stdout).toMatch(/Total Trades: +[1-9]\d*/);
    expect(readFileSync(html, "utf8")).toMatch(/^<!doctype html>/i);
    const rows = readFileSync(decisions, "utf8").trim().split("\n");
    expect(rows[0]).toBe(DECISION_CSV_HEADER);
    expect(rows.slice(1).some((r) => r.includes(",entered,"))).toBe(true);
  }, 60_000);

  it("draws the progress bar on a terminal only, and nothing with --quiet", async () => {
    // `script` gives the run a pseudo-terminal (util-linux); its output is the terminal's: stdout and stderr.
    const onTty = (...extra: string[]) =>
      execFileAsync("script", [
        "-qec",
        ["node", fromRoot("bin/leadlag.js"), "backtest", config, ...extra].map((a) => `'${a}'`).join(" "),
        "/dev/null",
      ]);
    const tty = await onTty();
    expect(tty.stdout).toMatch(/replay \[=+-*\] [1-9]\d?% \| [1-9]\d* events\/s \| ETA \d+s/);
    expect(tty.stdout).toMatch(/replay \[=+\] 100% \| [1-9]\d* events\/s \| ETA 0s/);
    expect(tty.stdout).toContain("=== Backtest Summary ===");
    const quiet = await onTty("--quiet");
    expect(quiet.stdout).not.toContain("replay");
    expect(quiet.stdout).not.toContain("Summary");
    // Off a terminal: plain lines, one every 5 s of wall time (unit-tested), never the bar's drawing.
    const piped = await leadlag("backtest", config);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).not.toContain("replay [");
    expect(piped.stderr).not.toContain("\u001b["); // no cursor movement
    expect(
      piped.stderr
        .split("\n")
        .filter((l) => l.startsWith("replay "))
        .every((l) => /^replay \d/.test(l)),
    ).toBe(true);
  }, 90_000);

  it("refuses a window without data with exit 2, naming the symbols and the window", async () => {
    const run = await leadlag("backtest", config, "--start", "2030-01-01", "--end", "2030-01-02");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no data for BTC-USDC-PERP, ETH-USDC-PERP, SOL-USDC-PERP");
    expect(run.stderr).toContain("[2030-01-01T00:00:00.000Z, 2030-01-02T00:00:00.000Z)");
  }, 30_000);

  it("names the column a recorder file lacks", async () => {
    const broken = path.join(dir, "broken");
    cpSync(files.csv, broken, { recursive: true });
    const trades = readFileSync(path.join(broken, "trades.csv"), "utf8").split("\n");
    const header = trades[0].split(",");
    const at = header.indexOf("seq");
    const dropSeq = (line: string) =>
      line
        .split(",")
        .filter((_c, i) => i !== at)
        .join(",");
    writeFileSync(path.join(broken, "trades.csv"), trades.map((l) => (l ? dropSeq(l) : l)).join("\n"));
    const run = await leadlag("backtest", config, "--from", broken);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/trades\.csv .*lacks column seq/);
  }, 30_000);

  it("names host and port of an unreachable database in one line, without a stack trace", async () => {
    const port = await freePort();
    const run = await leadlag("backtest", config, "--from", `postgresql://postgres@127.0.0.1:${port}/none`);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain(`127.0.0.1:${port}`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  it("names a symbol rules file it cannot read, exit 2 without a stack trace", async () => {
    const missing = writeConfig(
      "backtest-no-rules.yaml",
      `symbol_rules_path: ${path.join(dir, "nope.csv")}\n${readFileSync(config, "utf8")}`,
    );
    const run = await leadlag("backtest", missing, "--quiet");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot read symbol_rules_path ${path.join(dir, "nope.csv")}: ENOENT`);
    expect(run.stderr).not.toContain("    at ");
  });

  it("refuses a report path that cannot be written before it opens the source", async () => {
    const run = await leadlag(
      "backtest",
      config,
      "--from",
      path.join(dir, "no-such-recording"),
      "--report-json",
      path.join(dir, "no-such-dir", "r.json"),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot write the JSON report ${path.join(dir, "no-such-dir", "r.json")}`);
    expect(run.stderr).not.toContain("no-such-recording");
  }, 30_000);

  it("merges --profile P over the config, and refuses a profile the file does not define", async () => {
    const withProfile = writeConfig(
      "backtest-profiles.yaml",
      `${readFileSync(config, "utf8")}\nprofiles:\n  later:\n    backtest: { start_date: 2030-01-01T00:00:00Z, end_date: 2030-01-02T00:00:00Z }\n`,
    );
    const later = await leadlag("backtest", withProfile, "--profile", "later", "--quiet");
    expect(later.code).toBe(2);
    expect(later.stderr).toContain("[2030-01-01T00:00:00.000Z, 2030-01-02T00:00:00.000Z)");
    const unknown = await leadlag("backtest", withProfile, "--profile", "nope", "--quiet");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("nope");
    expect(unknown.stderr).toContain("later");
  }, 30_000);

  it("refuses a key only the live daemon reads, in one line, before it opens the source", async () => {
    const withEngine = writeConfig(
      "backtest-engine.yaml",
      readFileSync(config, "utf8").replace(
        "execution: { provider: paper, mode: paper }",
        "execution: { provider: paper, mode: paper, orders_port: 6101 }",
      ),
    );
    const run = await leadlag("backtest", withEngine, "--from", path.join(dir, "no-such-recording"));
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toEqual([
      "leadlag backtest: execution.orders_port is not used by a backtest (the trading engine's ZeroMQ address; a " +
        "backtest trades the simulated venue); remove it",
    ]);
  }, 30_000);

  it("refuses a config that is not mode: backtest, and leadlag run refuses one that is", async () => {
    const live = writeConfig("live.yaml", readFileSync(config, "utf8").replace("mode: backtest", "mode: live"));
    const backtestLive = await leadlag("backtest", live);
    expect(backtestLive.code).toBe(2);
    expect(backtestLive.stderr).toContain("mode: live");
    const run = await leadlag("run", config);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`leadlag backtest ${config}`);
  }, 30_000);
});
