import type { OrderEvent } from "../events.js";
import { MIGRATIONS } from "./migrations.js";
import type { JournalRecord } from "./record.js";
import { decodeEvent } from "./record.js";

/**
 * The journal's database tier. Same schema and SQL on PostgreSQL (`pg`) and on the embedded PGlite:
 * both are reached through this two-method client. Inserts are idempotent by `(account_id, seq)`, so
 * shipping a batch again after a crash changes nothing.
 */

export interface SqlClient {
  query<R extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class JournalStore {
  private readonly schema: string;

  constructor(
    private readonly client: SqlClient,
    schema = "public",
  ) {
    if (!SCHEMA_NAME.test(schema)) throw new Error(`journal schema name must match ${SCHEMA_NAME}, got '${schema}'`);
    this.schema = `"${schema}"`;
  }

  /** Applies missing migrations, each in its own transaction. Returns the versions applied now. */
  async migrate(): Promise<number[]> {
    await this.client.exec(
      `CREATE SCHEMA IF NOT EXISTS ${this.schema};
       CREATE TABLE IF NOT EXISTS ${this.schema}.schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());`,
    );
    const { rows } = await this.client.query<{ version: number }>(
      `SELECT version FROM ${this.schema}.schema_migrations`,
    );
    const applied = new Set(rows.map((r) => Number(r.version)));
    const now: number[] = [];
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await this.client.exec(
        `BEGIN;
         ${m.sql.replaceAll("{schema}", this.schema)}
         INSERT INTO ${this.schema}.schema_migrations (version, name) VALUES (${m.version}, '${m.name}');
         COMMIT;`,
      );
      now.push(m.version);
    }
    return now;
  }

  async maxSeq(accountId: string): Promise<bigint> {
    const { rows } = await this.client.query<{ max: string | null }>(
      `SELECT max(seq)::text AS max FROM ${this.schema}.journal_events WHERE account_id = $1`,
      [accountId],
    );
    return rows[0]?.max ? BigInt(rows[0].max) : 0n;
  }

  /** One statement per batch (arrays unnested server-side); rows already present are skipped. */
  async insert(accountId: string, records: readonly JournalRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    const seqs: string[] = [];
    const types: string[] = [];
    const clIds: (string | null)[] = [];
    const ts: string[] = [];
    const payloads: string[] = [];
    const raws: string[] = [];
    for (const r of records) {
      seqs.push(r.seq.toString());
      types.push(r.event.type);
      clIds.push(clIdOf(r.event));
      ts.push(timeOf(r.event).toString());
      payloads.push(JSON.stringify(r.event, bigintAsString));
      raws.push(Buffer.from(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength).toString("base64"));
    }
    const { rows } = await this.client.query<{ n: number }>(
      `WITH ins AS (
         INSERT INTO ${this.schema}.journal_events (account_id, seq, type, cl_id, ts_ns, payload, raw)
         SELECT $1, u.seq::bigint, u.type, u.cl_id, u.ts_ns::bigint, u.payload::jsonb, decode(u.raw, 'base64')
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
           AS u(seq, type, cl_id, ts_ns, payload, raw)
         ON CONFLICT (account_id, seq) DO NOTHING
         RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
      [accountId, seqs, types, clIds, ts, payloads, raws],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Records after `afterSeq`, in order, decoded from the stored raw bytes (restoring a lost local log). */
  async recordsAfter(accountId: string, afterSeq: bigint, limit = 10_000): Promise<JournalRecord[]> {
    const { rows } = await this.client.query<{ seq_text: string; raw: string }>(
      `SELECT e.seq::text AS seq_text, encode(e.raw, 'base64') AS raw FROM ${this.schema}.journal_events e
       WHERE e.account_id = $1 AND e.seq > $2::bigint ORDER BY e.seq LIMIT $3`,
      [accountId, afterSeq.toString(), limit],
    );
    return rows.map((r) => {
      const payload = Buffer.from(r.raw, "base64");
      return { seq: BigInt(r.seq_text), event: decodeEvent(payload), payload };
    });
  }

  async count(accountId: string): Promise<number> {
    const { rows } = await this.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${this.schema}.journal_events WHERE account_id = $1`,
      [accountId],
    );
    return Number(rows[0]?.n ?? 0);
  }
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

function clIdOf(event: OrderEvent): string | null {
  return "clId" in event ? event.clId : null;
}

function timeOf(event: OrderEvent): bigint {
  return "tsNs" in event ? event.tsNs : event.recvNs;
}
