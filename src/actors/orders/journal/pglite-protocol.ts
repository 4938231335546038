/** Requests to and replies from the PGlite worker (structured clone; a few per shipping batch). */
export type PgliteRequest =
  | { readonly id: number; readonly op: "query"; readonly sql: string; readonly params?: unknown[] }
  | { readonly id: number; readonly op: "exec"; readonly sql: string }
  | { readonly id: number; readonly op: "close" };

/** Reply `id` 0 announces that the database is open. */
export type PgliteReply = { readonly id: number; readonly ok: true; readonly rows: Record<string, unknown>[] } | { readonly id: number; readonly ok: false; readonly error: string };
