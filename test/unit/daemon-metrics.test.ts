import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { Writable } from "node:stream";
import { DaemonMetrics } from "../../src/supervisor/metrics.js";
import { buildTopology } from "../../src/supervisor/topology.js";
import { CustomMetrics, type CustomMetricSample } from "../../src/runtime/metrics.js";

/** A DaemonMetrics over an empty topology, with the warnings and errors it logs. */
function exporter(): { metrics: DaemonMetrics; logged: () => string } {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const metrics = new DaemonMetrics(buildTopology([], new Map()), () => undefined, pino({ level: "warn" }, sink));
  return { metrics, logged: () => lines.join("") };
}

const sample = (
  kind: CustomMetricSample["kind"],
  name: string,
  value: number,
  labels: Record<string, string> = { actor: "strategy" },
) => ({ kind, name, labels, value });

describe("daemon metrics", () => {
  it("exports a signed running total (realised PnL) as a gauge that goes below zero", async () => {
    const thread = new CustomMetrics();
    const strategy = thread.forActor("strategy");
    strategy.add("realized_pnl_usd", 30);
    strategy.add("realized_pnl_usd", -42.5);
    const { metrics } = exporter();
    metrics.ingest(thread.flush());
    const text = await metrics.text();
    expect(text).toContain("# TYPE leadlag_realized_pnl_usd gauge");
    expect(text).toContain('leadlag_realized_pnl_usd{actor="strategy"} -12.5');
    // The host keeps the total across flushes, as it does for counters.
    strategy.add("realized_pnl_usd", 2.5);
    metrics.ingest(thread.flush());
    expect(await metrics.text()).toContain('leadlag_realized_pnl_usd{actor="strategy"} -10');
  });

  it("answers a scrape with a counter gone negative (as realised PnL once did): series left out, logged", async () => {
    const { metrics, logged } = exporter();
    metrics.ingest([sample("counter", "realized_pnl_usd_total", -12.5), sample("counter", "fills_total", 3)]);
    const text = await metrics.text();
    expect(text).toContain('leadlag_fills_total{actor="strategy"} 3');
    expect(text).not.toMatch(/^leadlag_realized_pnl_usd_total\{/m);
    expect(text).toContain("leadlag_process_cpu_seconds_total");
    expect(logged()).toContain("realized_pnl_usd_total");
  });

  it("answers when a metric cannot be collected (series with other label names), serving the rest", async () => {
    const { metrics, logged } = exporter();
    metrics.ingest([
      sample("gauge", "open_positions", 2),
      sample("gauge", "open_positions", 1, { actor: "strategy", symbol: "BTC" }),
    ]);
    metrics.ingest([sample("counter", "fills_total", 3)]);
    const text = await metrics.text();
    expect(text).toContain('leadlag_fills_total{actor="strategy"} 3');
    expect(text).toContain("leadlag_actor_handler_seconds");
    expect(logged()).toContain("open_positions");
  });

  it("never throws while ingesting: a histogram with other labels, a built-in metric's name, a bad name", async () => {
    const { metrics, logged } = exporter();
    const hostile = [
      sample("histogram", "decision_latency_seconds", 0.001),
      sample("histogram", "decision_latency_seconds", 0.002, { actor: "strategy", extra: "x" }),
      sample("gauge", "actor_up", 5),
      sample("gauge", "bad name!", 1),
    ];
    expect(() => metrics.ingest(hostile)).not.toThrow();
    const text = await metrics.text();
    expect(text).toContain('leadlag_decision_latency_seconds_count{actor="strategy"} 1');
    expect(logged()).toContain("actor_up");
  });
});
