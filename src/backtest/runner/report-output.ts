/**
 * Where the runner hands its record to the report. The report proper (metrics, console summary, JSON,
 * HTML: src/backtest/report/) is being built beside this runner; until it is merged, this writes the
 * record itself as the JSON, a headline summary, and the summary as a plain HTML page. Everything here
 * is a function of the record except `wallSeconds`, which only the console shows, so the same inputs and
 * seed give a byte-identical JSON file.
 */
import { constants } from "node:fs";
import { access, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { BacktestRecord } from "../report/record.js";

export interface ReportTargets {
  readonly json?: string;
  readonly html?: string;
}

/** A report path that cannot be written: refused before the replay starts. */
export class ReportPathError extends Error {
  override readonly name = "ReportPathError";
}

export async function assertWritable(file: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) throw new ReportPathError(`cannot write ${file}: it is a directory`);
  const target = info === undefined ? dir : file;
  try {
    await access(target, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "not writable";
    throw new ReportPathError(`cannot write ${file}: ${target} ${code === "ENOENT" ? "does not exist" : code}`);
  }
}

/** The record as JSON: bigint times as decimal strings, keys in a fixed order, no wall-clock field. */
export function recordJson(record: BacktestRecord): string {
  const { wallSeconds: _wall, ...meta } = record.meta;
  return `${JSON.stringify({ ...record, meta }, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;
}

interface Headline {
  readonly netProfit: number;
  readonly totalReturnPercent: number;
  readonly maxDrawdownPercent: number;
  readonly totalTrades: number;
}

export function headline(record: BacktestRecord): Headline {
  const initial = record.meta.initialEquity;
  const final = record.equity.at(-1)?.equity ?? initial;
  let peak = initial;
  let maxDrawdown = 0;
  for (const { equity } of record.equity) {
    peak = Math.max(peak, equity);
    if (peak > 0) maxDrawdown = Math.max(maxDrawdown, (peak - equity) / peak);
  }
  return {
    netProfit: final - initial,
    totalReturnPercent: initial > 0 ? ((final - initial) / initial) * 100 : 0,
    maxDrawdownPercent: maxDrawdown * 100,
    totalTrades: record.trades.length,
  };
}

export function summaryText(record: BacktestRecord, timing = true): string {
  const h = headline(record);
  const rate = record.meta.eventsReplayed / Math.max(record.meta.wallSeconds, 1e-9);
  return [
    "=== Backtest Summary ===",
    `Net Profit: ${h.netProfit.toFixed(2)}`,
    `Total Return %: ${h.totalReturnPercent.toFixed(4)}`,
    `Max Drawdown %: ${h.maxDrawdownPercent.toFixed(4)}`,
    `Total Trades: ${h.totalTrades}`,
    `Decisions: ${record.decisions.length}, jumps: ${record.jumps.length}`,
    timing
      ? `Events replayed: ${record.meta.eventsReplayed} in ${record.meta.wallSeconds.toFixed(2)} s (${Math.round(rate)} events/s)`
      : `Events replayed: ${record.meta.eventsReplayed}`,
    "",
  ].join("\n");
}

export async function writeReports(record: BacktestRecord, targets: ReportTargets): Promise<void> {
  if (targets.json !== undefined) await writeFile(targets.json, recordJson(record));
  if (targets.html !== undefined) {
    const escaped = summaryText(record, false).replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);
    await writeFile(
      targets.html,
      `<!doctype html><meta charset="utf-8"><title>Backtest</title><pre>${escaped}</pre>\n`,
    );
  }
}
