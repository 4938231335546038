import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { Logger } from "pino";
import type { SqlClient } from "./store.js";
import { Worker } from "node:worker_threads";
import { compiledUrl } from "../../../runtime/paths.js";
import type { PgliteReply, PgliteRequest, PgliteWorkerData } from "./pglite-protocol.js";

/**
 * Database clients for the journal store. PostgreSQL when a URL is configured (`runtime.database_url`
 * or `DATABASE_URL`); otherwise PGlite, PostgreSQL compiled to WebAssembly, in `runtime.db_path`: the
 * same SQL, the same `jsonb`/`bytea`/`unnest` and migrations, no server to run. (SQLite would need a
 * second dialect of every query and a native module; PGlite needs neither.)
 */

export function postgresClient(url: string): SqlClient {
  // Two connections: the shipper's batches and the occasional query; the journal never needs more.
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    query: async (sql, params) => pool.query(sql, params),
    exec: async (sql) => {
      await pool.query(sql);
    },
    close: () => pool.end(),
  };
}

export async function embeddedClient(dataDir: string): Promise<SqlClient> {
  if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  return {
    query: async (sql, params) => db.query(sql, params),
    exec: async (sql) => {
      await db.exec(sql);
    },
    close: () => db.close(),
  };
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** How long a close waits for PGlite to shut down cleanly before the thread is terminated. */
const CLOSE_TIMEOUT_MS = 1500;

function replyError(reply: Extract<PgliteReply, { ok: false }>): Error {
  return Object.assign(new Error(reply.error), reply.code === undefined ? {} : { code: reply.code });
}

/**
 * The embedded database on its own thread (see pglite-worker.ts): what the order manager uses. An abort of
 * `signal` while it opens terminates the thread at once (PGlite takes seconds to start): the order
 * manager's next incarnation must not find it still starting on the same directory. `close` shuts it
 * down and always ends the thread.
 */
export async function embeddedClientOnThread(dataDir: string, owner: string, signal?: AbortSignal): Promise<SqlClient> {
  signal?.throwIfAborted();
  const workerData: PgliteWorkerData = { dataDir, owner };
  const script = compiledUrl(new URL("./pglite-worker.ts", import.meta.url));
  const worker = new Worker(script, { workerData, name: "leadlag-pglite" });
  const waiting = new Map<
    number,
    { resolve: (rows: Record<string, unknown>[]) => void; reject: (err: Error) => void }
  >();
  let nextId = 1;
  let ended: Error | undefined;
  const endAll = (err: Error) => {
    ended ??= err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  const opened = new Promise<void>((resolve, reject) => waiting.set(0, { resolve: () => resolve(), reject }));
  worker.on("message", (reply: PgliteReply) => {
    const w = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.ok) w?.resolve(reply.rows);
    else w?.reject(replyError(reply));
  });
  worker.on("error", (err) => endAll(err));
  worker.on("exit", (code) => endAll(new Error(`the embedded database thread exited (code ${code})`)));
  const onAbort = () => void worker.terminate();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await opened;
  } catch (err) {
    await worker.terminate();
    throw signal?.aborted ? signal.reason : err;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  const call = (request: DistributiveOmit<PgliteRequest, "id">): Promise<Record<string, unknown>[]> =>
    new Promise((resolve, reject) => {
      if (ended !== undefined) return reject(ended);
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  return {
    query: async <R extends Record<string, unknown>>(sql: string, params?: unknown[]) => ({
      rows: (await call({ op: "query", sql, params })) as R[],
    }),
    exec: async (sql) => {
      await call({ op: "exec", sql });
    },
    close: async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((r) => (timer = setTimeout(r, CLOSE_TIMEOUT_MS)));
      await Promise.race([call({ op: "close" }).catch(() => undefined), timeout]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}

/** `user:secret@` → `user:***@`, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

export interface JournalDatabaseOptions {
  readonly databaseUrl: string | undefined;
  readonly dbPath: string;
  /** Names the holder of the embedded database's lock. */
  readonly owner: string;
  readonly signal?: AbortSignal;
}

export async function openJournalDatabase(options: JournalDatabaseOptions, logger: Logger): Promise<SqlClient> {
  if (options.databaseUrl) {
    logger.info({ database: redactUrl(options.databaseUrl) }, "journal database: postgresql");
    return postgresClient(options.databaseUrl);
  }
  logger.info({ dbPath: options.dbPath }, "journal database: embedded (PGlite, own thread)");
  return embeddedClientOnThread(options.dbPath, options.owner, options.signal);
}
