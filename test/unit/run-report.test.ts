import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { assertReportWritable, runReport } from "../../src/supervisor/run-report.js";
import type { MetricSeries } from "../../src/supervisor/metrics.js";

const SERIES: Record<string, MetricSeries[]> = {
  decisions_total: [
    { name: "decisions_total", labels: { outcome: "entered", gate: "" }, value: 3 },
    { name: "decisions_total", labels: { outcome: "stopped", gate: "correlation" }, value: 5 },
    { name: "decisions_total", labels: { outcome: "stopped", gate: "not_leader" }, value: 2 },
  ],
  exits_total: [
    { name: "exits_total", labels: { closed_by: "tp" }, value: 1 },
    { name: "exits_total", labels: { closed_by: "time_limit" }, value: 2 },
  ],
  fills_total: [{ name: "fills_total", labels: { symbol: "ETH-USDT-PERP" }, value: 6 }],
  jumps_detected_total: [
    { name: "jumps_detected_total", labels: { symbol: "BTC-USDT-PERP", systematic: "false" }, value: 7 },
    { name: "jumps_detected_total", labels: { symbol: "BTC-USDT-PERP", systematic: "true" }, value: 1 },
  ],
};

describe("run report", () => {
  it("sums the actors' metrics and statuses into trades, PnL, decisions by gate, jumps and restarts", async () => {
    const report = await runReport(
      {
        startedAt: Date.parse("2026-01-01T00:00:00Z"),
        endedAt: Date.parse("2026-01-01T00:01:30Z"),
        mode: "live",
        configPath: "configs/paper.yaml",
        configHash: "ab",
        stoppedBy: "SIGINT",
        exitCode: 0,
      },
      {
        actors: [
          { name: "feed", thread: "main", state: "running", restarts: 0 },
          { name: "strategy", thread: "w1", state: "running", restarts: 2 },
        ],
        statusOf: (name) =>
          name === "orders"
            ? {
                positions: [
                  { symbol: "ETH-USDT-PERP", qty: 0, avg_price: 0, realized_pnl: 4.5, unrealized_pnl: 0, fees: 0.75 },
                  {
                    symbol: "SOL-USDT-PERP",
                    qty: 2,
                    avg_price: 145,
                    realized_pnl: -1,
                    unrealized_pnl: 0.5,
                    fees: 0.25,
                  },
                  { symbol: "BTC-USDT-PERP", qty: 0, avg_price: 0, realized_pnl: 0, unrealized_pnl: 0, fees: 0 },
                ],
                orders: [{ status: "filled" }, { status: "filled" }, { status: "canceled" }],
              }
            : name === "risk"
              ? { equity_usd: 100_003.5 }
              : undefined,
        series: async (name) => SERIES[name] ?? [],
      },
    );
    expect(report).toMatchObject({
      mode: "live",
      config_hash: "ab",
      started_at: "2026-01-01T00:00:00.000Z",
      ended_at: "2026-01-01T00:01:30.000Z",
      duration_s: 90,
      stopped_by: "SIGINT",
      trades: {
        round_trips: 3,
        round_trips_by_exit: { tp: 1, time_limit: 2 },
        fills: 6,
        orders_by_status: { filled: 2, canceled: 1 },
      },
      pnl: { realized_usd: 3.5, unrealized_usd: 0.5, fees_usd: 1, equity_usd: 100_003.5 },
      decisions: { total: 10, by_gate: { entered: 3, correlation: 5, not_leader: 2 } },
      jumps: { total: 8, by_symbol: { "BTC-USDT-PERP": 8 } },
      actor_restarts: 2,
    });
    expect((report.positions as { symbol: string }[]).map((p) => p.symbol)).toEqual(["ETH-USDT-PERP", "SOL-USDT-PERP"]);
  });

  it("refuses a directory or a path whose directory is missing", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-report-path-"));
    expect(() => assertReportWritable(dir)).toThrow(`--report-json ${dir}: is a directory`);
    expect(() => assertReportWritable(path.join(dir, "x", "r.json"))).toThrow(
      `(its directory ${path.join(dir, "x")}: missing)`,
    );
    expect(() => assertReportWritable(path.join(dir, "r.json"))).not.toThrow();
  });
});
