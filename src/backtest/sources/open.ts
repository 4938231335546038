/** Opens the source a `--from` / `SRC` argument names: a PostgreSQL URL, a recorder CSV directory, or a replay file. */
import { stat } from "node:fs/promises";
import { DEFAULT_TABLES, type RecorderTables } from "../recorder/postgres-sink.js";
import { ColumnarFileSource } from "./columnar.js";
import { CsvDirectorySource } from "./csv.js";
import { PostgresSource } from "./postgres.js";
import { SourceError, type ReplaySource, type SourceOptions } from "./source.js";

export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//.test(spec);
}

export async function openSource(
  spec: string,
  options: SourceOptions,
  tables: RecorderTables = DEFAULT_TABLES,
): Promise<ReplaySource> {
  if (isPostgresUrl(spec)) return PostgresSource.open(spec, tables, options);
  const info = await stat(spec).catch(() => undefined);
  if (info === undefined) throw new SourceError(`${spec}: no such file or directory`);
  return info.isDirectory() ? CsvDirectorySource.open(spec, options) : ColumnarFileSource.open(spec, options);
}

/** The whole recording: every receipt time, every symbol. */
export const WHOLE_WINDOW = { startNs: 0n, endNs: (1n << 63n) - 1n } as const;
