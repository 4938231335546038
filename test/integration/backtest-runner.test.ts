import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { planBacktest } from "../../src/backtest/runner/plan.js";
import { openReplay, runBacktest } from "../../src/backtest/runner/run.js";
import type { BacktestRecord } from "../../src/backtest/report/record.js";
import { backtestConfigYaml, BACKTEST_SYMBOLS, recordJumpyMarket } from "../fixtures/backtest.js";

const SECONDS = 300;
const silent = pino({ level: "silent" });
let dir: string;
let files: { csv: string; arrow: string };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "leadlag-backtest-runner-"));
  files = await recordJumpyMarket(dir, SECONDS);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function backtest(source: string, extra = "", seconds = SECONDS): Promise<BacktestRecord> {
  const config = parseConfig(backtestConfigYaml(dir, source, seconds, extra), { env: {} });
  const plan = await planBacktest(config, {});
  const replay = await openReplay(plan, silent);
  try {
    return await runBacktest(config, plan, replay, { log: silent });
  } finally {
    await replay.close();
  }
}

describe("leadlag backtest runner", () => {
  it("replays a recorded synthetic market through the trading actors: jumps, decisions and round trips", async () => {
    const record = await backtest(files.arrow);
    expect(record.meta.eventsReplayed).toBeGreaterThan(SECONDS * 3 * 20);
    expect(record.meta.symbols).toEqual(BACKTEST_SYMBOLS);
    expect(record.jumps.filter((j) => j.symbol === "BTC-USDC-PERP").length).toBeGreaterThan(5);
    expect(record.decisions.length).toBeGreaterThan(0);
    expect(record.decisions.some((d) => d.outcome === "entered")).toBe(true);
    expect(record.trades.length).toBeGreaterThan(0);
    for (const t of record.trades) {
      expect(BACKTEST_SYMBOLS).toContain(t.symbol);
      expect(BACKTEST_SYMBOLS.filter((s) => s !== t.symbol)).toContain(t.leader);
      expect(t.exitNs).toBeGreaterThan(t.entryNs);
      expect(["sl", "tp", "time_limit"]).toContain(t.exitReason);
      expect(t.netPnl).toBeCloseTo(t.grossPnl - t.fees, 9);
    }
    expect(record.feesPaid).toBeGreaterThan(0);
    expect(record.equity.length).toBeGreaterThan(10);
    expect(record.prices["ETH-USDC-PERP"]?.length).toBeGreaterThan(10);
  }, 120_000);

  it("shows every event to the actors at its receipt time plus feed_latency_ms (latency_ms when absent)", async () => {
    const [none, fifty, fallback] = await Promise.all([
      backtest(files.arrow, "  simulation: { latency_ms: 5, feed_latency_ms: 0 }", 30),
      backtest(files.arrow, "  simulation: { latency_ms: 5, feed_latency_ms: 50 }", 30),
      backtest(files.arrow, "  simulation: { latency_ms: 20 }", 30),
    ]);
    const firstMid = (r: BacktestRecord) => r.prices["BTC-USDC-PERP"][0].tsNs;
    expect(firstMid(fifty) - firstMid(none)).toBe(50_000_000n);
    expect(firstMid(fallback) - firstMid(none)).toBe(20_000_000n);
    expect(none.meta.eventsReplayed).toBe(fifty.meta.eventsReplayed);
  }, 120_000);
});
