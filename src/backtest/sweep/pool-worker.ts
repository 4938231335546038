/** A piscina thread of the sweep pool (local or behind `leadlag worker`): runs jobs one at a time. */
import { threadId } from "node:worker_threads";
import { createLogger } from "../../runtime/logger.js";
import { windowDecodes } from "./data-cache.js";
import { type JobOutcome, runSweepJob, type SweepJob } from "./job.js";

// Errors only: at warn every actor's warnings of every job would flood the sweep's output.
const log = createLogger("error");

export interface PoolAnswer {
  readonly outcome: JobOutcome;
  /** Windows this job had to decode (0 when the thread already held its window). */
  readonly decoded: number;
  /** Which thread (of which process: the queue's worker adds its own id) answered. */
  readonly thread: string;
}

export default async function run(job: SweepJob): Promise<PoolAnswer> {
  const before = windowDecodes();
  const outcome = await runSweepJob(job, log);
  return { outcome, decoded: windowDecodes() - before, thread: `${process.pid}:${threadId}` };
}
