/**
 * Queue mode: the sweep's jobs through BullMQ (Redis) to any number of `leadlag worker` processes, each
 * running them on its own piscina pool (the same pool thread as a local sweep, so the same job gives the
 * same answer). A worker's main thread only talks to Redis and renews its jobs' locks while the pool
 * threads replay, so a long job never loses its lock; a worker that dies stops renewing, and after
 * `lockDuration` BullMQ's stalled-job check (run by the other workers every `stalledInterval`) moves the
 * job back to the queue for another worker. The sweep counts those from the queue's `stalled` events.
 */
import { Queue, QueueEvents, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { JobExecutor } from "./executors.js";
import { sweepPool } from "./executors.js";
import type { SweepJob } from "./job.js";
import type { PoolAnswer } from "./pool-worker.js";

export const DEFAULT_QUEUE_NAME = "leadlag-sweep";
/** BullMQ's own defaults: a lock held 30 s, renewed every 15 s; stalled jobs looked for every 30 s. */
export const DEFAULT_STALL_MS = 30_000;

/** Redis cannot be reached (or the URL is not one): exit 1 with this one line. */
export class QueueUnreachable extends Error {
  override readonly name = "QueueUnreachable";
}

/** What both ioredis (the probe) and BullMQ (its connections) take. */
interface RedisConnection {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly maxRetriesPerRequest: null;
}

interface RedisTarget {
  readonly options: RedisConnection;
  /** `host:port`, for messages. */
  readonly address: string;
}

export function redisTarget(url: string): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new QueueUnreachable(`--queue must be a redis://HOST:PORT URL, got '${url}'`);
  }
  if (parsed.protocol !== "redis:") throw new QueueUnreachable(`--queue must be a redis://HOST:PORT URL, got '${url}'`);
  const host = parsed.hostname || "127.0.0.1";
  const port = parsed.port === "" ? 6379 : Number(parsed.port);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  const options: RedisConnection = {
    host,
    port,
    db,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    // BullMQ's blocking connections must wait out a Redis restart rather than fail a command.
    maxRetriesPerRequest: null,
  };
  return { options, address: `${host}:${port}` };
}

/** One connection attempt, no retries: an unreachable Redis is one line naming host:port, not a retry loop. */
export async function checkRedis(target: RedisTarget, timeoutMs = 3000): Promise<void> {
  const probe = new Redis({
    ...target.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The socket's error (ECONNREFUSED, ENOTFOUND) arrives here; connect() then only says the connection closed.
  let cause: NodeJS.ErrnoException | undefined;
  probe.on("error", (err: NodeJS.ErrnoException) => {
    cause ??= err;
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    const e = cause ?? (err as NodeJS.ErrnoException);
    throw new QueueUnreachable(`cannot reach Redis at ${target.address}: ${e.code ?? e.message}`);
  } finally {
    probe.disconnect();
  }
}

/** The sweep's side: each job added to the queue, its answer awaited through the queue's events. */
export async function queueExecutor(url: string, name: string): Promise<JobExecutor> {
  const target = redisTarget(url);
  await checkRedis(target);
  const connection = target.options;
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  const runId = `${Date.now().toString(36)}-${process.pid}`;
  /** This sweep's jobs not finished yet. */
  const ours = new Set<string>();
  let stalled = 0;
  events.on("stalled", ({ jobId }) => {
    if (ours.has(jobId)) stalled++;
  });
  return {
    description: `queue ${name} at ${target.address}`,
    async run(job: SweepJob) {
      const jobId = `${runId}-${job.index}`;
      ours.add(jobId);
      const added = await queue.add("backtest", job, {
        jobId,
        attempts: 1, // a job that fails fails the same way again: no retry (a stalled one is re-queued by BullMQ)
        removeOnComplete: { age: 3600 },
        removeOnFail: { age: 24 * 3600 },
      });
      const answer = (await added.waitUntilFinished(events)) as PoolAnswer;
      ours.delete(jobId);
      return answer;
    },
    counters: () => ({ stalled }),
    async close() {
      // A sweep that stopped early (a job failed, or it was interrupted) takes back the jobs no worker started.
      for (const jobId of ours) await queue.remove(jobId).catch(() => undefined);
      await events.close();
      await queue.close();
    },
  };
}

export interface QueueWorkerOptions {
  readonly url: string;
  readonly name: string;
  readonly threads: number;
  /** BullMQ's `lockDuration` and `stalledInterval`: how soon a dead worker's job goes to another. */
  readonly stallMs: number;
  readonly onJob?: (event: "started" | "done", jobId: string, index: number) => void;
}

export interface QueueWorker {
  readonly address: string;
  close(): Promise<void>;
}

/** `leadlag worker`: takes up to `threads` jobs at a time, each run on a pool thread. */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const target = redisTarget(options.url);
  await checkRedis(target);
  const pool = sweepPool(options.threads);
  const worker = new Worker<SweepJob, PoolAnswer>(
    options.name,
    async (job) => {
      const id = job.id ?? "";
      options.onJob?.("started", id, job.data.index);
      const answer = (await pool.run(job.data)) as PoolAnswer;
      options.onJob?.("done", id, job.data.index);
      return answer;
    },
    {
      connection: target.options,
      concurrency: options.threads,
      lockDuration: options.stallMs,
      stalledInterval: options.stallMs,
    },
  );
  worker.on("error", () => undefined); // connection blips: ioredis reconnects, BullMQ retries
  await worker.waitUntilReady();
  return {
    address: target.address,
    async close() {
      await worker.close();
      await pool.destroy();
    },
  };
}
