/**
 * Versioned schema of the journal database, applied in order and recorded in `schema_migrations`.
 * Append new versions; never edit an applied one. `{schema}` is replaced by the quoted schema name.
 * The same SQL runs on PostgreSQL and on the embedded PGlite.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "journal_events",
    sql: `
      CREATE TABLE {schema}.journal_events (
        account_id text        NOT NULL,
        seq        bigint      NOT NULL,
        type       text        NOT NULL,
        cl_id      text,
        ts_ns      bigint      NOT NULL,
        payload    jsonb       NOT NULL,
        raw        bytea       NOT NULL,
        shipped_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, seq)
      );
      CREATE INDEX journal_events_cl_id ON {schema}.journal_events (account_id, cl_id);
      CREATE INDEX journal_events_type_ts ON {schema}.journal_events (account_id, type, ts_ns);`,
  },
];
