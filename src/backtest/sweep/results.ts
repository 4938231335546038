/**
 * What a sweep writes to `--out` and prints: the ranked grid (results.csv, results.json), a walk-forward's
 * folds (walk-forward.csv, walk-forward.json) and the best config (best.yaml). The files hold only what
 * the grid, data and seed decide (no wall times, no worker counts), so two runs can be compared byte for byte.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { SweepParam } from "./grid.js";
import type { JobMetrics } from "./job.js";
import type { FoldResult, GridRow } from "./sweep.js";
import { isoMs } from "./walk-forward.js";

const paramsOf = (params: readonly SweepParam[], row: GridRow) =>
  Object.fromEntries(params.map((p, i) => [p.path, row.values[i]]));

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const csvLine = (cells: readonly unknown[]) => `${cells.map(csvCell).join(",")}\n`;

function metricKeys(rows: readonly JobMetrics[]): string[] {
  return rows.length === 0 ? [] : Object.keys(rows[0]);
}

export function gridJson(params: readonly SweepParam[], rows: readonly GridRow[], metric: string): string {
  const results = rows.map((row, i) => ({
    rank: i + 1,
    combination: row.combination,
    params: paramsOf(params, row),
    metrics: row.metrics,
  }));
  return `${JSON.stringify({ metric, params: params.map((p) => p.path), results }, null, 2)}\n`;
}

export function gridCsv(params: readonly SweepParam[], rows: readonly GridRow[]): string {
  const keys = metricKeys(rows.map((r) => r.metrics));
  let out = csvLine(["rank", "combination", ...params.map((p) => p.path), ...keys]);
  rows.forEach((row, i) => {
    out += csvLine([i + 1, row.combination, ...row.values, ...keys.map((k) => row.metrics[k])]);
  });
  return out;
}

export interface FoldLine {
  readonly fold: number;
  readonly train_start: string;
  readonly train_end: string;
  readonly test_start: string;
  readonly test_end: string;
  readonly params: Record<string, unknown>;
  readonly in_sample: number | null;
  readonly out_of_sample: number | null;
  readonly in_sample_net_profit: number | null;
  readonly out_of_sample_net_profit: number | null;
  readonly out_of_sample_trades: number | null;
}

export interface WalkForwardOverall {
  /** Mean over folds of the chosen combination's figure on its training span, and on its test span. */
  readonly in_sample_mean: number | null;
  readonly out_of_sample_mean: number | null;
  /** out_of_sample_mean / in_sample_mean: the share of the in-sample figure that survives (null when in-sample ≤ 0). */
  readonly retained: number | null;
  readonly out_of_sample_net_profit: number;
}

export function foldLines(params: readonly SweepParam[], folds: readonly FoldResult[], metric: string): FoldLine[] {
  return folds.map(({ fold, inSample, outOfSample }) => ({
    fold: fold.index,
    train_start: isoMs(fold.train.startMs),
    train_end: isoMs(fold.train.endMs),
    test_start: isoMs(fold.test.startMs),
    test_end: isoMs(fold.test.endMs),
    params: paramsOf(params, inSample[0]),
    in_sample: inSample[0].metrics[metric] ?? null,
    out_of_sample: outOfSample.metrics[metric] ?? null,
    in_sample_net_profit: inSample[0].metrics.net_profit ?? null,
    out_of_sample_net_profit: outOfSample.metrics.net_profit ?? null,
    out_of_sample_trades: outOfSample.metrics.total_trades ?? null,
  }));
}

const mean = (xs: readonly (number | null)[]) => {
  const known = xs.filter((x): x is number => x !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
};

export function walkForwardOverall(lines: readonly FoldLine[]): WalkForwardOverall {
  const inSample = mean(lines.map((l) => l.in_sample));
  const outOfSample = mean(lines.map((l) => l.out_of_sample));
  return {
    in_sample_mean: inSample,
    out_of_sample_mean: outOfSample,
    retained: inSample !== null && outOfSample !== null && inSample > 0 ? outOfSample / inSample : null,
    out_of_sample_net_profit: lines.reduce((sum, l) => sum + (l.out_of_sample_net_profit ?? 0), 0),
  };
}

export function walkForwardJson(params: readonly SweepParam[], folds: readonly FoldResult[], metric: string): string {
  const lines = foldLines(params, folds, metric);
  const inSample = folds.map(({ fold, inSample }) => ({
    fold: fold.index,
    results: inSample.map((row, i) => ({
      rank: i + 1,
      combination: row.combination,
      params: paramsOf(params, row),
      metrics: row.metrics,
    })),
  }));
  const body = {
    metric,
    params: params.map((p) => p.path),
    folds: lines,
    overall: walkForwardOverall(lines),
    in_sample: inSample,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

export function walkForwardCsv(params: readonly SweepParam[], folds: readonly FoldResult[], metric: string): string {
  const lines = foldLines(params, folds, metric);
  let out = csvLine([
    "fold",
    "train_start",
    "train_end",
    "test_start",
    "test_end",
    ...params.map((p) => p.path),
    `in_sample_${metric}`,
    `out_of_sample_${metric}`,
    "in_sample_net_profit",
    "out_of_sample_net_profit",
    "out_of_sample_trades",
  ]);
  for (const l of lines)
    out += csvLine([
      l.fold,
      l.train_start,
      l.train_end,
      l.test_start,
      l.test_end,
      ...params.map((p) => l.params[p.path]),
      l.in_sample,
      l.out_of_sample,
      l.in_sample_net_profit,
      l.out_of_sample_net_profit,
      l.out_of_sample_trades,
    ]);
  return out;
}

const fmt = (x: number | null | undefined) =>
  x === null || x === undefined ? "-" : Number.isInteger(x) ? String(x) : x.toFixed(3);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    `${cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd()}\n`;
  return line(header) + rows.map(line).join("");
}

/** The ranked grid's first `top` rows as text. */
export function gridTable(params: readonly SweepParam[], rows: readonly GridRow[], metric: string, top = 10): string {
  const extra = ["net_profit", "total_trades", "max_drawdown_percent"].filter((k) => k !== metric);
  return table(
    ["rank", ...params.map((p) => p.path), metric, ...extra],
    rows
      .slice(0, top)
      .map((row, i) => [
        String(i + 1),
        ...row.values.map((v) => JSON.stringify(v)),
        fmt(row.metrics[metric]),
        ...extra.map((k) => fmt(row.metrics[k])),
      ]),
  );
}

/**
 * One row per fold and the overall row (means of the metric, the share retained, out-of-sample trades and
 * net profit summed): in-sample vs out-of-sample.
 */
export function walkForwardTable(params: readonly SweepParam[], folds: readonly FoldResult[], metric: string): string {
  const lines = foldLines(params, folds, metric);
  const overall = walkForwardOverall(lines);
  // With net_profit as the metric its out-of-sample column already is the profit.
  const profit = metric !== "net_profit";
  const rows = lines.map((l) => [
    String(l.fold),
    `${l.train_start.slice(11, 19)}-${l.train_end.slice(11, 19)}`,
    `${l.test_start.slice(11, 19)}-${l.test_end.slice(11, 19)}`,
    params.map((p) => `${p.path.split(".").pop()}=${JSON.stringify(l.params[p.path])}`).join(" "),
    fmt(l.in_sample),
    fmt(l.out_of_sample),
    fmt(l.out_of_sample_trades),
    ...(profit ? [fmt(l.out_of_sample_net_profit)] : []),
  ]);
  rows.push([
    "all",
    "",
    "",
    overall.retained === null ? "" : `retained ${(overall.retained * 100).toFixed(0)} %`,
    fmt(overall.in_sample_mean),
    fmt(overall.out_of_sample_mean),
    fmt(lines.reduce((sum, l) => sum + (l.out_of_sample_trades ?? 0), 0)),
    ...(profit ? [fmt(overall.out_of_sample_net_profit)] : []),
  ]);
  const header = ["fold", "train (UTC)", "test (UTC)", "chosen", `in-sample ${metric}`, `out-of-sample ${metric}`];
  return table([...header, "oos trades", ...(profit ? ["oos net_profit"] : [])], rows);
}

export async function writeSweepFiles(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
}
