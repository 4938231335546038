/**
 * A sweep: the backtest of every combination of the grid (or, walk-forward, of every combination on each
 * training span and then of each span's chosen combination on its test span), run by an executor (a local
 * pool or a queue), ranked by one report figure. Results depend only on the grid, the data and the seed:
 * every job is deterministic and put back in its place by index, whatever ran it and in what order.
 */
import type { Combination, SweepParam } from "./grid.js";
import { SweepRefused } from "./grid.js";
import type { JobExecutor } from "./executors.js";
import type { JobMetrics, SweepJob } from "./job.js";
import type { Fold } from "./walk-forward.js";
import { isoMs } from "./walk-forward.js";

/** A job that could not run: `refused` → exit 2 (no data in a window, a config the backtest refuses), else 1. */
export class SweepFailed extends Error {
  override readonly name = "SweepFailed";
  constructor(
    message: string,
    readonly kind: "refused" | "failed",
  ) {
    super(message);
  }
}

export interface SweepInput {
  readonly params: readonly SweepParam[];
  readonly combinations: readonly Combination[];
  /** The config text of each combination (same order). */
  readonly texts: readonly string[];
  readonly configName: string;
  readonly profile?: string;
  /** The environment `${VAR}`s are substituted from (the sweep process's). */
  readonly env: Readonly<Record<string, string>>;
  readonly from?: string;
  readonly seed?: number;
  readonly metric: string;
}

export interface GridRow {
  readonly combination: number;
  readonly values: Combination;
  readonly metrics: JobMetrics;
}

export interface RunStats {
  readonly jobs: number;
  /** Windows decoded by the threads that ran the jobs (at most one per thread and window). */
  readonly decodes: number;
  /** Pool threads that ran at least one job (over every worker process in queue mode). */
  readonly threads: number;
  readonly stalled: number;
}

/** Lower is better for these; every other figure ranks high to low. */
export function lowerIsBetter(metric: string): boolean {
  return metric.startsWith("max_drawdown") || metric === "fees_paid" || metric === "losing_trades";
}

/** Best first; a missing figure (null: a ratio without enough returns) last; ties in grid order. */
export function rank(rows: readonly GridRow[], metric: string): GridRow[] {
  const sign = lowerIsBetter(metric) ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a.metrics[metric] ?? null;
    const y = b.metrics[metric] ?? null;
    if (x === null || y === null) return x === y ? a.combination - b.combination : x === null ? 1 : -1;
    return x === y ? a.combination - b.combination : sign * (x - y);
  });
}

interface Tracker {
  readonly onDone: () => void;
}

/** Runs `jobs` on the executor; the first job that cannot run stops the sweep. */
async function runJobs(
  executor: JobExecutor,
  jobs: readonly SweepJob[],
  tracker: Tracker,
  threads: Counts,
): Promise<JobMetrics[]> {
  const out: JobMetrics[] = new Array(jobs.length);
  await Promise.all(
    jobs.map(async (job, i) => {
      // A pool thread that died, a job BullMQ failed (stalled too often): the sweep cannot be complete.
      const answer = await executor.run(job).catch((err: Error) => {
        throw new SweepFailed(`job ${job.index} did not finish: ${err.message}`, "failed");
      });
      threads.decodes += answer.decoded;
      threads.seen.add(answer.thread);
      if (!answer.outcome.ok) throw new SweepFailed(answer.outcome.message, answer.outcome.kind);
      out[i] = answer.outcome.metrics;
      tracker.onDone();
    }),
  );
  return out;
}

function job(
  input: SweepInput,
  index: number,
  combination: number,
  start: string,
  end: string,
  data: { start: string; end: string } = { start, end },
): SweepJob {
  return {
    index,
    configText: input.texts[combination],
    configName: input.configName,
    env: input.env,
    ...(input.profile !== undefined ? { profile: input.profile } : {}),
    ...(input.from !== undefined ? { from: input.from } : {}),
    start,
    end,
    dataStart: data.start,
    dataEnd: data.end,
    ...(input.seed !== undefined ? { seed: input.seed } : {}),
  };
}

function checkMetric(rows: readonly JobMetrics[], metric: string): void {
  if (rows.length > 0 && !(metric in rows[0]))
    throw new SweepRefused(`--metric ${metric} is not a figure of the report (${Object.keys(rows[0]).join(", ")})`);
}

export async function runGrid(
  input: SweepInput,
  window: { start: string; end: string },
  executor: JobExecutor,
  onDone: () => void,
): Promise<{ rows: GridRow[]; stats: RunStats }> {
  const counts: Counts = { decodes: 0, seen: new Set() };
  const jobs = input.combinations.map((_, c) => job(input, c, c, window.start, window.end));
  const metrics = await runJobs(executor, jobs, { onDone }, counts);
  checkMetric(metrics, input.metric);
  const rows = input.combinations.map((values, c) => ({ combination: c, values, metrics: metrics[c] }));
  return { rows: rank(rows, input.metric), stats: stats(jobs.length, counts, executor) };
}

export interface FoldResult {
  readonly fold: Fold;
  /** Every combination on the training span, ranked. */
  readonly inSample: readonly GridRow[];
  /** The chosen (best in-sample) combination on the test span. */
  readonly outOfSample: GridRow;
}

export async function runWalkForward(
  input: SweepInput,
  window: { start: string; end: string },
  folds: readonly Fold[],
  executor: JobExecutor,
  onDone: () => void,
): Promise<{ folds: FoldResult[]; stats: RunStats }> {
  const counts: Counts = { decodes: 0, seen: new Set() };
  const n = input.combinations.length;
  const trainJobs = folds.flatMap((f) =>
    input.combinations.map((_, c) =>
      job(input, f.index * n + c, c, isoMs(f.train.startMs), isoMs(f.train.endMs), window),
    ),
  );
  const trained = await runJobs(executor, trainJobs, { onDone }, counts);
  checkMetric(trained, input.metric);
  const inSample = folds.map((f) =>
    rank(
      input.combinations.map((values, c) => ({ combination: c, values, metrics: trained[f.index * n + c] })),
      input.metric,
    ),
  );
  const testJobs = folds.map((f) =>
    job(
      input,
      folds.length * n + f.index,
      inSample[f.index][0].combination,
      isoMs(f.test.startMs),
      isoMs(f.test.endMs),
      window,
    ),
  );
  const tested = await runJobs(executor, testJobs, { onDone }, counts);
  const results = folds.map((fold, i) => {
    const chosen = inSample[i][0];
    return { fold, inSample: inSample[i], outOfSample: { ...chosen, metrics: tested[i] } };
  });
  return { folds: results, stats: stats(trainJobs.length + testJobs.length, counts, executor) };
}

interface Counts {
  decodes: number;
  readonly seen: Set<string>;
}

function stats(jobs: number, counts: Counts, executor: JobExecutor): RunStats {
  return {
    jobs,
    decodes: counts.decodes,
    threads: counts.seen.size,
    stalled: executor.counters().stalled,
  };
}
