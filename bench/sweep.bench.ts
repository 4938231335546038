import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { CsvRecordSink } from "../src/backtest/recorder/csv-sink.js";
import { writeColumnarFile } from "../src/backtest/sources/columnar.js";
import { CsvDirectorySource } from "../src/backtest/sources/csv.js";
import { WHOLE_WINDOW } from "../src/backtest/sources/open.js";
import { combinationText } from "../src/backtest/sweep/configs.js";
import { type JobExecutor, localExecutor } from "../src/backtest/sweep/executors.js";
import { cartesian, parseParams } from "../src/backtest/sweep/grid.js";
import { queueExecutor, startQueueWorker } from "../src/backtest/sweep/queue.js";
import { runGrid, type SweepInput } from "../src/backtest/sweep/sweep.js";
import { loadConfig } from "../src/config/index.js";
import { NS_PER_S } from "../src/model/time.js";
import { fromRoot } from "../src/runtime/paths.js";
import type { Bench } from "./bench.js";
import { round } from "./bench.js";
import { RECORDING_START_NS, recordSynthetic } from "./backtest-recording.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** Runs of each way (`--quick`: one). */
const ROUNDS = 3;
const SYMBOLS = ["BTC-USDC-PERP", "ETH-USDC-PERP", "SOL-USDC-PERP"];
/** 2 × 2 × 2 = 8 jobs. */
const GRID = [
  "strategies.0.config.hazard_window_seconds=6,12",
  "strategies.0.config.time_limit_seconds=300,1200",
  "strategies.0.config.entry_threshold=1,1.5",
];

/**
 * configs/paper.yaml's synthetic market (BTC jumps 3 times a minute, so the strategy trades) recorded once
 * into a replay file kept in the temporary directory: later runs of the benchmark reuse it.
 */
async function cachedRecording(seconds: number): Promise<string> {
  const dir = path.join(tmpdir(), "leadlag-bench-sweep-cache");
  const file = path.join(dir, `paper-market-${seconds}s-seed42.arrow`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const csv = path.join(dir, `rec-${process.pid}`);
  const market = (await loadConfig(fromRoot("configs/paper.yaml"), { env: {} })).market_data.synthetic;
  await recordSynthetic(seconds, new CsvRecordSink(csv, 10), 10, 42, market);
  const partial = `${file}.${process.pid}`;
  await writeColumnarFile(await CsvDirectorySource.open(csv, { window: WHOLE_WINDOW, batchSize: 20000 }), partial);
  renameSync(partial, file);
  rmSync(csv, { recursive: true, force: true });
  return file;
}

function configText(file: string, seconds: number): string {
  const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();
  return `
mode: backtest
symbol_rules_path: ${fromRoot("configs/symbol_rules.csv")}
execution: { provider: paper, mode: paper }
initial_balance: { USDC: 100000 }
strategies:
  - name: bench
    type: leadlag
    config:
      symbols: [${SYMBOLS.join(", ")}]
      artifacts_path: ${path.join(tmpdir(), "leadlag-bench-sweep-no-artifacts")}
      hazard_window_seconds: 12
      time_limit_seconds: 1200
      entry_threshold: 1.0
backtest:
  start_date: ${iso(RECORDING_START_NS)}
  end_date: ${iso(RECORDING_START_NS + BigInt(seconds) * NS_PER_S)}
  symbols: [${SYMBOLS.join(", ")}]
  data_source: { type: file, connection: ${file} }
`;
}

/**
 * `leadlag sweep` on one grid (8 jobs, each a backtest of a 12-minute recording, sliced from one window each
 * pool thread decodes once; `--quick`: 4 jobs of
 * 5 minutes) three ways in one run: a pool of 1 worker thread, a pool of every core (`speedup` = the
 * first's wall time / the second's), and the queue (BullMQ on REDIS_URL, default 127.0.0.1:6379, with a
 * worker of every core in this process: `queue_overhead` = its wall time / the pool's - 1). The three run
 * in turn, three rounds, and the fastest run of each counts (load from elsewhere only ever slows a run). CPU seconds
 * of the whole process (every thread) beside each wall time, for a shared machine; `same_results` checks
 * that all three ranked the grid identically.
 */
export const sweepBench: Bench = {
  name: "sweep",
  summary: "sweep: 1 worker vs all cores (speedup), queue mode vs local pool (queue_overhead)",
  async run({ quick }) {
    const seconds = quick ? 300 : 720;
    const grid = quick ? GRID.slice(1) : GRID;
    const cores = os.availableParallelism();
    const file = await cachedRecording(seconds);
    const text = configText(file, seconds);
    const params = parseParams(grid);
    const combinations = cartesian(params);
    const input: SweepInput = {
      params,
      combinations,
      texts: combinations.map((c) => combinationText({ text, name: "bench" }, params, c)),
      configName: "bench",
      env: {},
      seed: 42,
      metric: "sharpe_ratio",
    };
    const window = {
      start: new Date(Number(RECORDING_START_NS / 1_000_000n)).toISOString(),
      end: new Date(Number(RECORDING_START_NS / 1_000_000n) + seconds * 1000).toISOString(),
    };
    const timed = async (executor: JobExecutor) => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      try {
        const { rows } = await runGrid(input, window, executor, () => undefined);
        const cpu = process.cpuUsage(cpu0);
        return { rows, wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
      } finally {
        await executor.close();
      }
    };
    // Runs alternate (1 thread, every core, queue) and each way keeps its fastest of ROUNDS: load from
    // elsewhere on a shared machine only ever slows a run, so the fastest is the least disturbed. Every
    // run starts fresh threads (a queue worker of its own too), so each decodes the window as a sweep would.
    type Timed = Awaited<ReturnType<typeof timed>>;
    const faster = (a: Timed | undefined, b: Timed) => (a === undefined || b.wall < a.wall ? b : a);
    let one: Timed | undefined;
    let all: Timed | undefined;
    let queued: Timed | undefined;
    let queueError: string | undefined;
    for (let round = 0; round < (quick ? 1 : ROUNDS); round++) {
      one = faster(one, await timed(localExecutor(1)));
      all = faster(all, await timed(localExecutor(cores)));
      if (queueError !== undefined) continue;
      const name = `leadlag-bench-sweep-${process.pid}-${Date.now()}`;
      try {
        const worker = await startQueueWorker({ url: REDIS_URL, name, threads: cores, stallMs: 30_000 });
        try {
          queued = faster(queued, await timed(await queueExecutor(REDIS_URL, name)));
        } finally {
          await worker.close();
        }
      } catch (err) {
        queueError = (err as Error).message;
      }
    }
    if (one === undefined || all === undefined) throw new Error("no round ran");
    const key = (r: Timed) => JSON.stringify(r.rows);
    return {
      bench: "sweep",
      recording_s: seconds,
      jobs: combinations.length,
      cores,
      wall_1_worker_s: round(one.wall, 2),
      cpu_1_worker_s: round(one.cpu, 2),
      wall_all_cores_s: round(all.wall, 2),
      cpu_all_cores_s: round(all.cpu, 2),
      speedup: round(one.wall / all.wall, 2),
      wall_queue_s: queued === undefined ? null : round(queued.wall, 2),
      cpu_queue_s: queued === undefined ? null : round(queued.cpu, 2),
      queue_overhead: queued === undefined ? null : round(queued.wall / all.wall - 1, 3),
      ...(queueError !== undefined ? { queue_error: queueError } : {}),
      same_results: key(one) === key(all) && (queued === undefined || key(queued) === key(all)),
    };
  },
};
