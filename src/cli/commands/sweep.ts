import { constants } from "node:fs";
import { access, mkdir } from "node:fs/promises";
import type { Command } from "../command.js";
import { UsageError } from "../command.js";
import { numberOption, parseCommandArgs } from "../args.js";
import { ConfigError, readConfigText } from "../../config/index.js";
import { closestKey } from "../../config/suggest.js";
import { BacktestRefused, planBacktest } from "../../backtest/runner/plan.js";
import { combinationConfig, combinationText, type ConfigSource } from "../../backtest/sweep/configs.js";
import { defaultWorkers, type JobExecutor, localExecutor } from "../../backtest/sweep/executors.js";
import { cartesian, parseParams, SweepRefused } from "../../backtest/sweep/grid.js";
import { metricNames, referencedEnv } from "../../backtest/sweep/job.js";
import { jobProgress } from "../../backtest/sweep/progress.js";
import {
  DEFAULT_QUEUE_NAME,
  DEFAULT_STALL_MS,
  queueExecutor,
  QueueUnreachable,
  startQueueWorker,
} from "../../backtest/sweep/queue.js";
import {
  gridCsv,
  gridJson,
  gridTable,
  walkForwardCsv,
  walkForwardJson,
  walkForwardTable,
  writeSweepFiles,
} from "../../backtest/sweep/results.js";
import { type RunStats, runGrid, runWalkForward, SweepFailed, type SweepInput } from "../../backtest/sweep/sweep.js";
import { isoMs, walkForwardFolds } from "../../backtest/sweep/walk-forward.js";

const SWEEP_USAGE = [
  "usage: leadlag sweep CONFIG --param PATH=FROM:TO:STEP|a,b,c [--param …] [--metric M] [--out DIR]",
  "                     [--workers N] [--walk-forward TRAIN:TEST] [--from SRC] [--start ISO] [--end ISO]",
  "                     [--seed N] [--profile P] [--queue redis://HOST:PORT] [--queue-name NAME]",
  "",
  "  Backtests every combination of the params (cartesian product) and ranks them by one report figure.",
  "",
  "  --param PATH=…      a config path (strategies.0.config.entry_threshold) and its values: FROM:TO:STEP",
  "                      (both ends inclusive) or a list a,b,c; repeat for more params",
  "  --metric M          the report figure to rank by (default sharpe_ratio; max_drawdown*, fees_paid and",
  "                      losing_trades rank low to high)",
  "  --out DIR           results.csv, results.json (or walk-forward.csv/.json) and best.yaml (default sweep-out)",
  "  --workers N         worker threads of the local pool (default: every core)",
  "  --walk-forward T:E  tune on each training span T, test the chosen params on the next span E; durations",
  "                      (6h:2h, 90m:30m, 45s:15s) or fractions of the window (0.5:0.25)",
  "  --from/--start/--end/--seed/--profile   as for leadlag backtest",
  "  --queue URL         send the jobs through BullMQ to `leadlag worker` processes instead of the local pool",
  `  --queue-name NAME   the BullMQ queue (default ${DEFAULT_QUEUE_NAME})`,
  "",
  "exit codes: 0 done, 1 a job failed or Redis cannot be reached, 2 bad input. Docs: docs/research.md.",
].join("\n");

const WORKER_USAGE = [
  "usage: leadlag worker --queue redis://HOST:PORT [--queue-name NAME] [--workers N] [--stall-ms MS]",
  "",
  "  Runs sweep jobs from a BullMQ queue until stopped (SIGINT/SIGTERM). Each job carries its config text,",
  "  data source and window: the source (a path or a PostgreSQL URL) must be readable from here.",
  "",
  `  --queue-name NAME   the BullMQ queue (default ${DEFAULT_QUEUE_NAME})`,
  "  --workers N         jobs run at once, one per worker thread (default: every core)",
  `  --stall-ms MS       lock duration and stalled-job check interval (default ${DEFAULT_STALL_MS}): a job of a`,
  "                      worker that died goes back to the queue about one to two of these later",
  "",
  "exit codes: 0 stopped, 1 Redis cannot be reached, 2 bad input. Docs: docs/research.md.",
].join("\n");

const SWEEP_OPTIONS = {
  param: { type: "string", multiple: true },
  metric: { type: "string", default: "sharpe_ratio" },
  out: { type: "string", default: "sweep-out" },
  workers: { type: "string" },
  "walk-forward": { type: "string" },
  from: { type: "string" },
  start: { type: "string" },
  end: { type: "string" },
  seed: { type: "string" },
  profile: { type: "string" },
  queue: { type: "string" },
  "queue-name": { type: "string", default: DEFAULT_QUEUE_NAME },
} as const;

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  const n = numberOption(name, text, fallback);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got '${text}'`);
  return n;
}

/** A `--queue` that is not a redis:// URL is bad input (exit 2), not an unreachable Redis. */
function queueUrl(url: string | undefined): string | undefined {
  if (url !== undefined && !/^redis:\/\/[^/]/.test(url))
    throw new UsageError(`--queue must be a redis://HOST:PORT URL, got '${url}'`);
  return url;
}

function stderrLine(command: string, message: string): void {
  process.stderr.write(`leadlag ${command}: ${message}\n`);
}

export const sweepCommand: Command = {
  name: "sweep",
  summary: "backtest every combination of a parameter grid (or walk-forward) on a worker pool or a job queue",
  usage: SWEEP_USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, SWEEP_OPTIONS);
    if (positionals.length !== 1) throw new UsageError("give exactly one CONFIG file");
    const workers = positiveInteger("workers", values.workers, defaultWorkers());
    const queue = queueUrl(values.queue);
    const seed = values.seed === undefined ? undefined : numberOption("seed", values.seed, 0);
    if (seed !== undefined && !Number.isSafeInteger(seed))
      throw new UsageError(`--seed must be an integer, got '${values.seed}'`);
    const metric = values.metric ?? "sharpe_ratio";
    const outDir = values.out ?? "sweep-out";
    const fail = (code: number, message: string) => {
      stderrLine("sweep", message);
      return code;
    };
    let executor: JobExecutor | undefined;
    try {
      const names = metricNames();
      if (!names.includes(metric)) {
        const near = closestKey(metric, names);
        throw new SweepRefused(`--metric ${metric} is not a report figure${near ? `; the closest is ${near}` : ""}`);
      }
      const file = positionals[0];
      const source: ConfigSource = {
        text: await readConfigText(file).catch(unreadable(file)),
        name: file,
        profile: values.profile,
      };
      const params = parseParams(values.param ?? []);
      const combinations = cartesian(params);
      const texts = combinations.map((c) => combinationText(source, params, c));
      const configs = combinations.map((c, i) => combinationConfig(source, params, c, texts[i]));
      const plan = await planBacktest(configs[0], { from: values.from, start: values.start, end: values.end, seed });
      if (plan.speedMultiplier > 0)
        throw new SweepRefused(
          `backtest.speed_multiplier: ${plan.speedMultiplier} paces a replay; a sweep runs as fast as it can: set it to 0`,
        );
      const window = { startMs: Number(plan.startNs / 1_000_000n), endMs: Number(plan.endNs / 1_000_000n) };
      const folds = values["walk-forward"] === undefined ? undefined : walkForwardFolds(values["walk-forward"], window);
      await checkOutDir(outDir);
      const input: SweepInput = {
        params,
        combinations,
        texts,
        configName: file,
        profile: values.profile,
        env: referencedEnv(source.text, process.env),
        from: values.from,
        seed,
        metric,
      };
      executor =
        queue === undefined
          ? localExecutor(workers)
          : await queueExecutor(queue, values["queue-name"] ?? DEFAULT_QUEUE_NAME);
      const total = folds === undefined ? combinations.length : folds.length * (combinations.length + 1);
      const progress = jobProgress(total, process.stderr.isTTY ? "bar" : "lines");
      const started = performance.now();
      let stats: RunStats;
      let bestText: string;
      let report: string;
      try {
        if (folds === undefined) {
          const grid = await runGrid(input, { start: isoMs(window.startMs), end: isoMs(window.endMs) }, executor, () =>
            progress.done(),
          );
          stats = grid.stats;
          bestText = texts[grid.rows[0].combination];
          await writeSweepFiles(outDir, {
            "results.csv": gridCsv(params, grid.rows),
            "results.json": gridJson(params, grid.rows, metric),
            "best.yaml": bestText,
          });
          report = gridTable(params, grid.rows, metric);
        } else {
          const whole = { start: isoMs(window.startMs), end: isoMs(window.endMs) };
          const wf = await runWalkForward(input, whole, folds, executor, () => progress.done());
          stats = wf.stats;
          // The combination chosen on the latest training span: what one would deploy next.
          bestText = texts[wf.folds[wf.folds.length - 1].inSample[0].combination];
          await writeSweepFiles(outDir, {
            "walk-forward.csv": walkForwardCsv(params, wf.folds, metric),
            "walk-forward.json": walkForwardJson(params, wf.folds, metric),
            "best.yaml": bestText,
          });
          report = walkForwardTable(params, wf.folds, metric);
        }
      } finally {
        progress.stop();
      }
      const wall = (performance.now() - started) / 1000;
      process.stdout.write(report);
      process.stdout.write(
        `${stats.jobs} jobs on ${executor.description} in ${wall.toFixed(1)} s; ${stats.threads} threads ran jobs, ` +
          `${stats.decodes} window decodes; stalled and retried: ${stats.stalled}\n` +
          `results in ${outDir}/, best config ${outDir}/best.yaml\n`,
      );
      return 0;
    } catch (err) {
      if (err instanceof ConfigError || err instanceof SweepRefused || err instanceof BacktestRefused)
        return fail(2, err.message);
      if (err instanceof SweepFailed) return fail(err.kind === "refused" ? 2 : 1, err.message);
      if (err instanceof QueueUnreachable) return fail(1, err.message);
      throw err;
    } finally {
      await executor?.close();
    }
  },
};

function unreadable(file: string) {
  return (err: unknown): never => {
    if (err instanceof ConfigError) throw err;
    throw new SweepRefused(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  };
}

/** `--out` must be a directory this process can write, before hours of jobs. */
async function checkOutDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new SweepRefused(
      `cannot write to --out ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

export const workerCommand: Command = {
  name: "worker",
  summary: "run sweep jobs from a BullMQ queue (leadlag sweep --queue)",
  usage: WORKER_USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      queue: { type: "string" },
      "queue-name": { type: "string", default: DEFAULT_QUEUE_NAME },
      workers: { type: "string" },
      "stall-ms": { type: "string" },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const url = queueUrl(values.queue);
    if (url === undefined) throw new UsageError("give --queue redis://HOST:PORT");
    const threads = positiveInteger("workers", values.workers, defaultWorkers());
    const stallMs = positiveInteger("stall-ms", values["stall-ms"], DEFAULT_STALL_MS);
    const name = values["queue-name"] ?? DEFAULT_QUEUE_NAME;
    try {
      const worker = await startQueueWorker({
        url,
        name,
        threads,
        stallMs,
        onJob: (event, id, index) => process.stderr.write(`leadlag worker: job ${id} (#${index}) ${event}\n`),
      });
      process.stderr.write(`leadlag worker: queue ${name} at ${worker.address}, ${threads} threads\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await worker.close();
      return 0;
    } catch (err) {
      if (err instanceof QueueUnreachable) {
        stderrLine("worker", err.message);
        return 1;
      }
      throw err;
    }
  },
};

/** Both research commands, registered together. */
export const sweepCommands: Command[] = [sweepCommand, workerCommand];
