import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { combinationConfig, combinationText } from "../../src/backtest/sweep/configs.js";
import { cartesian, parseParam, parseParams, pathSegments, rangeValues } from "../../src/backtest/sweep/grid.js";
import { metricNames, referencedEnv } from "../../src/backtest/sweep/job.js";
import { gridCsv, walkForwardOverall, type FoldLine } from "../../src/backtest/sweep/results.js";
import { rank, type GridRow } from "../../src/backtest/sweep/sweep.js";
import { walkForwardFolds } from "../../src/backtest/sweep/walk-forward.js";

const CONFIG = `# tuned by hand
mode: backtest
execution: { provider: paper, mode: paper }
strategies:
  - name: s
    type: leadlag
    config:
      symbols: [BTC-USDC-PERP, ETH-USDC-PERP]
      entry_threshold: 1.0 # the gate
backtest:
  start_date: 2025-11-17T12:00:00Z
  end_date: 2025-11-17T13:00:00Z
  symbols: [BTC-USDC-PERP, ETH-USDC-PERP]
profiles:
  tight:
    strategies:
      - name: s
        type: leadlag
        config: { symbols: [BTC-USDC-PERP, ETH-USDC-PERP], entry_threshold: 3 }
`;

describe("sweep params", () => {
  it("reads both path spellings, numbers indexing lists", () => {
    expect(pathSegments("strategies.0.config.atr_period")).toEqual(["strategies", 0, "config", "atr_period"]);
    expect(pathSegments("strategies[0].config.atr_period")).toEqual(["strategies", 0, "config", "atr_period"]);
  });

  it("expands an inclusive range without float noise, and a list of YAML scalars", () => {
    expect(rangeValues("0.1:0.5:0.1", "p")).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(rangeValues("10:40:15", "p")).toEqual([10, 25, 40]);
    expect(rangeValues("1:1.05:0.1", "p")).toEqual([1]);
    expect(parseParam("strategies.0.config.entry_order_type=market,limit").values).toEqual(["market", "limit"]);
    expect(parseParam("strategies.0.config.simple_mode=true,false").values).toEqual([true, false]);
    expect(parseParam("strategies.0.config.take_profit_bps=null,12.5").values).toEqual([null, 12.5]);
  });

  it("a range's values start at FROM, step by STEP, never pass TO, and reach it within a step", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 500 }),
        (from, span, step) => {
          const [f, t, s] = [from / 10, (from + span) / 10, step / 10];
          const values = rangeValues(`${f}:${t}:${s}`, "p");
          expect(values[0]).toBe(f);
          expect(values.length).toBe(Math.floor(span / step) + 1);
          for (let i = 1; i < values.length; i++) expect(values[i] - values[i - 1]).toBeCloseTo(s, 9);
          expect(values[values.length - 1]).toBeLessThanOrEqual(t + 1e-9);
          expect(t - values[values.length - 1]).toBeLessThan(s);
        },
      ),
    );
  });

  it("refuses a range with no value, a path that is not a config key (naming the closest), a param twice", () => {
    expect(() => parseParam("strategies.0.config.entry_threshold=1:0:0.1")).toThrow(/the range has no value/);
    expect(() => parseParam("strategies.0.config.entry_threshold=1:2:0")).toThrow(/the range has no value/);
    expect(() => parseParam("strategies.0.config.entry_treshold=1,2")).toThrow(
      "--param strategies.0.config.entry_treshold: strategies.0.config has no key 'entry_treshold'; the closest key is strategies.0.config.entry_threshold",
    );
    expect(() => parseParam("backtest.simulaton.seed=1,2")).toThrow(/the closest key is backtest\.simulation$/);
    expect(() => parseParam("strategies.0.config.atr_period")).toThrow(/expected PATH=FROM:TO:STEP or PATH=a,b,c/);
    expect(() => parseParams(["strategies.0.config.atr_period=1,2", "strategies[0].config.atr_period=3"])).toThrow(
      /given twice/,
    );
    expect(() => parseParams([])).toThrow(/at least one --param/);
  });

  it("orders the cartesian product with the first param slowest", () => {
    const params = parseParams(["strategies.0.config.atr_period=5,10", "strategies.0.config.entry_threshold=1:3:1"]);
    expect(cartesian(params)).toEqual([
      [5, 1],
      [5, 2],
      [5, 3],
      [10, 1],
      [10, 2],
      [10, 3],
    ]);
  });
});

describe("sweep configs", () => {
  const source = { text: CONFIG, name: "sweep.yaml" };

  it("sets each value in the file's text, keeping its comments, and the config validates with it", () => {
    const params = parseParams(["strategies.0.config.entry_threshold=2.5", "strategies.0.config.atr_period=7"]);
    const text = combinationText(source, params, [2.5, 7]);
    expect(text).toContain("# tuned by hand");
    expect(text).toContain("entry_threshold: 2.5 # the gate");
    const config = combinationConfig(source, params, [2.5, 7], text);
    expect(config.strategies[0].config.entry_threshold).toBe(2.5);
    expect(config.strategies[0].config.atr_period).toBe(7);
  });

  it("refuses a value that fails validation naming the path and the value, and a list item the file lacks", () => {
    const params = parseParams(["strategies.0.config.correlation_threshold=0.5,2"]);
    expect(() => combinationConfig(source, params, [2])).toThrow(
      "--param strategies.0.config.correlation_threshold: the value 2 is invalid: a number ≤ 1",
    );
    expect(() => combinationText(source, parseParams(["strategies.1.config.atr_period=3"]), [3])).toThrow(
      "--param strategies.1.config.atr_period: the config has no item 1 there (it has 1)",
    );
  });

  it("carries the sweep's values of the variables the config references, and only those", () => {
    const text = "a: ${DATABASE_URL}\nb: ${ART_DIR:x}\nc: ${UNSET_VAR:y}\n";
    expect(referencedEnv(text, { DATABASE_URL: "postgresql://h/db", ART_DIR: "/a", HOME: "/root" })).toEqual({
      DATABASE_URL: "postgresql://h/db",
      ART_DIR: "/a",
    });
  });

  it("refuses a swept path the chosen profile sets (it would hide every value)", () => {
    const params = parseParams(["strategies.0.config.entry_threshold=2"]);
    expect(() => combinationConfig({ ...source, profile: "tight" }, params, [2])).toThrow(
      /profile tight overrides it \(the value there is 3\)/,
    );
    // The profile replaces the whole strategies list (lists replace): any path inside it is hidden too.
    const inList = parseParams(["strategies.0.config.atr_period=9"]);
    expect(() => combinationConfig({ ...source, profile: "tight" }, inList, [9])).toThrow(/the value there is 40/);
    const other = parseParams(["backtest.simulation.latency_ms=7"]);
    expect(combinationConfig({ ...source, profile: "tight" }, other, [7]).backtest?.simulation.latency_ms).toBe(7);
  });
});

describe("walk-forward folds", () => {
  const window = { startMs: 0, endMs: 10 * 3_600_000 };

  it("rolls training and test spans by one test span, test spans adjacent, as many as fit", () => {
    const folds = walkForwardFolds("6h:2h", window);
    expect(
      folds.map((f) => [f.train.startMs / 3_600_000, f.train.endMs / 3_600_000, f.test.endMs / 3_600_000]),
    ).toEqual([
      [0, 6, 8],
      [2, 8, 10],
    ]);
    for (const f of folds) expect(f.test.startMs).toBe(f.train.endMs);
  });

  it("takes fractions of the window, and refuses mixed, malformed or oversized specs", () => {
    expect(walkForwardFolds("0.5:0.25", window).map((f) => f.test.startMs / 3_600_000)).toEqual([5, 7.5]);
    expect(walkForwardFolds("90m:30m", { startMs: 0, endMs: 2.5 * 3_600_000 })).toHaveLength(2);
    expect(() => walkForwardFolds("6h:0.2", window)).toThrow(/both as durations or both as fractions/);
    expect(() => walkForwardFolds("6x:2h", window)).toThrow(/neither a duration/);
    expect(() => walkForwardFolds("9h:2h", window)).toThrow(/do not fit in the window \(36000 s\)/);
    expect(() => walkForwardFolds("6h", window)).toThrow(/expected TRAIN:TEST/);
  });
});

describe("ranking and results", () => {
  const row = (combination: number, sharpe: number | null, dd: number): GridRow => ({
    combination,
    values: [combination],
    metrics: { sharpe_ratio: sharpe, max_drawdown_percent: dd, net_profit: combination },
  });

  it("ranks high to low (drawdown low to high), a missing figure last, ties in grid order", () => {
    const rows = [row(0, 1, 3), row(1, null, 1), row(2, 2, 2), row(3, 1, 0.5)];
    expect(rank(rows, "sharpe_ratio").map((r) => r.combination)).toEqual([2, 0, 3, 1]);
    expect(rank(rows, "max_drawdown_percent").map((r) => r.combination)).toEqual([3, 1, 2, 0]);
  });

  it("writes one CSV line per combination with the params, then every figure", () => {
    const params = parseParams(["strategies.0.config.entry_order_type=market,limit"]);
    const csv = gridCsv(params, [row(1, 2, 1), row(0, null, 1)]);
    expect(csv).toBe(
      "rank,combination,strategies.0.config.entry_order_type,sharpe_ratio,max_drawdown_percent,net_profit\n" +
        "1,1,1,2,1,1\n2,0,0,,1,0\n",
    );
  });

  it("computes the share of the in-sample figure that survives out of sample", () => {
    const line = (inSample: number, oos: number | null, pnl: number) =>
      ({ in_sample: inSample, out_of_sample: oos, out_of_sample_net_profit: pnl }) as FoldLine;
    expect(walkForwardOverall([line(2, 1, 5), line(4, 0, -2)])).toEqual({
      in_sample_mean: 3,
      out_of_sample_mean: 0.5,
      retained: 0.5 / 3,
      out_of_sample_net_profit: 3,
    });
    expect(walkForwardOverall([line(-1, 1, 0)]).retained).toBeNull();
  });

  it("knows the report's figures to rank by", () => {
    const names = metricNames();
    expect(names).toContain("sharpe_ratio");
    expect(names).toContain("net_profit");
    expect(names).not.toContain("timing");
  });
});
