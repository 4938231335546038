import { mkdirSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import type { PgliteReply, PgliteRequest } from "./pglite-protocol.js";

/**
 * Hosts the embedded PGlite database on a thread of its own: starting PostgreSQL compiled to WebAssembly
 * takes seconds of CPU, and queries run synchronously inside it, neither of which may stall the thread
 * that carries the tick path.
 */
const { dataDir } = workerData as { dataDir: string };
if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
const db = await PGlite.create(dataDir);
const port = parentPort!;

port.on("message", async (request: PgliteRequest) => {
  let reply: PgliteReply;
  try {
    if (request.op === "close") {
      await db.close();
      reply = { id: request.id, ok: true, rows: [] };
      port.postMessage(reply);
      port.close();
      return;
    }
    const rows = request.op === "exec" ? (await db.exec(request.sql), []) : (await db.query(request.sql, request.params)).rows;
    reply = { id: request.id, ok: true, rows: rows as Record<string, unknown>[] };
  } catch (err) {
    reply = { id: request.id, ok: false, error: (err as Error).message };
  }
  port.postMessage(reply);
});
port.postMessage({ id: 0, ok: true, rows: [] } satisfies PgliteReply);
