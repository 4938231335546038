import path from "node:path";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { catchConfigError } from "../fixtures/config.js";

const REFERENCE = readFileSync(fromRoot("test", "fixtures", "config-reference.yaml"), "utf8");

function backtest(simulation: string, top = "") {
  return `${top}
mode: backtest
backtest:
  start_date: 2025-09-07
  end_date: 2025-09-08
  symbols: [BTC-USDT-PERP]
  simulation: { ${simulation} }
`;
}
const simulation = (text: string) => parseConfig(text, { env: {} }).backtest!.simulation;
const issuesOf = (text: string) => catchConfigError(() => parseConfig(text, { env: {}, sourceName: "t.yaml" })).issues;

describe("backtest.simulation", () => {
  it("the reference config loads unchanged; its latency_ms sets the order, response and feed latency", () => {
    const sim = parseConfig(REFERENCE, { env: {} }).backtest!.simulation;
    expect(sim).toMatchObject({
      latency_ms: 5,
      order_latency_ms: 5,
      response_latency_ms: 5,
      feed_latency_ms: 5,
      slippage_bps: 1,
      queue_ahead_model: "linear",
      queue_power_exponent: 3,
      seed: 42,
    });
  });

  it("an explicit latency wins over latency_ms for its leg only", () => {
    expect(simulation(backtest("latency_ms: 5, order_latency_ms: 2, feed_latency_ms: 0"))).toMatchObject({
      order_latency_ms: 2,
      response_latency_ms: 5,
      feed_latency_ms: 0,
    });
  });

  it("refuses latency_ms when every leg is set, as it would set none", () => {
    const text = backtest("latency_ms: 5, order_latency_ms: 1, response_latency_ms: 1, feed_latency_ms: 1");
    expect(issuesOf(text)).toMatchObject([{ path: "backtest.simulation.latency_ms", value: 5 }]);
    expect(simulation(backtest("order_latency_ms: 1, response_latency_ms: 2, feed_latency_ms: 3"))).toMatchObject({
      order_latency_ms: 1,
      response_latency_ms: 2,
      feed_latency_ms: 3,
    });
  });

  it("power_law takes its exponent; the default is 3", () => {
    expect(simulation(backtest("queue_ahead_model: power_law, queue_power_exponent: 2")).queue_power_exponent).toBe(2);
    expect(simulation(backtest("queue_ahead_model: power_law")).queue_power_exponent).toBe(3);
  });

  it("refuses an exponent for the linear queue, which has none", () => {
    expect(issuesOf(backtest("queue_power_exponent: 2"))).toMatchObject([
      { path: "backtest.simulation.queue_power_exponent", value: 2, expected: expect.stringContaining("power_law") },
    ]);
  });

  it("refuses slippage_bps with book_vwap slippage, which takes its slippage from the book", () => {
    expect(issuesOf(backtest("slippage_mode: book_vwap, slippage_bps: 3"))).toMatchObject([
      { path: "backtest.simulation.slippage_bps", value: 3, expected: expect.stringContaining("bps_only") },
    ]);
  });

  it("refuses a symbol rules file other than the daemon's", () => {
    expect(issuesOf(backtest("symbol_rules_path: other.csv"))).toMatchObject([
      {
        path: "backtest.simulation.symbol_rules_path",
        value: "other.csv",
        expected: expect.stringContaining("configs/symbol_rules.csv"),
      },
    ]);
  });

  it("accepts the daemon's rules file spelt another way (both are relative to the working directory)", () => {
    const text = backtest(`symbol_rules_path: ${path.resolve("configs/symbol_rules.csv")}`);
    expect(parseConfig(text, { env: {} }).backtest?.simulation.symbol_rules_path).toBe(
      path.resolve("configs/symbol_rules.csv"),
    );
  });

  it("refuses a key the simulated venue does not know", () => {
    expect(issuesOf(backtest("queue_position_model: fifo"))).toMatchObject([
      { path: "backtest.simulation.queue_position_model" },
    ]);
  });
});
