import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toReportJson } from "../../src/backtest/report/json.js";
import { computeMetrics, EXIT_REASONS } from "../../src/backtest/report/metrics.js";
import type { BacktestRecord, TradeRecord } from "../../src/backtest/report/record.js";
import { T0 } from "../fixtures/backtest-record.js";

const S = 1_000_000_000n;
const SYMBOLS = ["BTC-USDC-PERP", "ETH-USDC-PERP", "SOL-USDC-PERP"];
const money = fc.double({ min: -1_000, max: 1_000, noNaN: true, noDefaultInfinity: true });

const trade = fc
  .record({
    leader: fc.constantFrom("", ...SYMBOLS),
    symbol: fc.constantFrom(...SYMBOLS),
    side: fc.constantFrom("buy" as const, "sell" as const),
    fromS: fc.integer({ min: -100, max: 7_200 }),
    holdS: fc.integer({ min: 0, max: 900 }),
    exitReason: fc.constantFrom(...EXIT_REASONS),
    grossPnl: money,
    fees: fc.double({ min: 0, max: 10, noNaN: true }),
  })
  .map(
    (t): TradeRecord => ({
      intentId: `i${t.fromS}`,
      leader: t.leader,
      symbol: t.symbol,
      side: t.side,
      qty: 1,
      entryNs: T0 + BigInt(t.fromS) * S,
      entryPrice: 100,
      exitNs: T0 + BigInt(t.fromS + t.holdS) * S,
      exitPrice: 100,
      exitReason: t.exitReason,
      grossPnl: t.grossPnl,
      fees: t.fees,
      netPnl: t.grossPnl - t.fees,
    }),
  );

/** A record whose last equity sample is initial + realised + `openPnl`, all equity samples ≥ 0. */
const record = fc
  .record({
    initialEquity: fc.double({ min: 0, max: 1e6, noNaN: true }),
    windowS: fc.integer({ min: 0, max: 7_200 }),
    trades: fc.array(trade, { maxLength: 30 }),
    path: fc.array(fc.tuple(fc.integer({ min: 0, max: 7_200 }), fc.double({ min: 0, max: 2e6, noNaN: true })), {
      maxLength: 60,
    }),
    openPnl: money,
    jumps: fc.array(fc.tuple(fc.constantFrom(...SYMBOLS), fc.boolean()), { maxLength: 10 }),
    outcomes: fc.array(fc.constantFrom("entered", "cooldown", "rho_below_min"), { maxLength: 10 }),
  })
  .map(({ initialEquity, windowS, trades, path, openPnl, jumps, outcomes }) => {
    const realized = trades.reduce((sum, t) => sum + t.netPnl, 0);
    const finalEquity = Math.max(0, initialEquity + realized + openPnl);
    const equity = [...path]
      .sort(([a], [b]) => a - b)
      .map(([s, e]) => ({ tsNs: T0 + BigInt(s) * S, equity: e }))
      .concat(trades.length > 0 || path.length > 0 ? [{ tsNs: T0 + 7_201n * S, equity: finalEquity }] : []);
    const r: BacktestRecord = {
      meta: {
        startNs: T0,
        endNs: T0 + BigInt(windowS) * S,
        firstEventNs: undefined,
        lastEventNs: undefined,
        symbols: SYMBOLS,
        source: "prop",
        seed: 1,
        configHash: "x",
        initialEquity,
        eventsReplayed: 0,
        rowsSkipped: {},
        wallSeconds: 0,
      },
      trades,
      decisions: outcomes.map((outcome, i) => ({
        tsNs: T0 + BigInt(i) * S,
        leader: SYMBOLS[0],
        lagger: SYMBOLS[1],
        outcome,
        rhoStar: 0.3,
        tauStarS: 1,
        lls: 1,
        strength: 1,
      })),
      jumps: jumps.map(([symbol, systematic], i) => ({ tsNs: T0 + BigInt(i) * S, symbol, bps: 10, systematic })),
      equity,
      prices: {},
      feesPaid: trades.reduce((sum, t) => sum + t.fees, 0),
      openAtEnd: {},
    };
    return r;
  });

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

describe("report metrics (properties)", () => {
  it("net profit is the closed trades' net PnL plus the open PnL, and the final equity's change", () => {
    fc.assert(
      fc.property(record, (r) => {
        const m = computeMetrics(r);
        expect(close(m.realizedPnl, sum(r.trades.map((t) => t.netPnl)))).toBe(true);
        expect(close(m.netProfit, m.realizedPnl + m.openPnl)).toBe(true);
        expect(close(m.netProfit, m.finalEquity - m.initialEquity)).toBe(true);
      }),
    );
  });

  it("drawdown stays within [0, 100] % of the peak and [0, peak] in money; rates stay within their bounds", () => {
    fc.assert(
      fc.property(record, (r) => {
        const m = computeMetrics(r);
        const peak = Math.max(r.meta.initialEquity, ...r.equity.map((e) => e.equity));
        expect(m.maxDrawdownPercent).toBeGreaterThanOrEqual(0);
        expect(m.maxDrawdownPercent).toBeLessThanOrEqual(100);
        expect(m.maxDrawdown).toBeGreaterThanOrEqual(0);
        expect(m.maxDrawdown).toBeLessThanOrEqual(peak);
        expect(m.winRate).toBeGreaterThanOrEqual(0);
        expect(m.winRate).toBeLessThanOrEqual(1);
        expect(m.exposurePercent).toBeGreaterThanOrEqual(0);
        expect(m.exposurePercent).toBeLessThanOrEqual(100 + 1e-9);
        if (m.profitFactor !== null) expect(m.profitFactor).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it("every breakdown partitions the trades", () => {
    fc.assert(
      fc.property(record, (r) => {
        const m = computeMetrics(r);
        const groups = [Object.values(m.bySymbol), m.byPair, Object.values(m.exitsByReason)];
        for (const group of groups) {
          expect(sum(group.map((s) => s.trades))).toBe(m.totalTrades);
          expect(close(sum(group.map((s) => s.netPnl)), m.realizedPnl)).toBe(true);
        }
        expect(close(sum(m.pnlByHour), m.realizedPnl)).toBe(true);
        expect(sum(Object.values(m.decisionsByOutcome))).toBe(r.decisions.length);
        expect(sum(Object.values(m.jumpsBySymbol).map((j) => j.total))).toBe(r.jumps.length);
      }),
    );
  });

  it("the JSON is deterministic and never holds NaN or Infinity", () => {
    fc.assert(
      fc.property(record, (r) => {
        const json = toReportJson(r);
        expect(json).not.toMatch(/NaN|Infinity/);
        expect(toReportJson(structuredClone(r))).toBe(json);
        const o = JSON.parse(json);
        const nullable = ["total_return_percent", "annualized_return_percent", "sharpe_ratio", "sortino_ratio"];
        for (const key of [...nullable, "calmar_ratio", "profit_factor"]) {
          expect(o[key] === null || Number.isFinite(o[key])).toBe(true);
          delete o[key];
        }
        delete o.data_range; // first and last event are null when nothing was replayed
        expect(JSON.stringify(o)).not.toContain("null"); // JSON.stringify writes NaN as null
      }),
    );
  });
});
