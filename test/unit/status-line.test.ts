import { afterEach, describe, expect, it, vi } from "vitest";
import { pino } from "pino";
import { Writable } from "node:stream";
import { DaemonMetrics } from "../../src/supervisor/metrics.js";
import { buildTopology } from "../../src/supervisor/topology.js";
import { startStatusLine, statusMessage, tradingStatus } from "../../src/supervisor/status-line.js";

const silent = pino({ level: "silent" });
const sample = (kind: "counter" | "gauge", name: string, value: number, labels: Record<string, string>) => ({
  kind,
  name,
  labels,
  value,
});

afterEach(() => vi.useRealTimers());

describe("status line", () => {
  it("sums what the actors report for /metrics: entries only, across label sets", () => {
    const metrics = new DaemonMetrics(buildTopology([], new Map()), () => undefined, silent);
    metrics.ingest([
      sample("counter", "jumps_detected_total", 4, { actor: "jumps", symbol: "BTC" }),
      sample("counter", "jumps_detected_total", 3, { actor: "jumps", symbol: "ETH" }),
      sample("counter", "hy_scans_total", 120, { actor: "estimator-0" }),
      sample("counter", "hy_scans_total", 80, { actor: "estimator-1" }),
      sample("counter", "decisions_total", 2, { actor: "strategy", outcome: "entered", gate: "" }),
      sample("counter", "decisions_total", 9, { actor: "strategy", outcome: "stopped", gate: "fees" }),
      sample("counter", "exits_total", 1, { actor: "strategy", closed_by: "tp" }),
      sample("gauge", "open_positions", 1, { actor: "strategy" }),
      sample("gauge", "realized_pnl_usd", -1.234, { actor: "strategy" }),
      sample("gauge", "unrealized_pnl_usd", 0.5, { actor: "strategy" }),
    ]);
    const status = tradingStatus((name, where) => metrics.total(name, where));
    expect(status).toEqual({
      jumps: 7,
      scans: 200,
      entries: 2,
      exits: 1,
      openPositions: 1,
      realizedPnlUsd: -1.234,
      unrealizedPnlUsd: 0.5,
    });
    expect(statusMessage(status)).toBe(
      "status: 7 jumps, 200 scans, 2 entries, 1 exits, 1 open, PnL -1.23 USD realized, +0.50 unrealized",
    );
  });

  it("logs at info every interval until stopped", () => {
    vi.useFakeTimers();
    const lines: { level: number; msg: string; status: { jumps: number } }[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
    let jumps = 0;
    const read = () => ({ ...tradingStatus(() => 0), jumps: ++jumps });
    const stop = startStatusLine(60_000, pino({ level: "info" }, sink), read);
    vi.advanceTimersByTime(59_999);
    expect(lines).toHaveLength(0);
    vi.advanceTimersByTime(1);
    vi.advanceTimersByTime(60_000);
    stop();
    vi.advanceTimersByTime(600_000);
    expect(lines.map((l) => [l.level, l.status.jumps])).toEqual([
      [30, 1],
      [30, 2],
    ]);
    expect(lines[0].msg).toMatch(/^status: 1 jumps, 0 scans/);
  });
});
