/**
 * One sweep job and what it returns. A job is self-contained (the config's text with the combination's
 * values, the source, the window, the seed), so the same job gives the same result in a pool thread of
 * this process or in a `leadlag worker` on another machine reading the same data.
 */
import type { Logger } from "pino";
import { parseConfig } from "../../config/index.js";
import { emptyRecord } from "../report/record.js";
import { reportObject, TIMING_KEY } from "../report/json.js";
import { BacktestRefused, planBacktest } from "../runner/plan.js";
import { BacktestFailed, NoData, runBacktest, windowText } from "../runner/run.js";
import { MemorySource, sliceWindow } from "../sources/memory.js";
import { SourceError } from "../sources/source.js";
import { loadedWindow } from "./data-cache.js";

export interface SweepJob {
  /** Position in the sweep's job list: results are put back in this order, whatever finished first. */
  readonly index: number;
  readonly configText: string;
  readonly configName: string;
  readonly profile?: string;
  /**
   * The sweep process's values of the `${VAR}`s the config text references: a queue worker on another
   * machine substitutes these, not its own environment, so every job reads the same config.
   */
  readonly env: Readonly<Record<string, string>>;
  /** The data source (`--from` or the config's), a path every worker can read or a PostgreSQL URL. */
  readonly from?: string;
  readonly start: string;
  readonly end: string;
  /**
   * The window each worker thread decodes once and slices this job's `[start, end)` from: the whole sweep
   * window (a walk-forward's folds are parts of it). Equal to the job's window in a plain grid.
   */
  readonly dataStart: string;
  readonly dataEnd: string;
  readonly seed?: number;
}

/** The report's scalar figures (`sharpe_ratio`, `net_profit`, …): what a sweep ranks and tabulates. */
export type JobMetrics = Readonly<Record<string, number | null>>;

export type JobOutcome =
  | { readonly ok: true; readonly index: number; readonly metrics: JobMetrics; readonly wallSeconds: number }
  /** `refused`: exit 2 (bad config, no data); `failed`: exit 1 (unreadable source, an actor crashed). */
  | { readonly ok: false; readonly index: number; readonly kind: "refused" | "failed"; readonly message: string };

/** Runs one job in this thread; every error a backtest can name is an outcome, not a throw. */
export async function runSweepJob(job: SweepJob, log: Logger): Promise<JobOutcome> {
  try {
    const config = parseConfig(job.configText, { profile: job.profile, sourceName: job.configName, env: job.env });
    const plan = await planBacktest(config, { from: job.from, start: job.start, end: job.end, seed: job.seed });
    const data = await planBacktest(config, { from: job.from, start: job.dataStart, end: job.dataEnd, seed: job.seed });
    if (!(data.startNs <= plan.startNs && plan.endNs <= data.endNs))
      throw new BacktestRefused(
        `the job's window ${windowText(plan)} is not inside its data window ${windowText(data)}`,
      );
    const loaded = sliceWindow(await loadedWindow(data, log), plan.startNs, plan.endNs);
    if (loaded.events.length === 0)
      throw new NoData(`no data for ${plan.symbols.join(", ")} in ${windowText(plan)} in ${loaded.description}`);
    const record = await runBacktest(config, plan, new MemorySource(loaded, plan.batchSize), { log });
    return {
      ok: true,
      index: job.index,
      metrics: scalarMetrics(reportObject(record)),
      wallSeconds: record.meta.wallSeconds,
    };
  } catch (err) {
    const message = (err as Error).message;
    if (err instanceof BacktestRefused || err instanceof NoData)
      return { ok: false, index: job.index, kind: "refused", message };
    if (err instanceof SourceError || err instanceof BacktestFailed)
      return { ok: false, index: job.index, kind: "failed", message };
    return { ok: false, index: job.index, kind: "failed", message: `${(err as Error).name}: ${message}` };
  }
}

/** The variables `text` references (`${VAR}`, `${VAR:default}`) that `env` sets. */
export function referencedEnv(text: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, name] of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** The report's top-level numbers (and nulls: a ratio without enough returns), timing left out. */
export function scalarMetrics(report: Record<string, unknown>): JobMetrics {
  const out: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(report))
    if (key !== TIMING_KEY && key !== "report_version" && (typeof value === "number" || value === null))
      out[key] = value;
  return out;
}

/** The figures a sweep can rank by: those of an empty run's report (every run's report has the same keys). */
export function metricNames(): string[] {
  const empty = emptyRecord({ endNs: 60_000_000_000n, initialEquity: 1 });
  return Object.keys(scalarMetrics(reportObject(empty)));
}
