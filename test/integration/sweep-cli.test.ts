import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { backtestConfigYaml, RECORDING_START_ISO, recordJumpyMarket } from "../fixtures/backtest.js";

const execFileAsync = promisify(execFile);
const SECONDS = 150;
const GRID = [
  "--param",
  "strategies.0.config.hazard_window_seconds=2,5",
  "--param",
  "strategies.0.config.time_limit_seconds=10:20:10",
];
let dir: string;
let config: string;
let arrow: string;

async function leadlag(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync("node", [fromRoot("bin/leadlag.js"), ...args], { cwd: fromRoot() });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const out = (name: string) => path.join(dir, name);
const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "leadlag-sweep-cli-"));
  const files = await recordJumpyMarket(dir, SECONDS);
  arrow = files.arrow;
  config = out("sweep.yaml");
  writeFileSync(config, backtestConfigYaml(dir, files.csv, SECONDS));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("leadlag sweep", () => {
  it("gives the same ranked results on 1 and 2 worker threads, decoding the window once per thread", async () => {
    const one = await leadlag("sweep", config, ...GRID, "--seed", "3", "--workers", "1", "--out", out("w1"));
    expect(one.code, one.stderr).toBe(0);
    const two = await leadlag("sweep", config, ...GRID, "--seed", "3", "--workers", "2", "--out", out("w2"));
    expect(two.code, two.stderr).toBe(0);
    expect(readFileSync(out("w2/results.json"), "utf8")).toBe(readFileSync(out("w1/results.json"), "utf8"));
    expect(readFileSync(out("w2/results.csv"), "utf8")).toBe(readFileSync(out("w1/results.csv"), "utf8"));
    // Four jobs: one decode per thread that ran any, never one per job.
    expect(one.stdout).toMatch(
      /4 jobs on 1 worker thread in [\d.]+ s; 1 threads ran jobs, 1 window decodes; stalled and retried: 0/,
    );
    const [, threads, decodes] = /(\d) threads ran jobs, (\d) window decodes/.exec(two.stdout) ?? [];
    expect(Number(decodes)).toBe(Number(threads));
    // Not TTY: one plain progress line per job, the last at 4/4.
    expect(two.stderr).toMatch(/^sweep 4\/4 jobs \(100%\), ETA 0 s$/m);

    const results = json(out("w1/results.json"));
    expect(results.metric).toBe("sharpe_ratio");
    expect(results.results.map((r: { params: Record<string, number> }) => Object.values(r.params)).sort()).toEqual(
      [
        [2, 10],
        [2, 20],
        [5, 10],
        [5, 20],
      ].sort(),
    );
    const sharpes = results.results.map((r: { metrics: { sharpe_ratio: number } }) => r.metrics.sharpe_ratio);
    expect(sharpes).toEqual([...sharpes].sort((a, b) => b - a));
    // Different params, different runs: the grid is not four copies of one backtest.
    expect(
      new Set(results.results.map((r: { metrics: { total_trades: number } }) => r.metrics.total_trades)).size,
    ).toBeGreaterThan(1);
    expect(one.stdout.split("\n")[0]).toMatch(/^rank\s+strategies\.0\.config\.hazard_window_seconds/);

    // best.yaml is the config with the winner's values, and a plain backtest of it gives the winner's figures.
    const best = results.results[0];
    const bestConfig = parseConfig(readFileSync(out("w1/best.yaml"), "utf8"));
    expect(bestConfig.strategies[0].config.hazard_window_seconds).toBe(
      best.params["strategies.0.config.hazard_window_seconds"],
    );
    expect(bestConfig.strategies[0].config.time_limit_seconds).toBe(
      best.params["strategies.0.config.time_limit_seconds"],
    );
    const plain = await leadlag(
      "backtest",
      out("w1/best.yaml"),
      "--quiet",
      "--seed",
      "3",
      "--report-json",
      out("best.json"),
    );
    expect(plain.code, plain.stderr).toBe(0);
    const report = json(out("best.json"));
    for (const key of ["sharpe_ratio", "net_profit", "total_trades", "events_replayed", "fees_paid"])
      expect(best.metrics[key], key).toBe(report[key]);
  }, 240_000);

  it("walk-forward: tunes on each training span and reports the chosen params out of sample", async () => {
    // 150 s: folds [0, 60) → [60, 90), [30, 90) → [90, 120), [60, 120) → [120, 150).
    const run = await leadlag(
      "sweep",
      config,
      "--param",
      "strategies.0.config.hazard_window_seconds=2,5",
      "--from",
      arrow,
      "--walk-forward",
      "60s:30s",
      "--metric",
      "net_profit",
      "--seed",
      "3",
      "--workers",
      "2",
      "--out",
      out("wf"),
    );
    expect(run.code, run.stderr).toBe(0);
    const wf = json(out("wf/walk-forward.json"));
    expect(wf.folds).toHaveLength(3);
    const start = Date.parse(RECORDING_START_ISO);
    expect(wf.folds.map((f: { test_start: string }) => (Date.parse(f.test_start) - start) / 1000)).toEqual([
      60, 90, 120,
    ]);
    for (const [i, fold] of wf.folds.entries()) {
      const ranked = wf.in_sample[i].results;
      // The chosen params are the best on the training span, and its in-sample figure is theirs.
      expect(fold.params).toEqual(ranked[0].params);
      expect(fold.in_sample).toBe(ranked[0].metrics.net_profit);
      expect(fold.in_sample).toBe(
        Math.max(...ranked.map((r: { metrics: { net_profit: number } }) => r.metrics.net_profit)),
      );
      expect(typeof fold.out_of_sample).toBe("number");
    }
    // The out-of-sample figure is a plain backtest of the chosen config over the test span.
    const last = wf.folds[2];
    const plain = await leadlag(
      "backtest",
      out("wf/best.yaml"),
      "--from",
      arrow,
      "--start",
      last.test_start,
      "--end",
      last.test_end,
      "--quiet",
      "--seed",
      "3",
      "--report-json",
      out("wf-last.json"),
    );
    expect(plain.code, plain.stderr).toBe(0);
    expect(json(out("wf-last.json")).net_profit).toBe(last.out_of_sample);
    const mean = (k: string) => wf.folds.reduce((s: number, f: Record<string, number>) => s + f[k], 0) / 3;
    expect(wf.overall.in_sample_mean).toBeCloseTo(mean("in_sample"), 9);
    expect(wf.overall.out_of_sample_mean).toBeCloseTo(mean("out_of_sample"), 9);
    // 8 jobs over six spans, all sliced from the sweep's window: decoded once per thread that ran jobs.
    const [, threads, decodes] = /(\d) threads ran jobs, (\d) window decodes/.exec(run.stdout) ?? [];
    expect(Number(decodes)).toBe(Number(threads));
    expect(run.stdout).toMatch(/^all\s/m);
    expect(run.stdout).toContain("in-sample net_profit");
  }, 240_000);

  it("refuses bad input with exit 2 and one line naming it", async () => {
    const cases: [string[], string][] = [
      [["--param", "strategies.0.config.entry_treshold=1,2"], "the closest key is strategies.0.config.entry_threshold"],
      [["--param", "strategies.0.config.entry_threshold=1:0:0.1"], "the range has no value"],
      [
        ["--param", "strategies.0.config.correlation_threshold=0.5,2"],
        "--param strategies.0.config.correlation_threshold: the value 2 is invalid",
      ],
      [
        ["--param", "strategies.0.config.atr_period=5", "--metric", "sharpe"],
        "--metric sharpe is not a report figure; the closest is sharpe_ratio",
      ],
      [["--param", "strategies.0.config.atr_period=5", "--walk-forward", "2m:1m"], "do not fit in the window (150 s)"],
      [
        [
          "--param",
          "strategies.0.config.atr_period=5",
          "--start",
          "2030-01-01T00:00:00Z",
          "--end",
          "2030-01-01T00:01:00Z",
        ],
        "no data for",
      ],
    ];
    for (const [args, message] of cases) {
      const run = await leadlag("sweep", config, ...args, "--out", out("bad"));
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(message);
      expect(
        run.stderr
          .trim()
          .split("\n")
          .filter((l) => !l.startsWith("sweep ")),
      ).toHaveLength(1);
    }
  }, 120_000);
});
