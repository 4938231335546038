import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { Logger } from "pino";
import type { SqlClient } from "./store.js";

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

/** `user:secret@` → `user:***@`, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

export async function openJournalDatabase(options: { databaseUrl: string | undefined; dbPath: string }, logger: Logger): Promise<SqlClient> {
  if (options.databaseUrl) {
    logger.info({ database: redactUrl(options.databaseUrl) }, "journal database: postgresql");
    return postgresClient(options.databaseUrl);
  }
  logger.info({ dbPath: options.dbPath }, "journal database: embedded (PGlite)");
  return embeddedClient(options.dbPath);
}
