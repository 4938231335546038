/**
 * What the HTML report's charts plot, computed from the record: plain arrays of numbers (times in epoch
 * milliseconds, as the chart library wants them), long series thinned so the file stays small.
 */

import { computeMetrics, EXIT_REASONS } from "./metrics.js";
import type { BacktestMetrics } from "./metrics.js";
import type { BacktestRecord } from "./record.js";

/** Points kept per line series: a 1080p screen cannot show more, and the file stays a few MB at most. */
export const MAX_POINTS = 4_000;

export type XY = [number, number];

export interface MarkerPoint {
  readonly t: number;
  readonly price: number;
  readonly label: string;
}

export interface LaggerChart {
  readonly symbol: string;
  readonly mid: XY[];
  readonly buys: MarkerPoint[];
  readonly sells: MarkerPoint[];
  readonly exits: MarkerPoint[];
}

/** [time, rho*, tau* (s), index into `pairs`]: a tuple, as a decision log can hold many thousands. */
export type ScanPoint = [number, number, number, number];

export interface ChartData {
  readonly equity: XY[];
  /** Fall from the running peak, percent, drawn below zero. */
  readonly drawdown: XY[];
  readonly laggers: LaggerChart[];
  /** Decisions by outcome (`entered` first). */
  readonly scans: Record<string, ScanPoint[]>;
  /** `leader -> lagger` of the decisions, in first-seen order. */
  readonly pairs: string[];
  readonly exitReasons: { reason: string; trades: number; netPnl: number }[];
  readonly pnlByHour: number[];
}

const ms = (ns: bigint) => Number(ns / 1_000_000n);
/** Six significant digits: plenty for a chart, and a third of the bytes of a full double. */
const round = (x: number) => Number(x.toPrecision(6));

/**
 * At most `maxPoints` points: the series cut into buckets, each kept as its lowest and highest point in
 * time order, so spikes and drawdowns stay visible (a plain stride would drop them).
 */
export function decimate(points: readonly XY[], maxPoints = MAX_POINTS): XY[] {
  if (points.length <= maxPoints) return [...points];
  const buckets = Math.floor(maxPoints / 2);
  const out: XY[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * points.length) / buckets);
    const to = Math.floor(((b + 1) * points.length) / buckets);
    let lo = from;
    let hi = from;
    for (let i = from; i < to; i++) {
      if (points[i][1] < points[lo][1]) lo = i;
      if (points[i][1] > points[hi][1]) hi = i;
    }
    if (lo === hi) out.push(points[lo]);
    else out.push(points[Math.min(lo, hi)], points[Math.max(lo, hi)]);
  }
  return out;
}

function equityAndDrawdown(record: BacktestRecord): { equity: XY[]; drawdown: XY[] } {
  const samples = [...record.equity].sort((a, b) => (a.tsNs < b.tsNs ? -1 : a.tsNs > b.tsNs ? 1 : 0));
  const equity: XY[] = [[ms(record.meta.startNs), record.meta.initialEquity]];
  for (const s of samples) equity.push([ms(s.tsNs), s.equity]);
  let peak = Number.NEGATIVE_INFINITY;
  const drawdown: XY[] = equity.map(([t, e]) => {
    peak = Math.max(peak, e);
    return [t, peak > 0 ? round((-(peak - e) / peak) * 100) : 0];
  });
  return { equity: decimate(equity).map(([t, e]) => [t, round(e)]), drawdown: decimate(drawdown) };
}

function laggerCharts(record: BacktestRecord): LaggerChart[] {
  const traded = [...new Set(record.trades.map((t) => t.symbol))].sort();
  return traded.map((symbol) => {
    const trades = record.trades.filter((t) => t.symbol === symbol);
    const entry = (side: "buy" | "sell") =>
      trades
        .filter((t) => t.side === side)
        .map((t) => ({ t: ms(t.entryNs), price: round(t.entryPrice), label: `${side} ${t.intentId}` }));
    return {
      symbol,
      mid: decimate((record.prices[symbol] ?? []).map((p): XY => [ms(p.tsNs), round(p.mid)])),
      buys: entry("buy"),
      sells: entry("sell"),
      exits: trades.map((t) => ({
        t: ms(t.exitNs),
        price: round(t.exitPrice),
        label: `${t.exitReason} ${t.intentId} ${t.netPnl >= 0 ? "+" : ""}${t.netPnl.toFixed(2)}`,
      })),
    };
  });
}

function scans(record: BacktestRecord): { scans: Record<string, ScanPoint[]>; pairs: string[] } {
  const byOutcome: Record<string, ScanPoint[]> = {};
  const outcomes = [...new Set(record.decisions.map((d) => d.outcome))].sort((a, b) =>
    a === "entered" ? -1 : b === "entered" ? 1 : a < b ? -1 : a > b ? 1 : 0,
  );
  for (const outcome of outcomes) byOutcome[outcome] = [];
  const pairIndex = new Map<string, number>();
  for (const d of record.decisions) {
    const pair = `${d.leader} -> ${d.lagger}`;
    if (!pairIndex.has(pair)) pairIndex.set(pair, pairIndex.size);
    byOutcome[d.outcome].push([ms(d.tsNs), round(d.rhoStar), round(d.tauStarS), pairIndex.get(pair)!]);
  }
  return { scans: byOutcome, pairs: [...pairIndex.keys()] };
}

export function chartData(record: BacktestRecord, m: BacktestMetrics = computeMetrics(record)): ChartData {
  return {
    ...equityAndDrawdown(record),
    laggers: laggerCharts(record),
    ...scans(record),
    exitReasons: EXIT_REASONS.map((reason) => ({
      reason,
      trades: m.exitsByReason[reason].trades,
      netPnl: round(m.exitsByReason[reason].netPnl),
    })),
    pnlByHour: m.pnlByHour.map(round),
  };
}
