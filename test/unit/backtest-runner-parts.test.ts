import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../src/config/index.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { BacktestRefused, planBacktest } from "../../src/backtest/runner/plan.js";
import { backtestActorConfig } from "../../src/backtest/runner/children.js";
import { progressReporter } from "../../src/backtest/runner/progress.js";
import { paceDelayMs } from "../../src/backtest/runner/run.js";
import { splitCsvLine } from "../../src/model/csv-line.js";
import { RecordBuilder } from "../../src/backtest/runner/record-builder.js";

const S = 1_000_000_000n;

function config(extra: { top?: string; simulation?: string } = {}) {
  return parseConfig(
    `
mode: backtest
${extra.top ?? ""}
strategies:
  - name: s
    type: leadlag
    config: { symbols: [BTC-USDT-PERP, ETH-USDT-PERP] }
backtest:
  start_date: 2025-09-07T08:00:00Z
  end_date: 2025-09-07T09:00:00Z
  symbols: [BTC-USDT-PERP, ETH-USDT-PERP]
  data_source: { connection: "postgresql://u@127.0.0.1:5432/md" }
  simulation: { latency_ms: 5 ${extra.simulation ?? ""} }
`,
    { env: {} },
  );
}

describe("backtest plan", () => {
  it("takes the window, the recorded spelling of the symbols and the feed latency from the config", async () => {
    const plan = await planBacktest(config(), {});
    expect(plan.startNs).toBe(1_757_232_000n * S);
    expect(plan.endNs - plan.startNs).toBe(3600n * S);
    expect(plan.symbols).toEqual(["BTC-USDT-PERP", "ETH-USDT-PERP"]);
    expect(plan.recordedSymbols).toEqual(["BTC-USDC-PERP", "ETH-USDC-PERP"]);
    expect(plan.feedLatencyNs).toBe(5_000_000n);
    expect(plan.source).toBe("postgresql://u@127.0.0.1:5432/md");
    expect((await planBacktest(config({ simulation: ", feed_latency_ms: 0.5" }), {})).feedLatencyNs).toBe(500_000n);
  });

  it("lets the command line override the window, the source and the seed", async () => {
    const plan = await planBacktest(config(), { from: "/data/rec", start: "2025-09-07T08:30:00Z", seed: 9 });
    expect(plan.startNs).toBe(1_757_233_800n * S);
    expect(plan.source).toBe("/data/rec");
    expect(plan.seed).toBe(9);
  });

  it.each([
    ["market_data: { provider: synthetic }", "market_data.provider: synthetic is not used by a backtest"],
    ["execution: { provider: zmq }", "execution.provider: zmq cannot be backtested"],
    ["runtime: { placement: { layout: isolated } }", "runtime.placement.layout: isolated is not used by a backtest"],
  ])("refuses %s", async (top, message) => {
    await expect(planBacktest(config({ top }), {})).rejects.toThrow(message);
  });

  it.each([
    ["execution: { host: 10.0.0.5 }", "execution.host is not used by a backtest (the trading engine's ZeroMQ address"],
    ["execution: { orders_port: 6001, events_port: 6002 }", "execution.orders_port is not used by a backtest"],
    [
      "execution: { paper: { latency_ms: 20 } }",
      "execution.paper is not used by a backtest (the paper venue's latency",
    ],
    ["market_data: { port: 7000 }", "market_data.port is not used by a backtest (the live feed's ZeroMQ subscription"],
    ["market_data: { exchanges: [HYPERLIQUID] }", "market_data.exchanges is not used by a backtest"],
    ["market_data: { deltas: { lob_top_n: 5 } }", "market_data.deltas is not used by a backtest"],
    [
      "runtime: { database_url: postgresql://u@h/db }",
      "runtime.database_url is not used by a backtest (the order journal",
    ],
    ["runtime: { journal: { fsync: every_event } }", "runtime.journal is not used by a backtest"],
    ["runtime: { placement: { estimator_shards: 4 } }", "runtime.placement.estimator_shards is not used by a backtest"],
    ["runtime: { watchdog: { enabled: false } }", "runtime.watchdog is not used by a backtest"],
    ["runtime: { supervisor: { intensity: 3 } }", "runtime.supervisor is not used by a backtest (actor restarts"],
    ["runtime: { shutdown: { flatten: true } }", "runtime.shutdown.flatten is not used by a backtest"],
    ["observability: { health_server: { port: 9000 } }", "observability.health_server.port is not used by a backtest"],
    ["observability: { accounts_zmq: { port: 6000 } }", "observability.accounts_zmq is not used by a backtest"],
    ["observability: { logging: { file: /tmp/x.log } }", "observability.logging.file is not used by a backtest"],
  ])("refuses a key only the live daemon reads: %s", async (top, message) => {
    const refused = planBacktest(config({ top }), {});
    await expect(refused).rejects.toBeInstanceOf(BacktestRefused);
    await expect(refused).rejects.toThrow(message);
  });

  it("names every live-only key at once, and accepts one written with its default value", async () => {
    await expect(planBacktest(config({ top: "execution: { host: 10.0.0.5, events_port: 6000 }" }), {})).rejects.toThrow(
      /^execution\.host is not used .*; execution\.events_port is not used .*; remove it$/,
    );
    const defaults =
      "execution: { host: 127.0.0.1 }\nobservability: { health_server: { enabled: false, port: 8082 } }\n" +
      "runtime: { shutdown: { flatten_band_bps: 80 } }"; // the risk actor's HALTED flatten band: used
    await expect(planBacktest(config({ top: defaults }), {})).resolves.toMatchObject({ seed: 42 });
  });

  it("plans configs/backtest.yaml as shipped", async () => {
    const shipped = await loadConfig(fromRoot("configs/backtest.yaml"), { env: {} });
    await expect(planBacktest(shipped, {})).resolves.toMatchObject({
      source: "postgresql://leadlag@127.0.0.1:5432/marketdata",
    });
  });

  it("refuses a strategy symbol that is not replayed, and an empty window", async () => {
    const narrow = config();
    const cfg = { ...narrow, backtest: { ...narrow.backtest!, symbols: ["BTC-USDT-PERP"] } };
    await expect(planBacktest(cfg, {})).rejects.toThrow("strategy symbol ETH-USDT-PERP is not replayed");
    await expect(planBacktest(config(), { start: "2025-09-07T10:00:00Z" })).rejects.toBeInstanceOf(BacktestRefused);
  });
});

describe("backtest actor config", () => {
  it("rebuilds microstructure_depth_levels book levels and keeps the journal and decisions in the run's directory", () => {
    const base = config({ top: "runtime: { database_url: postgresql://u@h/journal }" });
    const deep = { ...base, backtest: { ...base.backtest!, microstructure_depth_levels: 3 } };
    const actors = backtestActorConfig(deep, "/tmp/run-1");
    expect(actors.market_data.deltas.lob_top_n).toBe(3);
    expect(backtestActorConfig(base, "/tmp/run-1").market_data.deltas.lob_top_n).toBe(10);
    expect(actors.runtime).toMatchObject({ db_path: "/tmp/run-1/db", journal: { path: "/tmp/run-1/journal.log" } });
    expect(actors.runtime.database_url).toBeUndefined();
    expect(actors.strategies[0].config.decision_scores_csv_path).toBe("/tmp/run-1/decisions.csv");
  });
});

describe("replay pace (speed_multiplier)", () => {
  it("waits until the wall clock has caught up with event time divided by the speed; 0 never waits", () => {
    expect(paceDelayMs(0, 0n, 3600n * S, 0)).toBe(0);
    expect(paceDelayMs(1000, 0n, 10n * S, 4)).toBe(6);
    expect(paceDelayMs(1000, 0n, 10n * S, 15)).toBe(0);
  });
});

describe("progress", () => {
  const window = { startNs: 0n, endNs: 100n * S };
  const sink = () => {
    const chunks: string[] = [];
    const out = new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    return { out, chunks };
  };

  it("prints one plain line every 5 s of wall time off a terminal", () => {
    let now = 0;
    const { out, chunks } = sink();
    const progress = progressReporter(window, "lines", out, () => now);
    now = 1000;
    progress.update({ eventNs: 10n * S, events: 100 });
    expect(chunks).toEqual([]);
    now = 5000;
    progress.update({ eventNs: 25n * S, events: 1000 });
    now = 7000;
    progress.update({ eventNs: 30n * S, events: 1200 });
    expect(chunks).toEqual(["replay 25.0% (at 1970-01-01T00:00:25.000Z): 1000 events, 200 events/s\n"]);
  });

  it("draws a bar with the percentage of the window and events/s on a terminal", () => {
    let now = 0;
    const { out, chunks } = sink();
    Object.assign(out, {
      isTTY: true,
      columns: 120,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    const progress = progressReporter(window, "bar", out, () => now);
    now = 2000;
    progress.update({ eventNs: 40n * S, events: 5000 });
    progress.stop();
    expect(chunks.join("")).toMatch(/replay \[[^\]]+\] 40% \| 2500 events\/s \| ETA/);
  });

  it("prints nothing when quiet", () => {
    const { out, chunks } = sink();
    const progress = progressReporter(window, "none", out, () => 10_000);
    progress.update({ eventNs: 50n * S, events: 1 });
    progress.stop();
    expect(chunks).toEqual([]);
  });
});

describe("decision CSV cells", () => {
  it("splits quoted cells with commas and doubled quotes, and empty cells", () => {
    expect(splitCsvLine('1,"a, ""b""",,x,')).toEqual(["1", 'a, "b"', "", "x", ""]);
  });
});

describe("record builder", () => {
  it("folds an entry and its exits into one round trip, fees in, and marks open positions to market", () => {
    const b = new RecordBuilder(1000, S);
    b.placed({ clId: "e", intentId: "s-1-1", symbol: "ETH", side: "buy", role: "entry" });
    b.placed({ clId: "x1", intentId: "s-1-1-x2", symbol: "ETH", side: "sell", role: "tp" });
    b.placed({ clId: "x2", intentId: "s-1-1-x3", symbol: "ETH", side: "sell", role: "exit" });
    b.filled({ clId: "e", price: 100, size: 2, fee: 0.1 }, 1n * S);
    b.mid("ETH", 101, 2n * S);
    expect(b.equityNow()).toBeCloseTo(1000 - 0.1 + 2, 9);
    b.filled({ clId: "x1", price: 103, size: 1, fee: 0.05 }, 3n * S);
    expect(b.trades).toEqual([]);
    b.filled({ clId: "x2", price: 99, size: 1, fee: 0.05 }, 4n * S);
    expect(b.trades).toHaveLength(1);
    expect(b.trades[0]).toMatchObject({ qty: 2, entryPrice: 100, exitPrice: 101, exitReason: "time_limit" });
    expect(b.trades[0].grossPnl).toBeCloseTo(2, 9);
    expect(b.trades[0].netPnl).toBeCloseTo(1.8, 9);
    expect(b.finish(5n * S)).toEqual({});
    expect(b.equity.at(-1)).toEqual({ tsNs: 5n * S, equity: 1000 + 1.8 });
  });
});
