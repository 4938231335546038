import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

/** One trade print from a CSV file; `line` is the 1-based line number in the file. */
export interface TradeRow {
  readonly line: number;
  readonly tsNs: bigint;
  readonly symbol: string;
  readonly price: number;
  readonly amount: number;
  readonly side: "buy" | "sell";
}

export interface BadRow {
  readonly line: number;
  readonly reason: string;
}

export interface TradesCsvSummary {
  readonly rows: number;
  readonly badRows: number;
  /** The first bad rows with their reasons (all of them are counted in `badRows`). */
  readonly badRowSamples: readonly BadRow[];
}

/** The header itself is unusable: nothing in the file can be read. */
export class TradesCsvHeaderError extends Error {
  override readonly name = "TradesCsvHeaderError";
}

export const REQUIRED_COLUMNS = ["ts_ns", "symbol", "price", "amount", "side"] as const;
const MAX_BAD_ROW_SAMPLES = 100;
const DIGITS = /^\d+$/;

type TradesCsvColumns = Record<(typeof REQUIRED_COLUMNS)[number], number>;

/**
 * Streams a trades CSV (header line, then one trade per line; extra columns ignored; no quoted fields).
 * Rows that fail to parse are counted with their line numbers and skipped: a bad row never aborts the file.
 * `ts_ns` is parsed as a BigInt, exactly.
 */
export async function readTradesCsv(path: string, onRow: (row: TradeRow) => void): Promise<TradesCsvSummary> {
  const lines = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  let columns: TradesCsvColumns | undefined;
  let lineNumber = 0;
  let rows = 0;
  let badRows = 0;
  const badRowSamples: BadRow[] = [];
  for await (const text of lines) {
    lineNumber++;
    if (columns === undefined) {
      columns = parseHeader(text);
      continue;
    }
    if (text.trim() === "") continue;
    const parsed = parseTradeLine(text, columns, lineNumber);
    if (typeof parsed === "string") {
      badRows++;
      if (badRowSamples.length < MAX_BAD_ROW_SAMPLES) badRowSamples.push({ line: lineNumber, reason: parsed });
      continue;
    }
    rows++;
    onRow(parsed);
  }
  if (columns === undefined)
    throw new TradesCsvHeaderError(`${path} is empty: expected a header with ${REQUIRED_COLUMNS.join(",")}`);
  return { rows, badRows, badRowSamples };
}

function parseHeader(text: string): TradesCsvColumns {
  const names = text
    .replace(/^\uFEFF/, "")
    .split(",")
    .map((name) => name.trim());
  const missing = REQUIRED_COLUMNS.filter((name) => !names.includes(name));
  if (missing.length > 0) throw new TradesCsvHeaderError(`header lacks column(s) ${missing.join(", ")}: '${text}'`);
  return Object.fromEntries(REQUIRED_COLUMNS.map((name) => [name, names.indexOf(name)])) as TradesCsvColumns;
}

/** A parsed row, or the reason it is bad. */
function parseTradeLine(text: string, columns: TradesCsvColumns, line: number): TradeRow | string {
  const fields = text.split(",");
  const field = (name: keyof TradesCsvColumns): string => (fields[columns[name]] ?? "").trim();
  const ts = field("ts_ns");
  if (!DIGITS.test(ts)) return `ts_ns '${ts}' is not a non-negative integer`;
  const symbol = field("symbol");
  if (symbol === "") return "symbol is empty";
  const price = Number(field("price"));
  if (!(Number.isFinite(price) && price > 0) || field("price") === "")
    return `price '${field("price")}' is not a positive number`;
  const amount = Number(field("amount"));
  if (!(Number.isFinite(amount) && amount >= 0) || field("amount") === "")
    return `amount '${field("amount")}' is not a non-negative number`;
  const side = field("side").toLowerCase();
  if (side !== "buy" && side !== "sell") return `side '${field("side")}' is neither buy nor sell`;
  return { line, tsNs: BigInt(ts), symbol, price, amount, side };
}
