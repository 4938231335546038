import { pino } from "pino";
import type { Command } from "../command.js";
import { UsageError } from "../command.js";
import { numberOption, parseCommandArgs } from "../args.js";
import { DEFAULT_TABLES, PostgresRecordSink, type RecorderTables } from "../../backtest/recorder/postgres-sink.js";
import { writeColumnarFile } from "../../backtest/sources/columnar.js";
import { CsvDirectorySource } from "../../backtest/sources/csv.js";
import { eventRecord } from "../../backtest/sources/events.js";
import { isPostgresUrl, openSource, WHOLE_WINDOW } from "../../backtest/sources/open.js";
import { SourceError, type ReplaySource, type SourceWindow } from "../../backtest/sources/source.js";
import { msToNs } from "../../model/time.js";

const USAGE = [
  "usage: leadlag data convert SRC --out FILE [--start ISO] [--end ISO] [--symbols A,B] [tables]",
  "       leadlag data import DIR --to postgresql://… [tables]",
  "",
  "  convert   write a replay file (Apache Arrow IPC) from SRC: a PostgreSQL URL, a recorder CSV",
  "            directory or another replay file; --start/--end bound the receipt time (ISO dates),",
  "            --symbols keeps those symbols (as recorded, e.g. BTC-USDC-PERP)",
  "  import    load a recorder CSV directory into PostgreSQL with COPY (tables created if missing)",
  "",
  "  tables: --trade-table T (default trades), --book-table B (default ob_snapshots)",
  "  --batch-size N   rows per batch (default 20000)",
  "",
  "Prints one JSON line: rows written, rows skipped by reason. Formats: docs/backtest.md, docs/market-data.md.",
].join("\n");

const OPTIONS = {
  out: { type: "string" },
  to: { type: "string" },
  start: { type: "string" },
  end: { type: "string" },
  symbols: { type: "string" },
  "trade-table": { type: "string" },
  "book-table": { type: "string" },
  "batch-size": { type: "string" },
} as const;

export const dataCommand: Command = {
  name: "data",
  summary: "convert recorded market data to a replay file, or import recorder CSV into PostgreSQL",
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS);
    const [action, source, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    const tables: RecorderTables = {
      trades: values["trade-table"] ?? DEFAULT_TABLES.trades,
      books: values["book-table"] ?? DEFAULT_TABLES.books,
    };
    const batchSize = numberOption("batch-size", values["batch-size"], 20000);
    if (!(Number.isInteger(batchSize) && batchSize > 0))
      throw new UsageError(`--batch-size must be a positive integer, got '${values["batch-size"]}'`);
    if (action !== "convert" && action !== "import")
      throw new UsageError(action ? `unknown action '${action}'` : "name an action: convert or import");
    if (!source) throw new UsageError(`${action} needs a source`);
    try {
      if (action === "convert") {
        if (!values.out) throw new UsageError("convert needs --out FILE");
        const window = windowOf(values.start, values.end);
        const symbols = values.symbols?.split(",").filter((s) => s.length > 0);
        return await convert(await openSource(source, { window, symbols, batchSize }, tables), values.out);
      }
      if (!values.to || !isPostgresUrl(values.to)) throw new UsageError("import needs --to postgresql://…");
      if (values.start || values.end || values.symbols) throw new UsageError("import loads the whole directory");
      return await importCsv(source, values.to, tables, batchSize);
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      process.stderr.write(`leadlag data: ${err.message}\n`);
      return 1;
    }
  },
};

function windowOf(start: string | undefined, end: string | undefined): SourceWindow {
  const at = (name: string, iso: string | undefined, fallback: bigint) => {
    if (iso === undefined) return fallback;
    const ms = Date.parse(iso);
    if (!Number.isFinite(ms)) throw new UsageError(`--${name} must be an ISO date, got '${iso}'`);
    return msToNs(ms);
  };
  const window = { startNs: at("start", start, WHOLE_WINDOW.startNs), endNs: at("end", end, WHOLE_WINDOW.endNs) };
  if (!(window.startNs < window.endNs)) throw new UsageError("--start must be before --end");
  return window;
}

async function convert(source: ReplaySource, out: string): Promise<number> {
  try {
    const written = await writeColumnarFile(source, out);
    report({ from: source.description, out, rows: written.rows, bytes: written.bytes, skipped: source.drops() });
    return 0;
  } finally {
    await source.close();
  }
}

async function importCsv(directory: string, url: string, tables: RecorderTables, batchSize: number): Promise<number> {
  const source = await CsvDirectorySource.open(directory, { window: WHOLE_WINDOW, batchSize });
  let sink: PostgresRecordSink;
  try {
    sink = await PostgresRecordSink.open({ url, logger: pino({ level: "silent" }), tables, batchRows: batchSize });
  } catch (err) {
    await source.close();
    throw new SourceError((err as Error).message);
  }
  let trades = 0;
  let books = 0;
  try {
    for await (const batch of source.batches()) {
      for (const event of batch) {
        const row = eventRecord(event);
        if ("trade" in row) {
          sink.trade(row.trade);
          trades++;
        } else {
          sink.book(row.book);
          books++;
        }
      }
    }
  } finally {
    await source.close();
    await sink.close();
  }
  report({ from: source.description, to: tables, trades, books, skipped: source.drops() });
  return 0;
}

function report(fields: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(fields) + "\n");
}
