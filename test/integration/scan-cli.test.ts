import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listVersions } from "../../src/backtest/scan/versions.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { backtestConfigYaml, recordJumpyMarket } from "../fixtures/backtest.js";

const execFileAsync = promisify(execFile);
const SECONDS = 300;
let dir: string;
let art: string;
let config: string;
let csv: string;

async function leadlag(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync("node", [fromRoot("bin/leadlag.js"), ...args], { cwd: fromRoot() });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const scan = (...extra: string[]) => leadlag("scan", config, "--holdout", "0.4", "--workers", "2", ...extra);
const latest = () => readlinkSync(path.join(art, "latest"));
const json = (...p: string[]) => JSON.parse(readFileSync(path.join(...p), "utf8"));

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "leadlag-scan-cli-"));
  art = path.join(dir, "artifacts");
  const { arrow, csv: csvDir } = await recordJumpyMarket(dir, SECONDS);
  csv = csvDir;
  // The strategy reads artifacts/latest: scan's --out defaults to its parent.
  const yaml = backtestConfigYaml(dir, arrow, SECONDS).replace(
    `artifacts_path: ${path.join(dir, "no-artifacts")}`,
    `artifacts_path: ${path.join(art, "latest")}`,
  );
  config = path.join(dir, "backtest.yaml");
  writeFileSync(config, yaml);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("leadlag scan", () => {
  it("writes a validated version with its manifest and points latest at it", async () => {
    const run = await scan("--keep", "2");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const version = latest();
    expect(version).toMatch(/^\d{8}T\d{4}Z(-\d+)?$/);
    expect(run.stdout).toContain(`${path.join(art, "latest")} -> ${version}`);
    expect(run.stdout).toMatch(/BTC-USDC-PERP -> ETH-USDC-PERP\s+mid\s+tau\*\s+1\.500 s .* passes/);

    const pairs = json(art, "latest", "top_pairs.json").pairs as {
      leader: string;
      lagger: string;
      expected_tau_s: number;
    }[];
    const tau = (leader: string, lagger: string) =>
      pairs.find((p) => p.leader === leader && p.lagger === lagger)?.expected_tau_s;
    expect(Math.abs(tau("BTC-USDC-PERP", "ETH-USDC-PERP")! - 1.5)).toBeLessThanOrEqual(0.051);
    expect(Math.abs(tau("BTC-USDC-PERP", "SOL-USDC-PERP")! - 1.0)).toBeLessThanOrEqual(0.051);
    // Laggers never come out as leaders of BTC.
    expect(pairs.some((p) => p.lagger === "BTC-USDC-PERP")).toBe(false);
    const features = json(art, "latest", "top_features.json").features.map((f: { feature: string }) => f.feature);
    expect(features.sort()).toEqual(["mid", "trade"]);
    const baselines = json(art, "latest", "baselines.json").pairs as {
      expected_move_bps: number;
      leader_vol_bps: number;
    }[];
    expect(baselines.length).toBe(pairs.length);
    // The jumpy market's leader jumps are 60 bp; the laggers follow with correlation 0.8-0.85.
    for (const b of baselines) expect(b.expected_move_bps).toBeGreaterThan(20);

    const manifest = json(art, version, "manifest.json");
    expect(manifest.version).toBe(version);
    expect(manifest.config_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.code_version.package).toBe(json(fromRoot("package.json")).version);
    expect(manifest.code_version.git_commit === null || /^[0-9a-f]{40}$/.test(manifest.code_version.git_commit)).toBe(
      true,
    );
    expect(manifest.data.window).toEqual({ start: "2025-11-17T12:00:00.000Z", end: "2025-11-17T12:05:00.000Z" });
    expect(manifest.data.scan_window.end).toBe("2025-11-17T12:03:00.000Z");
    expect(manifest.data.holdout_window.start).toBe("2025-11-17T12:03:00.000Z");
    expect(manifest.data.rows["BTC-USDC-PERP"].trades).toBeGreaterThan(100);
    expect(manifest.data.rows["ETH-USDC-PERP"].books).toBeGreaterThan(100);
    expect(manifest.lag_grid).toEqual({
      lag_min_s: -12,
      lag_max_s: 12,
      lag_step_s: 0.05,
      exclude_low_s: -0.3,
      exclude_high_s: 0.3,
      lags: 481,
    });
    expect(manifest.pairs.length).toBe(12); // 6 ordered pairs x 2 features
    expect(manifest.validation.passed).toBe(true);
    expect(manifest.validation.decisions).toBeGreaterThan(0);
  });

  it("keeps the newest N, rolls latest back, and refuses a rollback with nothing older", async () => {
    const first = latest();
    expect((await scan("--keep", "2")).code).toBe(0);
    const second = latest();
    expect(second).not.toBe(first);
    expect(await listVersions(art)).toEqual([first, second]);

    const back = await leadlag("scan", "--rollback", art);
    expect(back.code).toBe(0);
    expect(back.stdout).toBe(`${path.join(art, "latest")} -> ${first} (was ${second})\n`);
    expect(latest()).toBe(first);
    const none = await leadlag("scan", "--rollback", art);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no version older than .* nothing to roll back to/);

    expect((await scan("--keep", "1")).code).toBe(0);
    const third = latest();
    expect(await listVersions(art)).toEqual([third]);
  });

  it("puts a set that fails validation in rejected/ with its reason and leaves latest alone", async () => {
    const before = latest();
    const run = await scan("--min-decisions", "100000");
    expect(run.code).toBe(1);
    const rejected = /rejected (\S+): (.*); kept in (\S+)\n/.exec(run.stderr);
    expect(rejected).not.toBeNull();
    expect(rejected![2]).toMatch(
      /hold-out backtest: the strategy took \d+ decision\(s\), fewer than --min-decisions 100000/,
    );
    expect(rejected![3]).toBe(path.join(art, "rejected", rejected![1]));
    expect(readFileSync(path.join(rejected![3], "reason.txt"), "utf8")).toBe(`${rejected![2]}\n`);
    expect(json(rejected![3], "manifest.json").validation.passed).toBe(false);
    expect(latest()).toBe(before);
    expect(await listVersions(art)).toEqual([before]);
  });

  it("rejects a set where no pair passes the gates (no top_pairs.json is possible)", async () => {
    const strict = path.join(dir, "strict.yaml");
    writeFileSync(
      strict,
      readFileSync(config, "utf8").replace(
        "inference_lookback_seconds: 60",
        "inference_lookback_seconds: 60\n      correlation_threshold: 0.999",
      ),
    );
    const run = await leadlag("scan", strict, "--holdout", "0.4");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no ordered pair passes the gates \(\|rho\*\| >= 0.999/);
  });

  it("exits 2 on a window without data, --keep 0, a bad lag grid or hold-out, an unwritable --out; 1 with one line on an unreadable source", async () => {
    const empty = await scan("--start", "2020-01-01T00:00:00Z", "--end", "2020-01-01T01:00:00Z");
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(
      /^leadlag scan: no data for BTC-USDC-PERP, ETH-USDC-PERP, SOL-USDC-PERP in the scan window \[2020-01-01T00:00:00.000Z/,
    );
    for (const [flags, message] of [
      [["--keep", "0"], /--keep must be an integer >= 1, got '0'/],
      [["--lag-min-s", "5", "--lag-max-s", "1"], /lag-min-s < lag-max-s, got 5 >= 1/],
      [["--lag-step-s", "0"], /lag-step-s must be positive, got 0/],
      [["--lag-step-s=-0.5"], /lag-step-s must be positive, got -0.5/],
      [["--holdout", "1"], /--holdout must lie in \(0, 1\)/],
    ] as const) {
      const run = await scan(...flags);
      expect(run.code, flags.join(" ")).toBe(2);
      expect(run.stderr, flags.join(" ")).toMatch(message);
    }
    const notADir = await scan("--out", path.join(config, "artifacts"));
    expect(notADir.code).toBe(2);
    expect(notADir.stderr).toBe(
      `leadlag scan: cannot write the artifact directory ${path.join(config, "artifacts")}: ENOTDIR\n`,
    );
    const missing = await scan("--from", path.join(dir, "nowhere.arrow"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`leadlag scan: ${path.join(dir, "nowhere.arrow")}: no such file or directory\n`);
    // Refused before anything was staged.
    expect(existsSync(art) ? readdirSync(art).filter((n) => n.startsWith(".")) : []).toEqual([]);
  });

  it("reads the same history from PostgreSQL and a recorder CSV directory to the same artifacts", async () => {
    const url = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
    const suffix = `${process.pid}_${Date.now()}`;
    const tables = { trades: `scan_cli_trades_${suffix}`, books: `scan_cli_books_${suffix}` };
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const imported = await leadlag(
        "data",
        "import",
        csv,
        "--to",
        url,
        "--trade-table",
        tables.trades,
        "--book-table",
        tables.books,
      );
      expect(imported.code, imported.stderr).toBe(0);
      const pgConfig = path.join(dir, "scan-pg.yaml");
      writeFileSync(
        pgConfig,
        readFileSync(config, "utf8").replace(
          /data_source: .*/,
          `data_source: { connection: "${url}", trade_table: ${tables.trades}, book_table: ${tables.books} }`,
        ),
      );
      const [fromPg, fromCsv] = [path.join(dir, "from-pg"), path.join(dir, "from-csv")];
      const runs = [
        await leadlag("scan", pgConfig, "--holdout", "0.4", "--out", fromPg),
        await scan("--from", csv, "--out", fromCsv),
      ];
      for (const run of runs) expect(run.code, run.stderr).toBe(0);
      const same = (file: string) => {
        const [a, b] = [fromPg, fromCsv].map((d) => json(d, "latest", file));
        delete a.generated_at;
        delete b.generated_at;
        return [a, b];
      };
      for (const file of ["top_pairs.json", "top_features.json", "baselines.json"]) {
        const [a, b] = same(file);
        expect(a, file).toEqual(b);
      }
      const [a, b] = [fromPg, fromCsv].map((d) => json(d, "latest", "manifest.json"));
      expect(a.data.source).toContain(tables.trades);
      expect(a.data.source).not.toContain("postgres@"); // no credentials in the manifest
      expect(a.data.rows).toEqual(b.data.rows);
      expect(a.pairs).toEqual(b.pairs);
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${tables.trades}, ${tables.books}`);
      await admin.end();
    }
  });

  it("flags the pairs whose optimum sits at the grid's edge: ETH follows BTC 1.5 s later, the grid ends at 1.45 s", async () => {
    const out = path.join(dir, "edge");
    const grid = ["--lag-min-s", "0.4", "--lag-max-s", "1.45", "--exclude-low-s", "0.4", "--exclude-high-s", "0.4"];
    const run = await scan("--out", out, ...grid);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/BTC-USDC-PERP -> ETH-USDC-PERP\s+mid\s+tau\*\s+1\.450 s .* EDGE\n/);
    expect(run.stdout).toMatch(/BTC-USDC-PERP -> SOL-USDC-PERP\s+mid\s+tau\*\s+1\.000 s .*passes\n/);
    expect(run.stderr).toContain(
      "warning: BTC-USDC-PERP -> ETH-USDC-PERP mid: the optimum tau* = 1.450 s sits at the edge of the lag grid [0.4, 1.45] s",
    );
    const manifest = json(out, "latest", "manifest.json");
    expect(manifest.edge_of_grid).toBe(true);
    const flagged = (leader: string, lagger: string, feature: string) =>
      manifest.pairs.find(
        (p: { leader: string; lagger: string; feature: string }) =>
          p.leader === leader && p.lagger === lagger && p.feature === feature,
      ).edge_of_grid;
    expect(flagged("BTC-USDC-PERP", "ETH-USDC-PERP", "mid")).toBe(true);
    expect(flagged("BTC-USDC-PERP", "SOL-USDC-PERP", "mid")).toBe(false);
    expect(manifest.warnings).toContain(
      "warning: BTC-USDC-PERP -> ETH-USDC-PERP mid: the optimum tau* = 1.450 s sits at the edge of the lag grid " +
        "[0.4, 1.45] s; the true lag may lie outside it (widen --lag-min-s/--lag-max-s)",
    );
    expect(manifest.lag_grid.lags).toBe(22);
  });
});
