/**
 * The report's figures, a pure function of a BacktestRecord (docs/backtest.md "Report" defines each). Every
 * figure is a finite number (or null for a ratio whose denominator is zero), so the JSON never holds NaN.
 */

import type { BacktestRecord, ExitReason, TradeRecord } from "./record.js";
import { drawdown, equityPerPeriod, finiteOrNull, periodReturns, type RiskRatios, riskRatios } from "./returns.js";

export const EXIT_REASONS: readonly ExitReason[] = ["sl", "tp", "time_limit", "flatten", "other"];

export interface TradeStats {
  readonly trades: number;
  readonly wins: number;
  /** wins / trades, in [0, 1]; 0 without trades. */
  readonly winRate: number;
  readonly grossPnl: number;
  readonly fees: number;
  readonly netPnl: number;
}

export interface PairStats extends TradeStats {
  readonly leader: string;
  readonly lagger: string;
}

export interface JumpStats {
  readonly total: number;
  readonly systematic: number;
}

export interface BacktestMetrics extends RiskRatios {
  readonly initialEquity: number;
  /** The last equity sample (initial equity plus realised PnL when the record has none). */
  readonly finalEquity: number;
  /** finalEquity - initialEquity = realizedPnl + openPnl. */
  readonly netProfit: number;
  /** Sum of the closed trades' net PnL. */
  readonly realizedPnl: number;
  /** What the closed trades do not explain: positions open at the end, marked at the last equity sample. */
  readonly openPnl: number;
  /** netProfit as a percent of initialEquity; null when that is not positive (or so small it overflows). */
  readonly totalReturnPercent: number | null;
  readonly maxDrawdown: number;
  readonly maxDrawdownPercent: number;
  /** Number of one-minute returns the ratios are computed from. */
  readonly returnPeriods: number;
  /** Gross profit / gross loss of the closed trades' net PnL; null without a losing trade. */
  readonly profitFactor: number | null;
  readonly totalTrades: number;
  readonly winningTrades: number;
  readonly losingTrades: number;
  readonly winRate: number;
  readonly averageTradePnl: number;
  readonly averageWin: number;
  readonly averageLoss: number;
  readonly largestWin: number;
  readonly largestLoss: number;
  readonly averageHoldingSeconds: number;
  readonly feesPaid: number;
  /** Share of the window with at least one closed round trip open, percent. */
  readonly exposurePercent: number;
  readonly bySymbol: Readonly<Record<string, TradeStats>>;
  /** Sorted by leader, then lagger. */
  readonly byPair: readonly PairStats[];
  readonly exitsByReason: Readonly<Record<ExitReason, TradeStats>>;
  /** Net PnL of the trades closed in each UTC hour of the day (index 0-23). */
  readonly pnlByHour: readonly number[];
  readonly decisionsTotal: number;
  readonly decisionsByOutcome: Readonly<Record<string, number>>;
  readonly jumpsBySymbol: Readonly<Record<string, JumpStats>>;
}

/** Code-unit order: the same on every machine and locale. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function tradeStats(trades: readonly TradeRecord[]): TradeStats {
  let wins = 0;
  let grossPnl = 0;
  let fees = 0;
  let netPnl = 0;
  for (const t of trades) {
    if (t.netPnl > 0) wins++;
    grossPnl += t.grossPnl;
    fees += t.fees;
    netPnl += t.netPnl;
  }
  return { trades: trades.length, wins, winRate: trades.length > 0 ? wins / trades.length : 0, grossPnl, fees, netPnl };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return new Map([...groups].sort(([a], [b]) => byCodeUnits(a, b)));
}

/** Union of the trades' holding intervals clipped to the window, as a percent of the window. */
export function exposurePercent(trades: readonly TradeRecord[], startNs: bigint, endNs: bigint): number {
  if (endNs <= startNs) return 0;
  const intervals = trades
    .map((t) => [t.entryNs > startNs ? t.entryNs : startNs, t.exitNs < endNs ? t.exitNs : endNs] as const)
    .filter(([from, to]) => to > from)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let covered = 0n;
  let openFrom = 0n;
  let openTo = -1n;
  for (const [from, to] of intervals) {
    if (from > openTo) {
      if (openTo > openFrom) covered += openTo - openFrom;
      openFrom = from;
      openTo = to;
    } else if (to > openTo) {
      openTo = to;
    }
  }
  if (openTo > openFrom) covered += openTo - openFrom;
  return (Number(covered) / Number(endNs - startNs)) * 100;
}

const HOUR_NS = 3_600_000_000_000n;

function pnlByHour(trades: readonly TradeRecord[]): number[] {
  const hours = new Array<number>(24).fill(0);
  for (const t of trades) hours[Number((((t.exitNs / HOUR_NS) % 24n) + 24n) % 24n)] += t.netPnl;
  return hours;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [k, group] of groupBy(items, key)) counts[k] = group.length;
  return counts;
}

export function computeMetrics(record: BacktestRecord): BacktestMetrics {
  const { meta, trades } = record;
  const samples = [...record.equity].sort((a, b) => (a.tsNs < b.tsNs ? -1 : a.tsNs > b.tsNs ? 1 : 0));
  const all = tradeStats(trades);
  const finalEquity = samples.length > 0 ? samples[samples.length - 1].equity : meta.initialEquity + all.netPnl;
  const netProfit = finalEquity - meta.initialEquity;
  const { maxDrawdown, maxDrawdownPercent } = drawdown([meta.initialEquity, ...samples.map((s) => s.equity)]);
  const returns = periodReturns(equityPerPeriod(samples, meta.initialEquity, meta.startNs, meta.endNs));

  const wins = trades.filter((t) => t.netPnl > 0).map((t) => t.netPnl);
  const losses = trades.filter((t) => t.netPnl < 0).map((t) => t.netPnl);
  const grossProfit = wins.reduce((sum, p) => sum + p, 0);
  const grossLoss = -losses.reduce((sum, p) => sum + p, 0);
  const mean = (xs: readonly number[]) => (xs.length > 0 ? xs.reduce((sum, x) => sum + x, 0) / xs.length : 0);

  const bySymbol: Record<string, TradeStats> = {};
  for (const [symbol, group] of groupBy(trades, (t) => t.symbol)) bySymbol[symbol] = tradeStats(group);
  const byPair = [...groupBy(trades, (t) => `${t.leader}\u0000${t.symbol}`).values()].map((group) => ({
    leader: group[0].leader,
    lagger: group[0].symbol,
    ...tradeStats(group),
  }));
  const exitsByReason = Object.fromEntries(
    EXIT_REASONS.map((reason) => [reason, tradeStats(trades.filter((t) => t.exitReason === reason))]),
  ) as Record<ExitReason, TradeStats>;
  const jumpsBySymbol: Record<string, JumpStats> = {};
  for (const [symbol, group] of groupBy(record.jumps, (j) => j.symbol)) {
    jumpsBySymbol[symbol] = { total: group.length, systematic: group.filter((j) => j.systematic).length };
  }

  return {
    initialEquity: meta.initialEquity,
    finalEquity,
    netProfit,
    realizedPnl: all.netPnl,
    openPnl: netProfit - all.netPnl,
    totalReturnPercent: meta.initialEquity > 0 ? finiteOrNull((netProfit / meta.initialEquity) * 100) : null,
    maxDrawdown,
    maxDrawdownPercent,
    returnPeriods: returns.length,
    ...riskRatios(returns, maxDrawdownPercent),
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : null,
    totalTrades: trades.length,
    winningTrades: wins.length,
    losingTrades: losses.length,
    winRate: all.winRate,
    averageTradePnl: mean(trades.map((t) => t.netPnl)),
    averageWin: mean(wins),
    averageLoss: mean(losses),
    largestWin: wins.reduce((max, p) => (p > max ? p : max), 0),
    largestLoss: losses.reduce((min, p) => (p < min ? p : min), 0),
    averageHoldingSeconds: mean(trades.map((t) => Number(t.exitNs - t.entryNs) / 1e9)),
    feesPaid: record.feesPaid,
    exposurePercent: exposurePercent(trades, meta.startNs, meta.endNs),
    bySymbol,
    byPair,
    exitsByReason,
    pnlByHour: pnlByHour(trades),
    decisionsTotal: record.decisions.length,
    decisionsByOutcome: countBy(record.decisions, (d) => d.outcome),
    jumpsBySymbol,
  };
}
