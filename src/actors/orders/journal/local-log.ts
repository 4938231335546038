import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  existsSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import type { OrderEvent } from "../events.js";
import type { JournalRecord, ScanResult } from "./record.js";
import { encodeEvent, frameRecords, scanRecords } from "./record.js";
import { FileLock } from "./lock.js";
import { type StorageError, storageError } from "./storage.js";

/**
 * The local append-only journal: the durable tier the hot path writes to, synchronously, before acting.
 * One `write` per `append` call (an event or a batch). `fsync` decides what a power loss can take
 * (docs/orders.md): `every_event` syncs each append, `interval` at most `fsyncIntervalMs` apart (and on
 * an idle timer), `none` leaves it to the OS. A process crash loses nothing in any mode: the write is done.
 *
 * One writer: opening takes the lock `<path>.lock` (lock.ts) until `close`. A failed append (a full
 * disk) changes nothing: no sequence number is used up and the bytes it did write are cut off again, so
 * the file always ends with a whole record; until they are cut, nothing more is written.
 */

export type FsyncPolicy = "none" | "interval" | "every_event";

/** The two file operations an append can fail in; tests inject failures through them. */
export interface JournalIo {
  write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  truncate(fd: number, length: number): void;
}

const fileIo: JournalIo = { write: writeSync, truncate: ftruncateSync };

export interface LocalJournalOptions {
  readonly path: string;
  readonly fsync: FsyncPolicy;
  readonly fsyncIntervalMs: number;
  /** Names the holder in the lock file, for the message of a second writer refused (`orders incarnation 3`). */
  readonly owner?: string;
  readonly io?: JournalIo;
}

export interface OpenedJournal {
  readonly journal: LocalJournal;
  /** Every valid record, in order: fold them into a fresh core to rebuild state. */
  readonly records: JournalRecord[];
  /** Bytes cut from a torn or corrupt tail (0 after a clean shutdown). */
  readonly truncatedBytes: number;
  readonly problem: ScanResult["problem"];
}

/** An append to a journal already closed: the incarnation that owned it has ended. */
export class JournalClosedError extends Error {
  constructor(path: string) {
    super(`journal ${path} is closed; its writer has ended`);
    this.name = "JournalClosedError";
  }
}

export class LocalJournal {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private syncing = false;
  /** A failed write left bytes past `position` that could not be cut yet: nothing is written until they are. */
  private tornTail = false;
  private lastSyncError: StorageError | undefined;
  private readonly io: JournalIo;

  private constructor(
    private readonly fd: number,
    private readonly lock: FileLock,
    private position: number,
    private seq: bigint,
    private readonly options: LocalJournalOptions,
    private readonly logger: Logger,
  ) {
    this.io = options.io ?? fileIo;
    if (options.fsync === "interval") {
      this.timer = setInterval(() => this.flushInBackground(), options.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  /**
   * Locks, opens (creating if needed) and recovers: validates every record and truncates a torn tail.
   * Throws `LockHeldError` naming the holder if another writer has the journal.
   */
  static open(options: LocalJournalOptions, logger: Logger): OpenedJournal {
    mkdirSync(dirname(options.path), { recursive: true });
    const lock = FileLock.acquire(`${options.path}.lock`, options.owner ?? "journal");
    try {
      const fd = openSync(options.path, existsSync(options.path) ? "r+" : "w+");
      const data = readFileSync(fd);
      const scan = scanRecords(data);
      const truncatedBytes = data.length - scan.validBytes;
      if (truncatedBytes > 0) {
        ftruncateSync(fd, scan.validBytes);
        fdatasyncSync(fd);
        const report = { path: options.path, problem: scan.problem, truncatedBytes, keptRecords: scan.records.length };
        logger.warn(report, "journal tail truncated");
      }
      const lastSeq = scan.records.at(-1)?.seq ?? 0n;
      const journal = new LocalJournal(fd, lock, scan.validBytes, lastSeq, options, logger);
      return { journal, records: scan.records, truncatedBytes, problem: scan.problem };
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /**
   * Throws `LockHeldError` if a writer holds the journal at `path` (another daemon on the same data
   * directory): checked before a daemon starts anything. Takes and releases the lock.
   */
  static assertFree(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    FileLock.acquire(`${path}.lock`, "a daemon starting").release();
  }

  get path(): string {
    return this.options.path;
  }

  get lastSeq(): bigint {
    return this.seq;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The last background sync's failure, until one succeeds (`interval` policy). */
  get syncError(): StorageError | undefined {
    return this.lastSyncError;
  }

  /**
   * Appends events with the next sequence numbers, in one write. Returns the records to fold and ship.
   * Throws `StorageError` (nothing appended, no number used) or `JournalClosedError`.
   */
  append(events: readonly OrderEvent[]): JournalRecord[] {
    const records = this.nextRecords(events);
    this.writeRecords(records);
    this.seq += BigInt(records.length);
    return records;
  }

  /**
   * `append`'s encoding and framing of `events` with the next sequence numbers, with nothing written and
   * no number used up (`ActorInstance.decide`). Returns the bytes an append would write.
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
    this.writeRecords(records);
    this.seq = expected - 1n;
  }

  /**
   * Whether `bytes` more can be written now, checked by writing them (zeros past the end) and cutting
   * them off again: what a full disk, a quota or an exhausted tmpfs actually allow, where free-space
   * figures can mislead. Returns the error if not.
   */
  probeRoom(bytes: number): StorageError | undefined {
    if (this.closed) return storageError(new JournalClosedError(this.options.path), this.options.path, "probing");
    try {
      this.cutTornTail();
      const zeros = new Uint8Array(bytes);
      for (let done = 0; done < bytes; ) {
        done += this.io.write(this.fd, zeros, done, bytes - done, this.position + done);
      }
      return undefined;
    } catch (err) {
      return storageError(err, this.options.path, "writing");
    } finally {
      this.tornTail = true;
      this.tryCutTornTail();
    }
  }

  /** Syncs to disk now if anything is unsynced (shutdown, interval timer). */
  flush(): void {
    if (!this.dirty || this.closed) return;
    try {
      fdatasyncSync(this.fd);
    } catch (err) {
      throw storageError(err, this.options.path, "syncing");
    }
    this.dirty = false;
  }

  /** Syncs what it can, closes and releases the lock. Never throws: it also runs when an incarnation ends. */
  close(): void {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    try {
      this.flush();
    } catch (err) {
      this.logger.error({ err }, "journal sync on close failed");
    }
    this.closed = true;
    try {
      closeSync(this.fd);
    } catch (err) {
      this.logger.error({ err }, "journal close failed");
    }
    this.lock.release();
    this.logger.debug({ path: this.options.path, lastSeq: this.seq.toString() }, "journal closed");
  }

  private writeRecords(records: readonly { seq: bigint; payload: Uint8Array }[]): void {
    if (this.closed) throw new JournalClosedError(this.options.path);
    this.cutTornTail();
    const buf = frameRecords(records);
    let written = 0;
    try {
      while (written < buf.length) {
        written += this.io.write(this.fd, buf, written, buf.length - written, this.position + written);
      }
      // A failed sync may have lost what was written: cut it like a failed write, the append failed.
      if (this.options.fsync === "every_event") fdatasyncSync(this.fd);
    } catch (err) {
      this.tornTail = true;
      this.tryCutTornTail();
      throw storageError(err, this.options.path, "writing");
    }
    this.position += buf.length;
    this.dirty = this.options.fsync !== "every_event";
  }

  private cutTornTail(): void {
    if (!this.tornTail) return;
    try {
      this.io.truncate(this.fd, this.position);
    } catch (err) {
      throw storageError(err, this.options.path, "cutting the torn tail of");
    }
    this.tornTail = false;
  }

  private tryCutTornTail(): void {
    try {
      this.cutTornTail();
    } catch (err) {
      const message = "journal: a failed write's bytes could not be cut yet; nothing is written until they are";
      this.logger.error({ err }, message);
    }
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
      if (this.closed) return;
      if (err) {
        this.dirty = true;
        this.lastSyncError = storageError(err, this.options.path, "syncing");
        this.logger.error({ err: this.lastSyncError }, "journal fdatasync failed; retrying at the next interval");
      } else {
        this.lastSyncError = undefined;
      }
    });
  }
}

/** Folds recovered records into an order manager core (outputs discarded: nothing is sent again). */
export function replay(records: readonly JournalRecord[], apply: (event: OrderEvent, seq: bigint) => unknown): number {
  for (const r of records) apply(r.event, r.seq);
  return records.length;
}
