/**
 * The recorder's CSV directory as a source: `trades.csv` and `books.csv` (docs/market-data.md, "Recorder"),
 * each read as a stream of lines in chunks and merged. Columns are found by header name, in any order;
 * files an older recorder wrote (no `recv_ns`, no `kind`) read with the receipt time = `ts_ns` and every
 * book row a checkpoint. Rows outside the window or the symbols are skipped; a file is read no further
 * than its first row at or past the window's end (the recorder writes in receipt order).
 *
 * Lines are split by hand rather than with a CSV library: the recorder quotes nothing but a text with a
 * comma, quote or newline in it (never in its symbols and ids), and a split is several times faster than
 * a general parser on 40-number book lines; a line with a quote takes the general path (`splitCsvLine`, src/model/csv-line.ts).
 */
import { splitCsvLine } from "../../model/csv-line.js";
import { open, stat, type FileHandle } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import path from "node:path";
import type { BookKind } from "../recorder/rows.js";
import { BOOK_KINDS } from "../recorder/rows.js";
import { RowGate } from "./checks.js";
import { bookEvent, TopicTable, tradeEvent } from "./events.js";
import { eventChunk, HeldRows, type SortedInput } from "./merge.js";
import { MergedSource, probeResult } from "./merged-source.js";
import { SourceError, type ReplayEvent, type SourceOptions, type SourceProbe } from "./source.js";

const CHUNK_BYTES = 1 << 20;
const TRADE_COLUMNS = ["ts_ns", "exchange", "symbol", "price", "amount", "side", "trade_id", "seq"] as const;
const BOOK_COLUMNS = ["ts_ns", "exchange", "symbol", "seq", "bid_px_0", "bid_sz_0", "ask_px_0", "ask_sz_0"] as const;
const KIND_SET: ReadonlySet<string> = new Set(BOOK_KINDS);
const INTEGER = /^\d+$/;
const SIGNED_INTEGER = /^-?\d+$/;

export const TRADES_FILE = "trades.csv";
export const BOOKS_FILE = "books.csv";

/** A file read line by line, in 1 MiB chunks; `next()` gives undefined at the end. */
class LineReader {
  private lines: string[] = [];
  private at = 0;
  private rest = "";
  private readonly decoder = new StringDecoder("utf8");
  private readonly buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private ended = false;
  lineNumber = 0;

  private constructor(private readonly handle: FileHandle) {}

  static async open(file: string): Promise<LineReader> {
    return new LineReader(await open(file, "r"));
  }

  async next(): Promise<string | undefined> {
    while (this.at >= this.lines.length) {
      if (this.ended) return undefined;
      await this.fill();
    }
    this.lineNumber++;
    return this.lines[this.at++];
  }

  close(): Promise<void> {
    this.ended = true;
    return this.handle.close().catch(() => undefined);
  }

  private async fill(): Promise<void> {
    const { bytesRead } = await this.handle.read(this.buffer, 0, CHUNK_BYTES, null);
    let text =
      this.rest + (bytesRead > 0 ? this.decoder.write(this.buffer.subarray(0, bytesRead)) : this.decoder.end());
    if (bytesRead === 0) {
      this.ended = true;
      this.rest = "";
      this.lines = text.length > 0 ? [text] : [];
    } else {
      const cut = text.lastIndexOf("\n");
      this.rest = text.slice(cut + 1);
      text = text.slice(0, cut + 1);
      this.lines = cut < 0 ? [] : text.split("\n");
      this.lines.pop();
    }
    this.at = 0;
    for (let i = 0; i < this.lines.length; i++) {
      const line = this.lines[i];
      if (line.endsWith("\r")) this.lines[i] = line.slice(0, -1);
    }
  }
}

/** Cells of a line; the general path (RFC 4180 quotes) only for a line with a quote in it. */
function cellsOf(line: string): string[] {
  return line.includes('"') ? splitCsvLine(line) : line.split(",");
}

interface Header {
  readonly index: ReadonlyMap<string, number>;
  readonly width: number;
  readonly levels: number;
}

async function readHeader(file: string, required: readonly string[]): Promise<{ reader: LineReader; header: Header }> {
  const name = path.basename(file);
  let reader: LineReader;
  try {
    if (!(await stat(file)).isFile()) throw new SourceError(`${file} is not a file`);
    reader = await LineReader.open(file);
  } catch (err) {
    if (err instanceof SourceError) throw err;
    throw new SourceError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const line = await reader.next();
  if (line === undefined) {
    await reader.close();
    throw new SourceError(`${file} is empty: expected a header line`);
  }
  const cells = cellsOf(line);
  const index = new Map(cells.map((c, i) => [c.trim(), i]));
  const missing = required.filter((c) => !index.has(c));
  if (missing.length > 0) {
    await reader.close();
    throw new SourceError(`${name} (${file}) lacks column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  }
  let levels = 0;
  while (index.has(`bid_px_${levels}`) || index.has(`ask_px_${levels}`)) levels++;
  for (let i = 0; i < levels; i++) {
    const absent = ["bid_px", "bid_sz", "ask_px", "ask_sz"].map((s) => `${s}_${i}`).filter((c) => !index.has(c));
    if (absent.length > 0) {
      await reader.close();
      throw new SourceError(`${name} (${file}) lacks column${absent.length > 1 ? "s" : ""} ${absent.join(", ")}`);
    }
  }
  return { reader, header: { index, width: cells.length, levels } };
}

/** `BigInt` of a plain non-negative integer cell, or undefined. */
function timeCell(cell: string): bigint | undefined {
  return INTEGER.test(cell) ? BigInt(cell) : undefined;
}

type RowResult = ReplayEvent | "bad_row" | "bad_timestamp" | "skip" | "end";

/** One file of the directory as a sorted input; `decode` turns a line's cells into an event. */
class CsvInput implements SortedInput {
  readonly held = new HeldRows();
  private done = false;
  private readonly ts: number;
  private readonly recv: number | undefined;
  private readonly symbol: number;
  private readonly chunk: number;

  constructor(
    readonly name: string,
    private readonly reader: LineReader,
    private readonly header: Header,
    private readonly options: SourceOptions,
    private readonly gate: RowGate,
    private readonly symbols: ReadonlySet<string> | undefined,
    private readonly decode: (cells: string[], tsNs: bigint, recvNs: bigint) => ReplayEvent | "bad_row",
  ) {
    this.ts = header.index.get("ts_ns")!;
    this.recv = header.index.get("recv_ns");
    this.symbol = header.index.get("symbol")!;
    this.chunk = eventChunk(options.batchSize);
  }

  async next(): Promise<ReplayEvent[] | undefined> {
    if (this.done) return undefined;
    const batch: ReplayEvent[] = [];
    while (batch.length < this.chunk) {
      const line = await this.reader.next();
      if (line === undefined) {
        this.done = true;
        break;
      }
      if (line.length === 0) continue;
      const row = this.row(cellsOf(line));
      if (row === "end") {
        this.done = true;
        break;
      }
      if (row === "skip") continue;
      if (typeof row === "string") {
        this.gate.drops.add(row);
        continue;
      }
      if (!this.gate.pass(row)) continue;
      batch.push(row);
      this.held.add(1);
    }
    return batch.length > 0 || !this.done ? batch : undefined;
  }

  close(): Promise<void> {
    this.done = true;
    return this.reader.close();
  }

  private row(cells: string[]): RowResult {
    if (cells.length !== this.header.width) return "bad_row";
    const tsNs = timeCell(cells[this.ts]);
    const recvCell = this.recv === undefined ? undefined : cells[this.recv];
    const recvNs = recvCell === undefined || recvCell === cells[this.ts] ? tsNs : timeCell(recvCell);
    if (tsNs === undefined || recvNs === undefined) return "bad_timestamp";
    const { startNs, endNs } = this.options.window;
    if (recvNs >= endNs) return "end";
    if (recvNs < startNs) return "skip";
    if (this.symbols !== undefined && !this.symbols.has(cells[this.symbol])) return "skip";
    return this.decode(cells, tsNs, recvNs);
  }
}

/** An integer cell (a negative one too: the checks then name it `seq_out_of_range`), or undefined. */
function integerCell(cell: string): number | undefined {
  return SIGNED_INTEGER.test(cell) ? Number(cell) : undefined;
}

function tradeDecoder(header: Header, topics: TopicTable) {
  const [ex, sym, price, amount, side, id, seq] = [
    "exchange",
    "symbol",
    "price",
    "amount",
    "side",
    "trade_id",
    "seq",
  ].map((c) => header.index.get(c)!);
  return (cells: string[], tsNs: bigint, recvNs: bigint): ReplayEvent | "bad_row" => {
    const s = integerCell(cells[seq]);
    if (s === undefined || cells[price] === "" || cells[amount] === "") return "bad_row";
    const sideCell = cells[side] as "buy" | "sell";
    const p = Number(cells[price]);
    const a = Number(cells[amount]);
    return tradeEvent(topics, tsNs, recvNs, cells[ex], cells[sym], p, a, sideCell, cells[id], s);
  };
}

function bookDecoder(header: Header, topics: TopicTable) {
  const { index, levels } = header;
  const [ex, sym, seq] = ["exchange", "symbol", "seq"].map((c) => index.get(c)!);
  const kind = index.get("kind");
  const column = (side: string, i: number) => index.get(`${side}_${i}`)!;
  const bidPxAt = Array.from({ length: levels }, (_, i) => column("bid_px", i));
  const bidSzAt = Array.from({ length: levels }, (_, i) => column("bid_sz", i));
  const askPxAt = Array.from({ length: levels }, (_, i) => column("ask_px", i));
  const askSzAt = Array.from({ length: levels }, (_, i) => column("ask_sz", i));
  return (cells: string[], tsNs: bigint, recvNs: bigint): ReplayEvent | "bad_row" => {
    const s = integerCell(cells[seq]);
    const k = kind === undefined ? "checkpoint" : cells[kind];
    if (s === undefined || !KIND_SET.has(k)) return "bad_row";
    const bidPx: number[] = [];
    const bidSz: number[] = [];
    const askPx: number[] = [];
    const askSz: number[] = [];
    if (!readSide(cells, bidPxAt, bidSzAt, bidPx, bidSz) || !readSide(cells, askPxAt, askSzAt, askPx, askSz))
      return "bad_row";
    return bookEvent(topics, k as BookKind, tsNs, recvNs, cells[ex], cells[sym], s, bidPx, bidSz, askPx, askSz);
  };
}

/** Present levels (both cells set); a level with one cell empty is a bad row. */
function readSide(cells: string[], pxAt: number[], szAt: number[], px: number[], sz: number[]): boolean {
  for (let i = 0; i < pxAt.length; i++) {
    const p = cells[pxAt[i]];
    const s = cells[szAt[i]];
    if (p === "" && s === "") continue;
    if (p === "" || s === "") return false;
    px.push(Number(p));
    sz.push(Number(s));
  }
  return true;
}

export class CsvDirectorySource extends MergedSource {
  private constructor(
    private readonly directory: string,
    options: SourceOptions,
  ) {
    super(`CSV directory ${directory}`, options);
  }

  /** Checks that both files exist and have the columns needed (a `SourceError` naming what lacks). */
  static async open(directory: string, options: SourceOptions): Promise<CsvDirectorySource> {
    const source = new CsvDirectorySource(directory, options);
    const inputs = await source.openInputs();
    await Promise.all(inputs.map((i) => i.close()));
    return source;
  }

  protected async openInputs(): Promise<SortedInput[]> {
    const topics = new TopicTable();
    const symbols = this.options.symbols ? new Set(this.options.symbols) : undefined;
    const trades = await readHeader(path.join(this.directory, TRADES_FILE), TRADE_COLUMNS);
    let books: Awaited<ReturnType<typeof readHeader>>;
    try {
      books = await readHeader(path.join(this.directory, BOOKS_FILE), BOOK_COLUMNS);
    } catch (err) {
      await trades.reader.close();
      throw err;
    }
    const input = (name: string, opened: typeof trades, decode: CsvInput["decode"]) =>
      new CsvInput(name, opened.reader, opened.header, this.options, this.gate(), symbols, decode);
    return [
      input(TRADES_FILE, trades, tradeDecoder(trades.header, topics)),
      input(BOOKS_FILE, books, bookDecoder(books.header, topics)),
    ];
  }

  /** Rows per symbol in the window, before the checks: a scan of both files' time and symbol cells. */
  async probe(): Promise<SourceProbe> {
    const counts = new Map<string, number>();
    for (const [file, required] of [
      [TRADES_FILE, TRADE_COLUMNS],
      [BOOKS_FILE, BOOK_COLUMNS],
    ] as const) {
      const { reader, header } = await readHeader(path.join(this.directory, file), required);
      try {
        await countRows(reader, header, this.options, counts);
      } finally {
        await reader.close();
      }
    }
    return probeResult(this.options.symbols, counts);
  }

  private gate(): RowGate {
    return new RowGate(this.dropCounts, true);
  }
}

async function countRows(reader: LineReader, header: Header, options: SourceOptions, counts: Map<string, number>) {
  const ts = header.index.get("ts_ns")!;
  const recv = header.index.get("recv_ns") ?? ts;
  const sym = header.index.get("symbol")!;
  const wanted = options.symbols ? new Set(options.symbols) : undefined;
  const { startNs, endNs } = options.window;
  for (let line = await reader.next(); line !== undefined; line = await reader.next()) {
    const cells = cellsOf(line);
    const recvNs = cells.length === header.width ? timeCell(cells[recv]) : undefined;
    if (recvNs === undefined) continue;
    if (recvNs >= endNs) break;
    const symbol = cells[sym];
    if (recvNs < startNs || (wanted && !wanted.has(symbol))) continue;
    counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
  }
}
