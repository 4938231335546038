/**
 * CSV output: `trades.csv` (`ts_ns,recv_ns,exchange,symbol,price,amount,side,trade_id,seq`) and `books.csv`
 * (`ts_ns,recv_ns,exchange,symbol,seq,kind,bid_px_0,bid_sz_0,…,ask_px_0,ask_sz_0,…` for N levels, empty
 * cells for absent levels). Numbers are written with JavaScript's shortest round-trip digits, times as
 * exact integers. Writes are buffered and handed to the file streams in 64 KiB chunks.
 */
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import type { BookRecord, RecordSink, TradeRecord } from "./rows.js";

const CHUNK = 64 * 1024;

export const TRADES_CSV_HEADER = "ts_ns,recv_ns,exchange,symbol,price,amount,side,trade_id,seq";

export function booksCsvHeader(levels: number): string {
  const side = (name: string) => Array.from({ length: levels }, (_, i) => `${name}_px_${i},${name}_sz_${i}`).join(",");
  return `ts_ns,recv_ns,exchange,symbol,seq,kind,${side("bid")},${side("ask")}`;
}

class BufferedFile {
  private readonly stream: WriteStream;
  private pending = "";

  constructor(file: string, header: string) {
    this.stream = createWriteStream(file, { flags: "w" });
    this.pending = header + "\n";
  }

  line(text: string): void {
    this.pending += text + "\n";
    if (this.pending.length >= CHUNK) this.flush();
  }

  flush(): void {
    if (this.pending.length > 0) this.stream.write(this.pending);
    this.pending = "";
  }

  async close(): Promise<void> {
    this.flush();
    this.stream.end();
    await once(this.stream, "finish");
  }
}

export class CsvRecordSink implements RecordSink {
  private readonly trades: BufferedFile;
  private readonly books: BufferedFile;

  constructor(
    readonly directory: string,
    private readonly levels: number,
  ) {
    mkdirSync(directory, { recursive: true });
    this.trades = new BufferedFile(path.join(directory, "trades.csv"), TRADES_CSV_HEADER);
    this.books = new BufferedFile(path.join(directory, "books.csv"), booksCsvHeader(levels));
  }

  trade(r: TradeRecord): void {
    this.trades.line(
      `${r.tsNs},${r.recvNs},${csvText(r.exchange)},${csvText(r.symbol)},` +
        `${r.price},${r.amount},${r.side},${csvText(r.tradeId)},${r.seq}`,
    );
  }

  book(r: BookRecord): void {
    let line = `${r.tsNs},${r.recvNs},${csvText(r.exchange)},${csvText(r.symbol)},${r.seq},${r.kind}`;
    for (let i = 0; i < this.levels; i++) line += i < r.bidPx.length ? `,${r.bidPx[i]},${r.bidSz[i]}` : ",,";
    for (let i = 0; i < this.levels; i++) line += i < r.askPx.length ? `,${r.askPx[i]},${r.askSz[i]}` : ",,";
    this.books.line(line);
  }

  async close(): Promise<void> {
    await Promise.all([this.trades.close(), this.books.close()]);
  }
}

/** Wire strings are plain ASCII symbols and ids; quote anything that would break a row, never silently. */
function csvText(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
