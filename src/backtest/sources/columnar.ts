/**
 * The columnar replay file: Apache Arrow IPC (file format), written by `leadlag data convert` from any
 * source and read back as a source. Why Arrow IPC rather than Parquet or DuckDB: docs/backtest.md
 * ("Data sources"); in short, its columns are the typed arrays the decoder reads, with no decompression
 * or value conversion, which measured several times faster to decode for a larger file.
 *
 * Layout: one table, rows in replay order (`compareEvents`), in record batches of `FILE_BATCH_ROWS`:
 *
 * | column | type | |
 * |---|---|---|
 * | `recv_ns`, `ts_ns` | int64 | local receipt time, exchange-side time |
 * | `stream` | uint16 | index into the schema metadata `leadlag.streams`: JSON `[[exchange, stream, symbol], …]` |
 * | `seq` | float64 | exact below 2^53 (the feed's bound) |
 * | `price`, `amount` | float64 | trades (0 on book rows) |
 * | `side` | uint8 | trades: 1 buy, 2 sell (0 on book rows) |
 * | `trade_id` | utf8 | trades ("" on book rows) |
 * | `bid_px`, `bid_sz`, `ask_px`, `ask_sz` | list<float64> | books, best first (empty on trades and `invalid` rows) |
 *
 * The book kind is the stream's: `preprocessed_book_ckpt` = checkpoint, `preprocessed_book` = snapshot,
 * `preprocessed_book_delta` = invalid. Schema metadata `leadlag.format` = `leadlag-replay/1`.
 */
import { createWriteStream } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import { finished } from "node:stream/promises";
import {
  Field,
  Float64,
  List,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchReader,
  Schema,
  Struct,
  Int64,
  Uint16,
  Uint8,
  Utf8,
  type Data,
  type DataType,
} from "apache-arrow";
import type { MarketstreamStream } from "../../protocol/wire/marketstream.js";
import { RowGate } from "./checks.js";
import { bookEvent, TopicTable, tradeEvent } from "./events.js";
import { eventChunk, HeldRows, type SortedInput } from "./merge.js";
import { MergedSource, probeResult } from "./merged-source.js";
import { SourceError, type ReplayEvent, type ReplaySource, type SourceOptions, type SourceProbe } from "./source.js";
import type { BookKind } from "../recorder/rows.js";

export const FILE_FORMAT = "leadlag-replay/1";
/** Rows per record batch: what the reader loads at once (~5 MB of book rows). */
export const FILE_BATCH_ROWS = 16384;

const COLUMNS = [
  "recv_ns",
  "ts_ns",
  "stream",
  "seq",
  "price",
  "amount",
  "side",
  "trade_id",
  "bid_px",
  "bid_sz",
  "ask_px",
  "ask_sz",
] as const;
const LEVELS = ["bid_px", "bid_sz", "ask_px", "ask_sz"] as const;
const KIND_OF_STREAM: Partial<Record<MarketstreamStream, BookKind>> = {
  preprocessed_book_ckpt: "checkpoint",
  preprocessed_book: "snapshot",
  preprocessed_book_delta: "invalid",
};

const levelList = () => new List(new Field("item", new Float64(), false));

function fileSchema(streams: readonly (readonly [string, MarketstreamStream, string])[]): Schema {
  const field = (name: string, type: DataType) => new Field(name, type, false);
  const fields = [
    field("recv_ns", new Int64()),
    field("ts_ns", new Int64()),
    field("stream", new Uint16()),
    field("seq", new Float64()),
    field("price", new Float64()),
    field("amount", new Float64()),
    field("side", new Uint8()),
    field("trade_id", new Utf8()),
    ...LEVELS.map((n) => field(n, levelList())),
  ];
  return new Schema(
    fields,
    new Map([
      ["leadlag.format", FILE_FORMAT],
      ["leadlag.streams", JSON.stringify(streams)],
    ]),
  );
}

/** Column buffers of one record batch being written. */
class BatchBuilder {
  readonly recv = new BigInt64Array(FILE_BATCH_ROWS);
  readonly ts = new BigInt64Array(FILE_BATCH_ROWS);
  readonly stream = new Uint16Array(FILE_BATCH_ROWS);
  readonly seq = new Float64Array(FILE_BATCH_ROWS);
  readonly price = new Float64Array(FILE_BATCH_ROWS);
  readonly amount = new Float64Array(FILE_BATCH_ROWS);
  readonly side = new Uint8Array(FILE_BATCH_ROWS);
  private tradeIds: string[] = [];
  private readonly levels = LEVELS.map(() => ({ offsets: [0], values: [] as number[] }));
  rows = 0;

  add(event: ReplayEvent, streamIndex: number): void {
    const i = this.rows++;
    const { wire } = event;
    this.recv[i] = event.recvNs;
    this.ts[i] = event.exchTsNs;
    this.stream[i] = streamIndex;
    this.seq[i] = wire.seq;
    let sides: readonly (readonly number[])[] = [[], [], [], []];
    if ("trade_id" in wire) {
      this.price[i] = wire.price;
      this.amount[i] = wire.amount;
      this.side[i] = wire.side === "buy" ? 1 : 2;
      this.tradeIds.push(wire.trade_id);
    } else {
      this.price[i] = 0;
      this.amount[i] = 0;
      this.side[i] = 0;
      this.tradeIds.push("");
      if ("bid_px" in wire) sides = [wire.bid_px, wire.bid_sz, wire.ask_px, wire.ask_sz];
      else if ("bids" in wire) {
        const { bids, asks } = wire;
        sides = [bids.map((l) => l[0]), bids.map((l) => l[1]), asks.map((l) => l[0]), asks.map((l) => l[1])];
      }
    }
    for (let s = 0; s < 4; s++) {
      const list = this.levels[s];
      for (const v of sides[s]) list.values.push(v);
      list.offsets.push(list.values.length);
    }
  }

  /** The rows so far as a record batch; the builder starts empty again. */
  take(schema: Schema): RecordBatch {
    const n = this.rows;
    // makeData's props are a union per data type; each column below pairs a type with its typed array.
    const prim = (type: DataType, values: ArrayLike<unknown>) =>
      makeData({ type, length: n, nullCount: 0, data: values } as unknown as Parameters<typeof makeData>[0]) as Data;
    const ids = Buffer.from(this.tradeIds.join(""), "utf8");
    const idOffsets = new Int32Array(n + 1);
    for (let i = 0, at = 0; i < n; i++) idOffsets[i + 1] = at += Buffer.byteLength(this.tradeIds[i], "utf8");
    const lists = this.levels.map(({ offsets, values }) =>
      makeData({
        type: levelList(),
        length: n,
        nullCount: 0,
        valueOffsets: Int32Array.from(offsets),
        child: makeData({ type: new Float64(), length: values.length, nullCount: 0, data: Float64Array.from(values) }),
      }),
    );
    const children = [
      prim(new Int64(), this.recv.slice(0, n)),
      prim(new Int64(), this.ts.slice(0, n)),
      prim(new Uint16(), this.stream.slice(0, n)),
      prim(new Float64(), this.seq.slice(0, n)),
      prim(new Float64(), this.price.slice(0, n)),
      prim(new Float64(), this.amount.slice(0, n)),
      prim(new Uint8(), this.side.slice(0, n)),
      makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: idOffsets, data: ids }),
      ...lists,
    ];
    const data = makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children });
    this.rows = 0;
    this.tradeIds = [];
    for (const l of this.levels) {
      l.offsets = [0];
      l.values = [];
    }
    return new RecordBatch(schema, data);
  }
}

/**
 * Writes every event of `source` to `file` (Arrow IPC file). The stream table is only known at the end,
 * and Arrow writes the schema first: the batches go to `file.partial` with a provisional schema, then are
 * copied under the final one (the copy costs I/O only). Returns rows written and bytes.
 */
export async function writeColumnarFile(source: ReplaySource, file: string): Promise<{ rows: number; bytes: number }> {
  const partial = `${file}.partial`;
  const streams: [string, MarketstreamStream, string][] = [];
  const indexOf = new Map<string, number>();
  const provisional = fileSchema([]);
  let rows = 0;
  try {
    await writeBatches(partial, provisional, async function* () {
      const builder = new BatchBuilder();
      for await (const batch of source.batches()) {
        for (const event of batch) {
          const { exchange, stream, symbol } = event.topic;
          let index = indexOf.get(event.topic.name);
          if (index === undefined) {
            index = streams.length;
            if (index > 0xffff) throw new SourceError(`more than 65536 streams: ${event.topic.name}`);
            streams.push([exchange, stream, symbol]);
            indexOf.set(event.topic.name, index);
          }
          builder.add(event, index);
          rows++;
          if (builder.rows === FILE_BATCH_ROWS) yield builder.take(provisional);
        }
      }
      if (builder.rows > 0) yield builder.take(provisional);
    });
    const schema = fileSchema(streams);
    const reader = await RecordBatchReader.from(await open(partial, "r"));
    try {
      await writeBatches(`${file}.tmp`, schema, async function* () {
        for await (const batch of reader) yield new RecordBatch(schema, batch.data);
      });
    } finally {
      await reader.cancel();
    }
    await rename(`${file}.tmp`, file);
  } finally {
    await rm(partial, { force: true });
    await rm(`${file}.tmp`, { force: true });
  }
  return { rows, bytes: (await stat(file)).size };
}

async function writeBatches(file: string, schema: Schema, batches: () => AsyncGenerator<RecordBatch>): Promise<void> {
  const writer = new RecordBatchFileWriter();
  const out = writer.toNodeStream().pipe(createWriteStream(file));
  writer.reset(undefined, schema);
  for await (const batch of batches()) writer.write(batch);
  writer.finish();
  await finished(out);
}

type FileReader = Awaited<ReturnType<typeof openReader>>;

async function openReader(file: string) {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch (err) {
    throw new SourceError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const reader = await RecordBatchReader.from(handle);
    await reader.open();
    return reader;
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw new SourceError(`${file} is not an Arrow IPC file: ${(err as Error).message.split("\n")[0]}`);
  }
}

interface FileLayout {
  readonly topics: TopicTable;
  /** Topic per stream index. */
  readonly byIndex: ReturnType<TopicTable["get"]>[];
}

/** Checks the format, the columns, and reads the stream table. */
function layoutOf(file: string, schema: Schema): FileLayout {
  const names = new Set(schema.fields.map((f) => f.name));
  const missing = COLUMNS.filter((c) => !names.has(c));
  if (missing.length > 0)
    throw new SourceError(`${file} lacks column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  if (schema.metadata.get("leadlag.format") !== FILE_FORMAT)
    throw new SourceError(`${file}: not a leadlag replay file (metadata leadlag.format is not ${FILE_FORMAT})`);
  let streams: [string, MarketstreamStream, string][];
  try {
    streams = JSON.parse(schema.metadata.get("leadlag.streams") ?? "");
  } catch {
    throw new SourceError(`${file}: metadata leadlag.streams is not JSON`);
  }
  const topics = new TopicTable();
  return { topics, byIndex: streams.map(([e, s, y]) => topics.get(e, s, y)) };
}

/** The columns of one record batch, as the typed arrays Arrow holds them in. */
function columnsOf(batch: RecordBatch) {
  const col = (name: string) => batch.getChild(name)!.data[0];
  const list = (name: string) => {
    const d = col(name);
    return { offsets: d.valueOffsets as Int32Array, values: d.children[0].values as Float64Array };
  };
  const ids = col("trade_id");
  return {
    recv: col("recv_ns").values as BigInt64Array,
    ts: col("ts_ns").values as BigInt64Array,
    stream: col("stream").values as Uint16Array,
    seq: col("seq").values as Float64Array,
    price: col("price").values as Float64Array,
    amount: col("amount").values as Float64Array,
    side: col("side").values as Uint8Array,
    idOffsets: ids.valueOffsets as Int32Array,
    idBytes: Buffer.from(ids.values.buffer, ids.values.byteOffset, ids.values.byteLength),
    levels: LEVELS.map(list),
  };
}

function levelsAt(list: { offsets: Int32Array; values: Float64Array }, row: number): number[] {
  const from = list.offsets[row];
  const to = list.offsets[row + 1];
  const out = new Array<number>(to - from);
  for (let j = from; j < to; j++) out[j - from] = list.values[j];
  return out;
}

class ColumnarInput implements SortedInput {
  readonly held = new HeldRows();
  private columns: ReturnType<typeof columnsOf> | undefined;
  private rows = 0;
  private row = 0;
  private done = false;
  private readonly chunk: number;
  private readonly wanted: ReadonlySet<string> | undefined;

  constructor(
    readonly name: string,
    private readonly reader: FileReader,
    private readonly layout: FileLayout,
    private readonly options: SourceOptions,
    private readonly gate: RowGate,
  ) {
    this.chunk = eventChunk(options.batchSize);
    this.wanted = options.symbols ? new Set(options.symbols) : undefined;
  }

  async next(): Promise<ReplayEvent[] | undefined> {
    if (this.done) return undefined;
    if (this.row >= this.rows && !(await this.load())) {
      this.done = true;
      return undefined;
    }
    const c = this.columns!;
    const { startNs, endNs } = this.options.window;
    const out: ReplayEvent[] = [];
    const topicAt = this.layout.byIndex;
    const topics = this.layout.topics;
    while (this.row < this.rows && out.length < this.chunk) {
      const i = this.row++;
      const recvNs = c.recv[i];
      if (recvNs < startNs) continue;
      if (recvNs >= endNs) {
        this.done = true;
        break;
      }
      const topic = topicAt[c.stream[i]];
      if (topic === undefined) {
        this.gate.drops.add("bad_row");
        continue;
      }
      if (this.wanted !== undefined && !this.wanted.has(topic.symbol)) continue;
      const tsNs = c.ts[i];
      const { exchange, symbol } = topic;
      const event =
        topic.stream === "preprocessed_trades"
          ? tradeEvent(
              topics,
              tsNs,
              recvNs === tsNs ? tsNs : recvNs,
              exchange,
              symbol,
              c.price[i],
              c.amount[i],
              c.side[i] === 1 ? "buy" : c.side[i] === 2 ? "sell" : (String(c.side[i]) as "buy"),
              c.idBytes.toString("utf8", c.idOffsets[i], c.idOffsets[i + 1]),
              c.seq[i],
            )
          : bookEvent(
              topics,
              KIND_OF_STREAM[topic.stream]!,
              tsNs,
              recvNs,
              exchange,
              symbol,
              c.seq[i],
              levelsAt(c.levels[0], i),
              levelsAt(c.levels[1], i),
              levelsAt(c.levels[2], i),
              levelsAt(c.levels[3], i),
            );
      if (!this.gate.pass(event)) continue;
      out.push(event);
    }
    this.held.add(out.length);
    return out;
  }

  close(): Promise<void> {
    this.done = true;
    return this.reader.cancel();
  }

  /** The next record batch that reaches the window; false at the end. */
  private async load(): Promise<boolean> {
    for (;;) {
      const { value: batch, done } = await this.reader.next();
      if (done) return false;
      const columns = columnsOf(batch);
      if (batch.numRows === 0 || columns.recv[batch.numRows - 1] < this.options.window.startNs) continue;
      this.columns = columns;
      this.rows = batch.numRows;
      this.row = 0;
      return true;
    }
  }
}

export class ColumnarFileSource extends MergedSource {
  private constructor(
    private readonly file: string,
    options: SourceOptions,
  ) {
    super(`replay file ${file}`, options);
  }

  /** Checks that the file is a replay file with every column (a `SourceError` naming what lacks). */
  static async open(file: string, options: SourceOptions): Promise<ColumnarFileSource> {
    const reader = await openReader(file);
    try {
      layoutOf(file, reader.schema);
    } finally {
      await reader.cancel();
    }
    return new ColumnarFileSource(file, options);
  }

  /** Rows per symbol in the window: a scan of the time and stream columns. */
  async probe(): Promise<SourceProbe> {
    const reader = await openReader(this.file);
    const counts = new Map<string, number>();
    try {
      const { byIndex } = layoutOf(this.file, reader.schema);
      const { startNs, endNs } = this.options.window;
      const wanted = this.options.symbols ? new Set(this.options.symbols) : undefined;
      for await (const batch of reader) {
        const { recv, stream } = columnsOf(batch);
        for (let i = 0; i < batch.numRows; i++) {
          if (recv[i] < startNs || recv[i] >= endNs) continue;
          const symbol = byIndex[stream[i]]?.symbol;
          if (symbol === undefined || (wanted && !wanted.has(symbol))) continue;
          counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
        }
      }
    } finally {
      await reader.cancel();
    }
    return probeResult(this.options.symbols, counts);
  }

  protected async openInputs(): Promise<SortedInput[]> {
    const reader = await openReader(this.file);
    const layout = layoutOf(this.file, reader.schema);
    return [new ColumnarInput(this.file, reader, layout, this.options, new RowGate(this.dropCounts, true))];
  }
}
