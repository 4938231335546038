/**
 * One table's `COPY … TO STDOUT (FORMAT binary)` stream, split into tuples as the bytes arrive and
 * decoded (postgres-rows.ts) as the merge asks for events. What is held: the network chunk being parsed
 * (with the unparsed tail of the one before it) and one event chunk.
 */
import type pg from "pg";
import type { Readable } from "node:stream";
import type { RowGate } from "./checks.js";
import { viewOf } from "../recorder/packed-levels.js";
import { eventChunk, HeldRows, type SortedInput } from "./merge.js";
import { type RowDecoder, TupleFields } from "./postgres-rows.js";
import { SourceError, type ReplayEvent } from "./source.js";

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

export class CopyInput implements SortedInput {
  readonly held = new HeldRows();
  private readonly chunks: AsyncIterator<Buffer>;
  private buf: Buffer = Buffer.alloc(0);
  private view = viewOf(this.buf);
  private pos = 0;
  private headerRead = false;
  private done = false;
  private readonly fields = new TupleFields();
  private readonly chunk: number;

  constructor(
    readonly name: string,
    private readonly client: pg.Client,
    private readonly stream: Readable,
    batchSize: number,
    private readonly gate: RowGate,
    private readonly decoder: RowDecoder,
  ) {
    this.chunks = stream[Symbol.asyncIterator]();
    this.chunk = eventChunk(batchSize);
  }

  async next(): Promise<ReplayEvent[] | undefined> {
    if (this.done) return undefined;
    const out: ReplayEvent[] = [];
    while (out.length < this.chunk) {
      const tuple = this.tuple();
      if (tuple === "more") {
        if (!(await this.read())) throw new SourceError(`table ${this.name}: the COPY stream ended mid-row`);
        continue;
      }
      if (tuple === "end") {
        this.done = true;
        break;
      }
      const event = this.decoder.decode(this.buf, this.view, this.fields);
      if (event === undefined) this.gate.drops.add("bad_row");
      else if (this.gate.pass(event)) out.push(event);
    }
    this.held.add(out.length);
    return out;
  }

  async close(): Promise<void> {
    if (!this.done) this.stream.destroy();
    this.done = true;
    await this.client.end().catch(() => undefined);
  }

  /** Locates the next tuple's fields in the buffer: "more" if it is not all there yet, "end" at the trailer. */
  private tuple(): "ok" | "more" | "end" {
    const { buf, view } = this;
    let p = this.pos;
    if (!this.headerRead) {
      if (buf.length - p < 19) return "more";
      if (!buf.subarray(p, p + 11).equals(SIGNATURE))
        throw new SourceError(`table ${this.name}: not a binary COPY stream`);
      p += 19 + view.getInt32(p + 15);
      this.headerRead = true;
      this.pos = p;
    }
    if (buf.length - p < 2) return "more";
    const count = view.getInt16(p);
    if (count === -1) return "end";
    p += 2;
    const { at, len } = this.fields;
    for (let i = 0; i < count; i++) {
      if (buf.length - p < 4) return "more";
      const n = view.getInt32(p);
      p += 4;
      if (i < TupleFields.MAX) {
        at[i] = p;
        len[i] = n;
      }
      if (n > 0) p += n;
      if (p > buf.length) return "more";
    }
    this.fields.count = count;
    this.pos = p;
    return "ok";
  }

  private async read(): Promise<boolean> {
    const { value, done } = await this.chunks.next();
    if (done) return false;
    const rest = this.buf.length - this.pos;
    this.buf = rest > 0 ? Buffer.concat([this.buf.subarray(this.pos), value]) : value;
    this.view = viewOf(this.buf);
    this.pos = 0;
    return true;
  }
}
