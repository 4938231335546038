import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { splitCsvLine } from "../../src/model/csv-line.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { freePort } from "../fixtures/ports.js";
import { spedUpMarketYaml, spedUpStrategyYaml } from "../fixtures/sped-up-demo.js";

const execFileAsync = promisify(execFile);
const UNIVERSE = ["BTC-USDT-PERP", "ETH-USDT-PERP", "SOL-USDT-PERP"];
/** How long the daemon trades while the recorder records (seconds). */
const LIVE_SECONDS = 100;
/**
 * Jumps match by leader and jump time within this tolerance. Both runs take a jump's time from the payload's
 * `receipt_timestamp_ns` (the recording keeps it), so a jump both runs detect has the same time to the
 * nanosecond; the tolerance only guards against a detector that sees the same move one tick apart.
 */
const JUMP_TOLERANCE_NS = 1_000_000n;

/** The strategy of test/e2e/trading.test.ts (warm-up in seconds), writing its decision CSV to `csv`. */
function strategyYaml(dir: string, csv: string): string {
  return `${spedUpStrategyYaml({ name: "parity", dir, decisionsCsv: csv })}
`;
}

function liveYaml(dir: string, ports: { trades: number; books: number; health: number }): string {
  return `
mode: live
runtime:
  account_id: parity-${process.pid}-${Date.now()}
  database_url: ${process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test"}
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")} }
${spedUpMarketYaml(ports)}
execution: { provider: paper, mode: paper }
initial_balance: { USDT: 100000 }
${strategyYaml(dir, path.join(dir, "live-decisions.csv"))}
observability:
  logging: { level: warn }
  health_server: { host: 127.0.0.1, port: ${ports.health} }
`;
}

function backtestYaml(dir: string, recording: string, window: { start: string; end: string }): string {
  return `
mode: backtest
runtime:
  account_id: parity-backtest
execution: { provider: paper, mode: paper }
initial_balance: { USDT: 100000 }
${strategyYaml(dir, path.join(dir, "unused-decisions.csv"))}
observability:
  logging: { level: warn }
  health_server: { enabled: false }
backtest:
  start_date: ${window.start}
  end_date: ${window.end}
  symbols: [${UNIVERSE.join(", ")}]
  data_source: { type: file, connection: ${recording} }
  simulation: { latency_ms: 0 }
`;
}

/** The recording's receipt-time span as a half-open ISO window that holds every row. */
function recordedWindow(recording: string): { start: string; end: string } {
  let [min, max] = [BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000n, 0n];
  for (const file of ["trades.csv", "books.csv"]) {
    const lines = readFileSync(path.join(recording, file), "utf8").trim().split("\n").slice(1);
    for (const line of lines) {
      const recv = BigInt(line.slice(line.indexOf(",") + 1, line.indexOf(",", line.indexOf(",") + 1)));
      if (recv < min) min = recv;
      if (recv > max) max = recv;
    }
  }
  const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();
  return { start: iso(min), end: iso(max + 2_000_000n) };
}

interface Jump {
  leader: string;
  tsNs: bigint;
  /** The entries taken on it: `lagger side`, sorted. */
  entries: string[];
  /** Each lagger's outcome (`lagger outcome`, sorted): reported, not asserted (see docs/backtest.md). */
  outcomes: string[];
}

/** The jumps a decision CSV scored, each with the entries taken on it. */
function jumpsOf(csv: string): Jump[] {
  const lines = readFileSync(csv, "utf8").trim().split("\n");
  const header = lines[0].split(",");
  const col = (name: string) => header.indexOf(name);
  const byKey = new Map<string, Jump>();
  for (const line of lines.slice(1)) {
    const cells = splitCsvLine(line);
    const key = `${cells[col("leader")]} ${cells[col("jump_ts_ns")]}`;
    let jump = byKey.get(key);
    if (!jump) {
      jump = { leader: cells[col("leader")], tsNs: BigInt(cells[col("jump_ts_ns")]), entries: [], outcomes: [] };
      byKey.set(key, jump);
    }
    jump.outcomes.push(`${cells[col("lagger")]} ${cells[col("outcome")]}`);
    if (cells[col("outcome")] === "entered") jump.entries.push(`${cells[col("lagger")]} ${cells[col("side")]}`);
  }
  for (const jump of byKey.values()) {
    jump.entries.sort();
    jump.outcomes.sort();
  }
  return [...byKey.values()].sort((a, b) => (a.tsNs < b.tsNs ? -1 : a.tsNs > b.tsNs ? 1 : 0));
}

function nearest(jumps: readonly Jump[], live: Jump): Jump | undefined {
  const distance = (j: Jump) => (j.tsNs > live.tsNs ? j.tsNs - live.tsNs : live.tsNs - j.tsNs);
  return jumps
    .filter((j) => j.leader === live.leader && distance(j) <= JUMP_TOLERANCE_NS)
    .sort((a, b) => (distance(a) < distance(b) ? -1 : 1))[0];
}

async function leadlag(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [fromRoot("bin/leadlag.js"), ...args], {
      cwd: fromRoot(),
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("backtest parity with a live paper run", () => {
  it("a zero-latency backtest of a recording of the daemon's synthetic market detects the live run's jumps and " +
    "takes its entry decisions (lagger, side) on at least 95 % of them", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-parity-"));
    const ports = { trades: await freePort(), books: await freePort(), health: await freePort() };
    const liveConfig = path.join(dir, "live.yaml");
    writeFileSync(liveConfig, liveYaml(dir, ports));
    const recording = path.join(dir, "rec");

    // The recorder subscribes first (ZeroMQ retries until the daemon's publisher binds), so it sees the market
    // from the daemon's first message on; it stops a little after the daemon, whose publisher ends the market.
    const recorded = leadlag("record", "--config", liveConfig, "--out", recording, "--duration", `${LIVE_SECONDS + 5}`);
    const daemon = spawn(process.execPath, [fromRoot("bin", "leadlag.js"), "run", liveConfig], {
      cwd: fromRoot(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    daemon.stdout.on("data", (d: Buffer) => (log += d.toString()));
    daemon.stderr.on("data", (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => daemon.on("exit", resolve));
    await new Promise((r) => setTimeout(r, LIVE_SECONDS * 1000));
    daemon.kill("SIGTERM");
    expect(await exited, log).toBe(0);
    const record = await recorded;
    expect(record.code, record.stderr).toBe(0);
    const counts = JSON.parse(record.stdout);

    const backtestConfig = path.join(dir, "backtest.yaml");
    writeFileSync(backtestConfig, backtestYaml(dir, recording, recordedWindow(recording)));
    const backtestCsv = path.join(dir, "backtest-decisions.csv");
    const run = await leadlag("backtest", backtestConfig, "--quiet", "--decisions-csv", backtestCsv);
    expect(run.code, run.stderr).toBe(0);

    const live = jumpsOf(path.join(dir, "live-decisions.csv"));
    const replayed = jumpsOf(backtestCsv);
    const detected = live.filter((j) => nearest(replayed, j) !== undefined);
    const same = live.filter((j) => nearest(replayed, j)?.entries.join(";") === j.entries.join(";"));
    const liveEntries = live.reduce((n, j) => n + j.entries.length, 0);
    const extra = replayed.filter((j) => nearest(live, j) === undefined);
    const sameOutcomes = live.filter((j) => nearest(replayed, j)?.outcomes.join(";") === j.outcomes.join(";"));
    const figures = {
      recorded: counts,
      live_jumps: live.length,
      backtest_jumps: replayed.length,
      detected: detected.length,
      backtest_only: extra.length,
      same_entries: same.length,
      same_outcomes: sameOutcomes.length,
      live_entries: liveEntries,
      differing: live
        .filter((j) => !same.includes(j))
        .map((j) => ({ leader: j.leader, ts: j.tsNs.toString(), live: j.entries, backtest: nearest(replayed, j) })),
    };
    process.stdout.write(`parity ${JSON.stringify(figures, (_k, v) => (typeof v === "bigint" ? String(v) : v))}\n`);
    expect(live.length, "the live run scored jumps").toBeGreaterThanOrEqual(5);
    expect(liveEntries, "the live run entered").toBeGreaterThanOrEqual(2);
    expect(detected.length / live.length, "share of live jumps the backtest detected").toBeGreaterThanOrEqual(0.95);
    expect(extra.length / live.length, "backtest jumps the live run did not score").toBeLessThanOrEqual(0.05);
    expect(same.length / live.length, "share of live jumps with the same entries").toBeGreaterThanOrEqual(0.95);
    rmSync(dir, { recursive: true, force: true }); // kept when an assertion fails, to compare the two CSVs
  }, 240_000);
});
