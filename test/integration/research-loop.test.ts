import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromRoot } from "../../src/runtime/paths.js";

const execFileAsync = promisify(execFile);
const SECONDS = 1800;
const WINDOW = ["--start", "2025-01-01T00:00:00Z", "--end", "2025-01-01T00:30:00Z"];
let dir: string;
let data: string;
let env: NodeJS.ProcessEnv;

async function leadlag(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync("node", [fromRoot("bin/leadlag.js"), ...args], {
      cwd: fromRoot(),
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function backtest(report: string): Promise<{ stdout: string; decisions: Record<string, number> }> {
  const run = await leadlag("backtest", "configs/backtest.yaml", "--from", data, ...WINDOW, "--report-json", report);
  expect(run.code, run.stderr).toBe(0);
  // Not --quiet: it silences the log lines, the "no artifacts" warning among them.
  return { stdout: run.stdout, decisions: JSON.parse(readFileSync(report, "utf8")).decisions.by_outcome };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "leadlag-research-loop-"));
  data = path.join(dir, "synthetic");
  // configs/backtest.yaml reads ${ART_DIR:leadlag/artifacts/latest}; ART_DIR keeps the test out of the checkout.
  env = { ...process.env, ART_DIR: path.join(dir, "artifacts", "latest") };
  const recorded = await leadlag("record", "--synthetic", "--duration", String(SECONDS), "--out", data);
  expect(recorded.code, recorded.stderr).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the README's research loop closes", () => {
  it("scan deploys where configs/backtest.yaml reads, and the next backtest trades the scanned pairs only", async () => {
    // The README's paths: scan --out leadlag/artifacts, and the config's default artifacts_path is its latest.
    expect(readFileSync(fromRoot("configs/backtest.yaml"), "utf8")).toContain(
      "artifacts_path: ${ART_DIR:leadlag/artifacts/latest}",
    );
    expect(readFileSync(fromRoot("README.md"), "utf8")).toContain("--out leadlag/artifacts");

    const before = await backtest(path.join(dir, "before.json"));
    expect(before.stdout).toContain("no artifacts: every ordered pair");
    expect(before.decisions.not_leader).toBeUndefined();

    // No --out: the scan writes beside the strategy's artifacts_path, as the README's --out does by default.
    const scan = await leadlag("scan", "configs/backtest.yaml", "--from", data, ...WINDOW, "--holdout", "0.4");
    expect(scan.code, scan.stderr).toBe(0);
    const version = readlinkSync(path.join(dir, "artifacts", "latest"));
    expect(scan.stdout).toContain(`${path.join(dir, "artifacts", "latest")} -> ${version}`);
    const pairs = JSON.parse(readFileSync(path.join(dir, "artifacts", "latest", "top_pairs.json"), "utf8")).pairs as {
      leader: string;
      lagger: string;
    }[];
    // configs/paper.yaml's demo market: BTC leads both laggers, nothing leads BTC.
    expect(pairs.map((p) => `${p.leader}>${p.lagger}`)).toEqual(
      expect.arrayContaining(["BTC-USDT-PERP>ETH-USDT-PERP", "BTC-USDT-PERP>SOL-USDT-PERP"]),
    );
    expect(pairs.some((p) => p.lagger === "BTC-USDT-PERP")).toBe(false);

    const after = await backtest(path.join(dir, "after.json"));
    expect(after.stdout).not.toContain("no artifacts");
    // A jump of a symbol the artifacts do not list as a leader now stops at not_leader.
    expect(after.decisions.not_leader).toBeGreaterThan(0);
  }, 240_000);
});
