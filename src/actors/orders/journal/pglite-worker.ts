import { mkdirSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { FileLock } from "./lock.js";
import type { PgliteReply, PgliteRequest, PgliteWorkerData } from "./pglite-protocol.js";

/**
 * Hosts the embedded PGlite database on a thread of its own: starting PostgreSQL compiled to WebAssembly
 * takes seconds of CPU, and queries run synchronously inside it, neither of which may stall the thread
 * that carries the tick path.
 *
 * The thread holds `<dataDir>.lock` for its whole life: two PGlite instances on one directory corrupt it
 * (WebAssembly `Aborted()`), and the lock, which the thread's end releases, keeps a second one out.
 */
const { dataDir, owner } = workerData as PgliteWorkerData;
const port = parentPort!;

/** WASI errno numbers PGlite's file system reports (an `ErrnoError` carries no message). */
const WASI_ERRNO: Record<number, string> = {
  2: "EACCES",
  19: "EDQUOT",
  29: "EIO",
  44: "ENOENT",
  51: "ENOSPC",
  69: "EROFS",
};

function failure(id: number, err: unknown): PgliteReply {
  const e = err as { message?: unknown; code?: unknown; errno?: unknown } | undefined;
  const errno = typeof e?.errno === "number" ? (WASI_ERRNO[e.errno] ?? `errno ${e.errno}`) : undefined;
  const code = typeof e?.code === "string" ? e.code : errno;
  const described = typeof e?.message === "string" && e.message !== "";
  const message = described ? (e.message as string) : `${code ?? String(err)} in the embedded database`;
  return { id, ok: false, error: message, code };
}

async function open(): Promise<PGlite | undefined> {
  try {
    if (!dataDir.startsWith("memory://")) {
      mkdirSync(dataDir, { recursive: true });
      FileLock.acquire(`${dataDir}.lock`, owner);
    }
    return await PGlite.create(dataDir);
  } catch (err) {
    port.postMessage(failure(0, err));
    port.close();
    return undefined;
  }
}

const db = await open();
if (db !== undefined) {
  port.on("message", async (request: PgliteRequest) => {
    let reply: PgliteReply;
    try {
      if (request.op === "close") {
        await db.close();
        port.postMessage({ id: request.id, ok: true, rows: [] } satisfies PgliteReply);
        port.close();
        return;
      }
      const rows =
        request.op === "exec" ? (await db.exec(request.sql), []) : (await db.query(request.sql, request.params)).rows;
      reply = { id: request.id, ok: true, rows: rows as Record<string, unknown>[] };
    } catch (err) {
      reply = failure(request.id, err);
    }
    port.postMessage(reply);
  });
  port.postMessage({ id: 0, ok: true, rows: [] } satisfies PgliteReply);
}
