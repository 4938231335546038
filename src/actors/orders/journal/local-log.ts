import { closeSync, fdatasync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, existsSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import type { OrderEvent } from "../events.js";
import type { JournalRecord, ScanResult } from "./record.js";
import { encodeEvent, frameRecords, scanRecords } from "./record.js";

/**
 * The local append-only journal: the durable tier the hot path writes to, synchronously, before acting.
 * One `write` per `append` call (an event or a batch). `fsync` decides what a power loss can take
 * (docs/orders.md): `every_event` syncs each append, `interval` at most `fsyncIntervalMs` apart (and on
 * an idle timer), `none` leaves it to the OS. A process crash loses nothing in any mode: the write is done.
 */

export type FsyncPolicy = "none" | "interval" | "every_event";

export interface LocalJournalOptions {
  readonly path: string;
  readonly fsync: FsyncPolicy;
  readonly fsyncIntervalMs: number;
}

export interface OpenedJournal {
  readonly journal: LocalJournal;
  /** Every valid record, in order: fold them into a fresh core to rebuild state. */
  readonly records: JournalRecord[];
  /** Bytes cut from a torn or corrupt tail (0 after a clean shutdown). */
  readonly truncatedBytes: number;
  readonly problem: ScanResult["problem"];
}

export class LocalJournal {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private syncing = false;

  private constructor(
    private readonly fd: number,
    private position: number,
    private seq: bigint,
    private readonly options: LocalJournalOptions,
    private readonly logger: Logger,
  ) {
    if (options.fsync === "interval") {
      this.timer = setInterval(() => this.flushInBackground(), options.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  /** Opens (creating if needed) and recovers: validates every record and truncates a torn tail. */
  static open(options: LocalJournalOptions, logger: Logger): OpenedJournal {
    mkdirSync(dirname(options.path), { recursive: true });
    const fd = openSync(options.path, existsSync(options.path) ? "r+" : "w+");
    const data = readFileSync(fd);
    const scan = scanRecords(data);
    const truncatedBytes = data.length - scan.validBytes;
    if (truncatedBytes > 0) {
      ftruncateSync(fd, scan.validBytes);
      fdatasyncSync(fd);
      logger.warn({ path: options.path, problem: scan.problem, truncatedBytes, keptRecords: scan.records.length }, "journal tail truncated");
    }
    const lastSeq = scan.records.at(-1)?.seq ?? 0n;
    const journal = new LocalJournal(fd, scan.validBytes, lastSeq, options, logger);
    return { journal, records: scan.records, truncatedBytes, problem: scan.problem };
  }

  get lastSeq(): bigint {
    return this.seq;
  }

  /** Appends events with the next sequence numbers, in one write. Returns the records to fold and ship. */
  append(events: readonly OrderEvent[]): JournalRecord[] {
    const records = this.nextRecords(events);
    this.seq += BigInt(records.length);
    this.writeRecords(records);
    return records;
  }

  /**
   * `append`'s encoding and framing of `events` with the next sequence numbers, with nothing written and
   * no number used up (`ActorInstance.rehearse`). Returns the bytes an append would write.
   */
  rehearseAppend(events: readonly OrderEvent[]): number {
    return frameRecords(this.nextRecords(events)).length;
  }

  /** `events` as the records that follow the last one written. */
  private nextRecords(events: readonly OrderEvent[]): JournalRecord[] {
    let seq = this.seq;
    return events.map((event) => ({ seq: ++seq, event, payload: encodeEvent(event) }));
  }

  /** Appends records that already have sequence numbers (restored from the database); they must continue the log. */
  appendRecords(records: readonly JournalRecord[]): void {
    let expected = this.seq + 1n;
    for (const r of records) {
      if (r.seq !== expected) throw new Error(`journal restore must continue at seq ${expected}, got ${r.seq}`);
      expected++;
    }
    if (records.length === 0) return;
    this.seq = expected - 1n;
    this.writeRecords(records);
  }

  /** Syncs to disk now if anything is unsynced (shutdown, interval timer). */
  flush(): void {
    if (!this.dirty || this.closed) return;
    fdatasyncSync(this.fd);
    this.dirty = false;
  }

  close(): void {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    this.flush();
    this.closed = true;
    closeSync(this.fd);
    this.logger.debug({ path: this.options.path, lastSeq: this.seq.toString() }, "journal closed");
  }

  private writeRecords(records: readonly { seq: bigint; payload: Uint8Array }[]): void {
    const buf = frameRecords(records);
    let written = 0;
    while (written < buf.length) written += writeSync(this.fd, buf, written, buf.length - written, this.position + written);
    this.position += buf.length;
    this.dirty = true;
    if (this.options.fsync === "every_event") this.flush();
  }

  /**
   * The `interval` policy's sync runs on libuv's thread pool: an inline fdatasync costs milliseconds
   * every interval on the thread that carries the order path.
   */
  private flushInBackground(): void {
    if (!this.dirty || this.closed || this.syncing) return;
    this.dirty = false;
    this.syncing = true;
    fdatasync(this.fd, (err) => {
      this.syncing = false;
      // After close the final synchronous flush has covered everything.
      if (err && !this.closed) {
        this.dirty = true;
        this.logger.error({ err }, "journal fdatasync failed; retrying at the next interval");
      }
    });
  }
}

/** Folds recovered records into an order manager core (outputs discarded: nothing is sent again). */
export function replay(records: readonly JournalRecord[], apply: (event: OrderEvent, seq: bigint) => unknown): number {
  for (const r of records) apply(r.event, r.seq);
  return records.length;
}
