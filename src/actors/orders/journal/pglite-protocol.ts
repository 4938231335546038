/** Requests to and replies from the PGlite worker (structured clone; a few per shipping batch). */
export type PgliteRequest =
  | { readonly id: number; readonly op: "query"; readonly sql: string; readonly params?: unknown[] }
  | { readonly id: number; readonly op: "exec"; readonly sql: string }
  | { readonly id: number; readonly op: "close" };

/**
 * Reply `id` 0 announces that the database is open (or why it could not be). `code` is PostgreSQL's
 * SQLSTATE (`53100` disk full) or the file system's error (`ENOSPC`), when known.
 */
export type PgliteReply =
  | { readonly id: number; readonly ok: true; readonly rows: Record<string, unknown>[] }
  | { readonly id: number; readonly ok: false; readonly error: string; readonly code?: string };

/** The workerData of the PGlite worker. */
export interface PgliteWorkerData {
  readonly dataDir: string;
  /** Names the holder in the directory's lock file (`orders incarnation 3`). */
  readonly owner: string;
}
