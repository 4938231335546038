import { describe, expect, it } from "vitest";
import { reportObject, TIMING_KEY, toReportJson } from "../../src/backtest/report/json.js";
import { computeMetrics, exposurePercent } from "../../src/backtest/report/metrics.js";
import { drawdown, equityPerPeriod, riskRatios } from "../../src/backtest/report/returns.js";
import { formatSummary, printSummary } from "../../src/backtest/report/summary.js";
import { emptyRecord, handRecord, T0 } from "../fixtures/backtest-record.js";

describe("report metrics (hand-computed, test/fixtures/backtest-record.ts handRecord)", () => {
  const m = computeMetrics(handRecord());

  it("profit splits into the closed trades and the position left open", () => {
    expect(m.finalEquity).toBe(10_030);
    expect(m.netProfit).toBe(30);
    expect(m.realizedPnl).toBe(-10); // 10 - 50 + 30 + 0
    expect(m.openPnl).toBe(40);
    expect(m.totalReturnPercent).toBeCloseTo(0.3, 12);
  });

  it("drawdown runs from the 10 040 peak to the 9 990 trough", () => {
    expect(m.maxDrawdown).toBe(50);
    expect(m.maxDrawdownPercent).toBeCloseTo((50 / 10_040) * 100, 12);
  });

  it("ratios come from ten one-minute returns, annualised over 525 600 periods", () => {
    // Equity at each minute's end: 10000 10000 10010 10040 9990 10020 10020 10020 10020 10020, then 10030.
    expect(m.returnPeriods).toBe(10);
    expect(m.annualizedReturnPercent).toBeCloseTo(15_862.241713285866, 6);
    expect(m.sharpeRatio).toBeCloseTo(99.0815560962259, 9);
    expect(m.sortinoRatio).toBeCloseTo(138.93145809594625, 9);
    expect(m.calmarRatio).toBeCloseTo(31_851.38136027802, 6);
  });

  it("trade statistics", () => {
    expect(m.totalTrades).toBe(4);
    expect([m.winningTrades, m.losingTrades]).toEqual([2, 1]); // the zero-PnL trade is neither
    expect(m.winRate).toBe(0.5);
    expect(m.profitFactor).toBe(0.8); // 40 / 50
    expect(m.averageTradePnl).toBe(-2.5);
    expect([m.averageWin, m.averageLoss, m.largestWin, m.largestLoss]).toEqual([20, -50, 30, -50]);
    expect(m.averageHoldingSeconds).toBe(85); // (120 + 70 + 90 + 60) / 4
    expect(m.feesPaid).toBe(13);
    // [30,150] ∪ [160,290] ∪ [400,460] = 310 s of 600 s.
    expect(m.exposurePercent).toBeCloseTo((310 / 600) * 100, 12);
  });

  it("breakdowns by symbol, pair, exit reason, hour, decision outcome and jump symbol", () => {
    expect(m.bySymbol["ETH-USDC-PERP"]).toEqual({
      trades: 2,
      wins: 1,
      winRate: 0.5,
      grossPnl: 13,
      fees: 3,
      netPnl: 10,
    });
    expect(m.bySymbol["SOL-USDC-PERP"].netPnl).toBe(-20);
    expect(m.byPair.map((p) => [p.leader, p.lagger, p.trades, p.netPnl])).toEqual([
      ["BTC-USDC-PERP", "ETH-USDC-PERP", 2, 10],
      ["BTC-USDC-PERP", "SOL-USDC-PERP", 1, -50],
      ["ETH-USDC-PERP", "SOL-USDC-PERP", 1, 30],
    ]);
    expect(Object.fromEntries(Object.entries(m.exitsByReason).map(([r, s]) => [r, [s.trades, s.netPnl]]))).toEqual({
      sl: [1, -50],
      tp: [2, 40],
      time_limit: [1, 0],
      flatten: [0, 0],
      other: [0, 0],
    });
    expect(m.pnlByHour[0]).toBe(-10);
    expect(m.pnlByHour.slice(1).every((p) => p === 0)).toBe(true);
    expect(m.decisionsByOutcome).toEqual({ cooldown: 1, entered: 4, rho_below_min: 1 });
    expect(m.jumpsBySymbol).toEqual({
      "BTC-USDC-PERP": { total: 3, systematic: 1 },
      "ETH-USDC-PERP": { total: 1, systematic: 0 },
    });
  });
});

describe("report building blocks", () => {
  it("drawdown of a rising curve is zero; of a fall to zero is 100 %", () => {
    expect(drawdown([1, 2, 3])).toEqual({ maxDrawdown: 0, maxDrawdownPercent: 0 });
    expect(drawdown([100, 120, 60, 0, 50])).toEqual({ maxDrawdown: 120, maxDrawdownPercent: 100 });
  });

  it("the per-period curve carries the last sample forward and closes a short last period at the final sample", () => {
    const m = (s: number) => T0 + BigInt(s) * 1_000_000_000n;
    const samples = [
      { tsNs: m(10), equity: 101 },
      { tsNs: m(130), equity: 99 },
      { tsNs: m(150), equity: 105 },
    ];
    // Window 150 s: periods end at 60, 120 and (short) 150.
    expect(equityPerPeriod(samples, 100, m(0), m(150))).toEqual([100, 101, 101, 105]);
    expect(equityPerPeriod(samples, 100, m(0), m(0))).toEqual([100]);
  });

  it("ratios are null, not NaN or Infinity, when their denominator is zero", () => {
    expect(riskRatios([], 0)).toEqual({
      annualizedReturnPercent: 0,
      sharpeRatio: null,
      sortinoRatio: null,
      calmarRatio: null,
    });
    const flat = riskRatios([0.001, 0.001], 0);
    expect([flat.sharpeRatio, flat.sortinoRatio, flat.calmarRatio]).toEqual([null, null, null]);
  });

  it("exposure clips round trips to the window", () => {
    const t = (from: number, to: number) => ({ ...handRecord().trades[0], entryNs: BigInt(from), exitNs: BigInt(to) });
    expect(exposurePercent([t(-50, 50), t(40, 60), t(90, 200)], 0n, 100n)).toBe(70);
    expect(exposurePercent([t(0, 10)], 5n, 5n)).toBe(0);
  });
});

describe("console summary", () => {
  it("prints trading_core's headline lines first, then the rest, exactly", () => {
    const lines: string[] = [];
    printSummary(handRecord(), { write: (text: string) => lines.push(text) });
    expect(lines.join("")).toBe(
      [
        "=== Backtest Summary ===",
        "Net Profit:             $30.00",
        "Total Return %:         0.30%",
        "Max Drawdown %:         0.50%",
        "Sharpe Ratio:           99.08",
        "Total Trades:           4",
        "Max Drawdown:           $50.00",
        "Sortino Ratio:          138.93",
        "Calmar Ratio:           31851.38",
        "Profit Factor:          0.80",
        "Win Rate:               50.00%",
        "Average Trade PnL:      -$2.50",
        "Fees Paid:              $13.00",
        "Exposure %:             51.67%",
        "Realized / Open PnL:    -$10.00 / $40.00",
        "Final Equity:           $10030.00",
        "Exits:                  sl 1, tp 2, time_limit 1, flatten 0, other 0",
        "By Symbol:",
        "  ETH-USDC-PERP:        2 trades, win 50.00%, net $10.00",
        "  SOL-USDC-PERP:        2 trades, win 50.00%, net -$20.00",
        "By Leader -> Lagger:",
        "  BTC-USDC-PERP -> ETH-USDC-PERP: 2 trades, win 50.00%, net $10.00",
        "  BTC-USDC-PERP -> SOL-USDC-PERP: 1 trades, win 0.00%, net -$50.00",
        "  ETH-USDC-PERP -> SOL-USDC-PERP: 1 trades, win 100.00%, net $30.00",
        "Decisions:              6 (cooldown 1, entered 4, rho_below_min 1)",
        "Jumps:                  BTC-USDC-PERP 3 (1 systematic), ETH-USDC-PERP 1 (0 systematic)",
        "Data:                   2026-03-01T00:00:00.000000001Z .. 2026-03-01T00:09:59.000000000Z, " +
          "12345 events, 3 rows skipped",
        "Seed / Config:          7 / c0ffee",
        "Wall:                   0.50 s, 24690 events/s",
        "",
      ].join("\n"),
    );
  });

  it("an empty run prints n/a for the undefined ratios", () => {
    const text = formatSummary(emptyRecord());
    expect(text).toContain("Sharpe Ratio:           n/a\n");
    expect(text).toContain("Profit Factor:          n/a\n");
    expect(text).toContain("Data:                   no events, 0 events, 0 rows skipped\n");
    expect(text).not.toMatch(/NaN|Infinity/);
  });
});

describe("report JSON", () => {
  it("holds the issue's keys, headline first, timing last", () => {
    const keys = Object.keys(reportObject(handRecord()));
    for (const key of [
      "net_profit",
      "total_return_percent",
      "max_drawdown",
      "max_drawdown_percent",
      "sharpe_ratio",
      "sortino_ratio",
      "calmar_ratio",
      "profit_factor",
      "total_trades",
      "win_rate",
      "average_trade_pnl",
      "fees_paid",
      "exposure_percent",
      "by_symbol",
      "by_pair",
      "exits_by_reason",
      "decisions",
      "jumps_by_symbol",
      "events_replayed",
      "data_range",
      "seed",
      "config_hash",
    ]) {
      expect(keys).toContain(key);
    }
    expect(keys.at(-1)).toBe(TIMING_KEY);
    expect(reportObject(handRecord())[TIMING_KEY]).toEqual({ wall_seconds: 0.5, events_per_second: 24_690 });
  });

  it("is byte-identical for equal records, except under the timing key", () => {
    const a = handRecord();
    const b = { ...handRecord(), meta: { ...handRecord().meta, wallSeconds: 9.75 } };
    expect(toReportJson(a)).toBe(toReportJson(handRecord()));
    expect(toReportJson(a)).not.toBe(toReportJson(b));
    const withoutTiming = (json: string) => {
      const { [TIMING_KEY]: _, ...rest } = JSON.parse(json);
      return JSON.stringify(rest);
    };
    expect(withoutTiming(toReportJson(a))).toBe(withoutTiming(toReportJson(b)));
  });

  it("key order does not depend on the order the record lists its maps in", () => {
    const a = handRecord();
    const b = { ...a, meta: { ...a.meta, rowsSkipped: { duplicate: 1, nan_price: 2 } } };
    expect(toReportJson(a)).toBe(toReportJson(b));
  });

  it("an empty record gives finite numbers and nulls only", () => {
    const json = toReportJson(emptyRecord());
    expect(json).not.toMatch(/NaN|Infinity/);
    const o = JSON.parse(json);
    expect([o.net_profit, o.max_drawdown_percent, o.win_rate, o.exposure_percent, o.annualized_return_percent]).toEqual(
      [0, 0, 0, 0, 0],
    );
    expect([o.sharpe_ratio, o.sortino_ratio, o.calmar_ratio, o.profit_factor]).toEqual([null, null, null, null]);
    expect(o.total_return_percent).toBeNull(); // of a zero initial equity
    expect(o.data_range.first_event).toBeNull();
  });
});
