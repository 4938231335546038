/**
 * Where a sweep's jobs run: a piscina pool in this process (`--workers N` threads), or a BullMQ queue
 * (`--queue redis://…`) that `leadlag worker` processes take jobs from (queue.ts). Either way a job
 * comes back as the pool thread's answer, and the sweep puts it in its place by index.
 */
import os from "node:os";
import { Piscina } from "piscina";
import { compiledUrl } from "../../runtime/paths.js";
import type { SweepJob } from "./job.js";
import type { PoolAnswer } from "./pool-worker.js";

export interface ExecutorCounters {
  /** Jobs a worker took and then lost (it died or hung): BullMQ moved them back to the queue. */
  readonly stalled: number;
}

export interface JobExecutor {
  /** For the sweep's output: `4 threads`, `queue leadlag-sweep at host:6379`. */
  readonly description: string;
  run(job: SweepJob): Promise<PoolAnswer>;
  counters(): ExecutorCounters;
  close(): Promise<void>;
}

const POOL_WORKER = compiledUrl(new URL("./pool-worker.ts", import.meta.url));

/** All cores by default (`os.availableParallelism`). */
export function defaultWorkers(): number {
  return os.availableParallelism();
}

/** A pool of `threads` worker threads, each keeping the windows it decoded (data-cache.ts). */
export function sweepPool(threads: number): Piscina {
  return new Piscina({
    filename: POOL_WORKER.href,
    minThreads: threads,
    maxThreads: threads,
    // A thread that exits loses its decoded window: keep every thread for the whole sweep.
    idleTimeout: 2 ** 31 - 1,
  });
}

export function localExecutor(threads: number): JobExecutor {
  const pool = sweepPool(threads);
  return {
    description: `${threads} worker thread${threads === 1 ? "" : "s"}`,
    run: (job) => pool.run(job) as Promise<PoolAnswer>,
    counters: () => ({ stalled: 0 }),
    close: () => pool.destroy(),
  };
}
