/**
 * `--report-json`: the metrics as one JSON document in a fixed key order. The same record gives the same
 * bytes; only the `timing` object (wall-clock seconds and the rate derived from them) varies between
 * identical runs, so a determinism check drops that one key.
 */

import { type BacktestMetrics, byCodeUnits, computeMetrics, type TradeStats } from "./metrics.js";
import type { BacktestRecord } from "./record.js";
import { PERIODS_PER_YEAR, RETURN_PERIOD_S } from "./returns.js";

export const REPORT_VERSION = 1;
/** The one top-level key whose content depends on the machine and its load, not on the record. */
export const TIMING_KEY = "timing";

/** ISO 8601 UTC with nanoseconds, e.g. `2026-03-01T12:00:00.000000001Z`. */
export function isoNs(ns: bigint): string {
  const seconds = ns >= 0n ? ns / 1_000_000_000n : (ns - 999_999_999n) / 1_000_000_000n;
  const fraction = ns - seconds * 1_000_000_000n;
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${whole}.${fraction.toString().padStart(9, "0")}Z`;
}

function sortedRecord<T, U>(source: Readonly<Record<string, T>>, map: (value: T) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const key of Object.keys(source).sort(byCodeUnits)) out[key] = map(source[key]);
  return out;
}

function statsJson(s: TradeStats) {
  return {
    trades: s.trades,
    wins: s.wins,
    win_rate: s.winRate,
    gross_pnl: s.grossPnl,
    fees: s.fees,
    net_pnl: s.netPnl,
  };
}

/** The report as a plain object, keys in their output order. */
export function reportObject(record: BacktestRecord, m: BacktestMetrics = computeMetrics(record)) {
  const { meta } = record;
  return {
    report_version: REPORT_VERSION,
    source: meta.source,
    symbols: [...meta.symbols],
    seed: meta.seed,
    config_hash: meta.configHash,
    data_range: {
      window_start: isoNs(meta.startNs),
      window_end: isoNs(meta.endNs),
      first_event: meta.firstEventNs === undefined ? null : isoNs(meta.firstEventNs),
      last_event: meta.lastEventNs === undefined ? null : isoNs(meta.lastEventNs),
    },
    events_replayed: meta.eventsReplayed,
    rows_skipped: sortedRecord(meta.rowsSkipped, (n) => n),
    initial_equity: m.initialEquity,
    final_equity: m.finalEquity,
    net_profit: m.netProfit,
    realized_pnl: m.realizedPnl,
    open_pnl: m.openPnl,
    total_return_percent: m.totalReturnPercent,
    max_drawdown: m.maxDrawdown,
    max_drawdown_percent: m.maxDrawdownPercent,
    annualized_return_percent: m.annualizedReturnPercent,
    sharpe_ratio: m.sharpeRatio,
    sortino_ratio: m.sortinoRatio,
    calmar_ratio: m.calmarRatio,
    return_period_seconds: RETURN_PERIOD_S,
    periods_per_year: PERIODS_PER_YEAR,
    return_periods: m.returnPeriods,
    profit_factor: m.profitFactor,
    total_trades: m.totalTrades,
    winning_trades: m.winningTrades,
    losing_trades: m.losingTrades,
    win_rate: m.winRate,
    average_trade_pnl: m.averageTradePnl,
    average_win: m.averageWin,
    average_loss: m.averageLoss,
    largest_win: m.largestWin,
    largest_loss: m.largestLoss,
    average_holding_seconds: m.averageHoldingSeconds,
    fees_paid: m.feesPaid,
    exposure_percent: m.exposurePercent,
    open_at_end: sortedRecord(record.openAtEnd, (qty) => qty),
    by_symbol: sortedRecord(m.bySymbol, statsJson),
    by_pair: m.byPair.map((p) => ({ leader: p.leader, lagger: p.lagger, ...statsJson(p) })),
    exits_by_reason: Object.fromEntries(Object.entries(m.exitsByReason).map(([k, s]) => [k, statsJson(s)])),
    pnl_by_hour_utc: [...m.pnlByHour],
    decisions: { total: m.decisionsTotal, by_outcome: sortedRecord(m.decisionsByOutcome, (n) => n) },
    jumps_by_symbol: sortedRecord(m.jumpsBySymbol, (j) => ({ total: j.total, systematic: j.systematic })),
    [TIMING_KEY]: {
      wall_seconds: meta.wallSeconds,
      events_per_second: meta.wallSeconds > 0 ? meta.eventsReplayed / meta.wallSeconds : 0,
    },
  };
}

export function toReportJson(record: BacktestRecord): string {
  return `${JSON.stringify(reportObject(record), null, 2)}\n`;
}
