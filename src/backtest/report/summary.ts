/**
 * The console summary, in trading_core's shape: a `=== Backtest Summary ===` header, then one `Label: value`
 * line per figure, the headline five first.
 */

import { isoNs } from "./json.js";
import { type BacktestMetrics, computeMetrics, EXIT_REASONS, type TradeStats } from "./metrics.js";
import type { BacktestRecord } from "./record.js";

const LABEL_WIDTH = 24;

function money(value: number): string {
  const text = `$${Math.abs(value).toFixed(2)}`;
  return value < 0 && text !== "$0.00" ? `-${text}` : text;
}

function percent(value: number | null): string {
  return value === null ? "n/a" : `${value.toFixed(2)}%`;
}

function ratio(value: number | null): string {
  return value === null ? "n/a" : value.toFixed(2);
}

function statsLine(s: TradeStats): string {
  return `${s.trades} trades, win ${percent(s.winRate * 100)}, net ${money(s.netPnl)}`;
}

function line(label: string, value: string): string {
  return `${`${label}:`.padEnd(LABEL_WIDTH - 1)} ${value}`.trimEnd();
}

export function formatSummary(record: BacktestRecord, m: BacktestMetrics = computeMetrics(record)): string {
  const { meta } = record;
  const exits = EXIT_REASONS.map((r) => `${r} ${m.exitsByReason[r].trades}`).join(", ");
  const outcomes = Object.entries(m.decisionsByOutcome).map(([outcome, n]) => `${outcome} ${n}`);
  const jumps = Object.entries(m.jumpsBySymbol).map(([s, j]) => `${s} ${j.total} (${j.systematic} systematic)`);
  const skipped = Object.values(meta.rowsSkipped).reduce((sum, n) => sum + n, 0);
  const range =
    meta.firstEventNs === undefined || meta.lastEventNs === undefined
      ? "no events"
      : `${isoNs(meta.firstEventNs)} .. ${isoNs(meta.lastEventNs)}`;
  const rate = meta.wallSeconds > 0 ? Math.round(meta.eventsReplayed / meta.wallSeconds) : 0;
  const lines = [
    "=== Backtest Summary ===",
    line("Net Profit", money(m.netProfit)),
    line("Total Return %", percent(m.totalReturnPercent)),
    line("Max Drawdown %", percent(m.maxDrawdownPercent)),
    line("Sharpe Ratio", ratio(m.sharpeRatio)),
    line("Total Trades", String(m.totalTrades)),
    line("Max Drawdown", money(m.maxDrawdown)),
    line("Sortino Ratio", ratio(m.sortinoRatio)),
    line("Calmar Ratio", ratio(m.calmarRatio)),
    line("Profit Factor", ratio(m.profitFactor)),
    line("Win Rate", percent(m.winRate * 100)),
    line("Average Trade PnL", money(m.averageTradePnl)),
    line("Fees Paid", money(m.feesPaid)),
    line("Exposure %", percent(m.exposurePercent)),
    line("Realized / Open PnL", `${money(m.realizedPnl)} / ${money(m.openPnl)}`),
    line("Final Equity", money(m.finalEquity)),
    line("Exits", exits),
    line("By Symbol", m.totalTrades > 0 ? "" : "none"),
    ...Object.entries(m.bySymbol).map(([symbol, s]) => line(`  ${symbol}`, statsLine(s))),
    line("By Leader -> Lagger", m.totalTrades > 0 ? "" : "none"),
    ...m.byPair.map((p) => line(`  ${p.leader || "?"} -> ${p.lagger}`, statsLine(p))),
    line("Decisions", outcomes.length > 0 ? `${m.decisionsTotal} (${outcomes.join(", ")})` : "0"),
    line("Jumps", jumps.length > 0 ? jumps.join(", ") : "0"),
    line("Data", `${range}, ${meta.eventsReplayed} events, ${skipped} rows skipped`),
    line("Seed / Config", `${meta.seed} / ${meta.configHash}`),
    line("Wall", `${meta.wallSeconds.toFixed(2)} s, ${rate} events/s`),
  ];
  return `${lines.join("\n")}\n`;
}

export interface TextSink {
  write(text: string): unknown;
}

export function printSummary(record: BacktestRecord, stream: TextSink): void {
  stream.write(formatSummary(record));
}
