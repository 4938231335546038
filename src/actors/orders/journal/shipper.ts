import type { Logger } from "pino";
import type { LocalJournal } from "./local-log.js";
import type { JournalRecord } from "./record.js";
import type { JournalStore } from "./store.js";

/**
 * Feeds the database from the local log in batches, off the hot path. The local log is the source of
 * truth; the database is for queries and long-term storage. Re-shipping is harmless (idempotent by seq),
 * so after a crash the shipper simply starts again from the database's last sequence.
 */

export interface ReconcileOptions {
  /** Stops the reconcile after the step in progress (the order manager's incarnation ended). */
  readonly signal?: AbortSignal;
  /** Called before each step that awaits the database (`migrate`, `max-seq`, `restore`): fault points. */
  readonly beforeStep?: (step: string) => void;
  /**
   * Each batch restored into the local log, as soon as it is written there (a retry after a failure does
   * not restore it again).
   */
  readonly onRestored?: (batch: readonly JournalRecord[]) => void;
}

export interface ReconcileResult {
  /** Local records the database lacked, now queued for shipping. */
  readonly queuedFromLocal: number;
  /** Records only the database had (the local log was lost or replaced), appended to the local log. */
  readonly restored: JournalRecord[];
}

export interface ShipperOptions {
  readonly batchSize?: number;
  /** Names what failed and where (the database's path or URL, the free space on a full disk). */
  readonly describe?: (err: unknown) => string;
}

export class JournalShipper {
  private queue: JournalRecord[] = [];
  private shipping: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private shippedSeq = 0n;
  private cancelled = false;
  private lastFailure: unknown;
  private readonly batchSize: number;
  private readonly describe: (err: unknown) => string;

  constructor(
    private readonly store: JournalStore,
    private readonly accountId: string,
    private readonly logger: Logger,
    options: ShipperOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.describe = options.describe ?? String;
  }

  /**
   * On start, after the local log is recovered: ship what the database lacks, restore what only it has.
   * `local` are the recovered records; restored records must be folded by the caller too.
   */
  async reconcile(
    journal: LocalJournal,
    local: readonly JournalRecord[],
    options: ReconcileOptions = {},
  ): Promise<ReconcileResult> {
    const { signal, beforeStep } = options;
    beforeStep?.("migrate");
    await this.store.migrate();
    signal?.throwIfAborted();
    beforeStep?.("max-seq");
    const dbSeq = await this.store.maxSeq(this.accountId);
    signal?.throwIfAborted();
    const restored: JournalRecord[] = [];
    for (let after = journal.lastSeq; dbSeq > after; after = journal.lastSeq) {
      beforeStep?.("restore");
      const batch = await this.store.recordsAfter(this.accountId, after);
      signal?.throwIfAborted();
      if (batch.length === 0) break;
      journal.appendRecords(batch);
      options.onRestored?.(batch);
      restored.push(...batch);
    }
    const missing = local.filter((r) => r.seq > dbSeq);
    this.queue.push(...missing);
    this.shippedSeq = dbSeq > journal.lastSeq ? journal.lastSeq : dbSeq;
    this.logger.info(
      {
        dbSeq: dbSeq.toString(),
        localSeq: journal.lastSeq.toString(),
        queued: missing.length,
        restored: restored.length,
      },
      "journal reconciled",
    );
    return { queuedFromLocal: missing.length, restored };
  }

  enqueue(records: readonly JournalRecord[]): void {
    for (const r of records) this.queue.push(r);
  }

  get pending(): number {
    return this.queue.length;
  }

  get lastShippedSeq(): bigint {
    return this.shippedSeq;
  }

  /** Started and neither stopped nor cancelled. */
  get running(): boolean {
    return this.timer !== undefined && !this.cancelled;
  }

  /** Why the last timed shipping failed, until a later one succeeds. */
  get failure(): unknown {
    return this.lastFailure;
  }

  /** Ships everything queued, in batches; concurrent callers share the run in progress. */
  drain(): Promise<void> {
    this.shipping ??= this.shipAll().finally(() => {
      this.shipping = undefined;
    });
    return this.shipping;
  }

  /** Drains every `intervalMs` until `stop`. A failed batch stays queued and is retried next time. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.drain().then(
        () => {
          const pending = this.queue.length;
          if (this.lastFailure !== undefined) this.logger.info({ pending }, "journal shipping resumed");
          this.lastFailure = undefined;
        },
        (err: unknown) => {
          // Logged when it starts failing, not on every retry.
          const pending = this.queue.length;
          if (this.lastFailure === undefined) {
            this.logger.error({ err, pending }, `journal shipping failed; will retry: ${this.describe(err)}`);
          }
          this.lastFailure = err;
        },
      );
    }, intervalMs);
    this.timer.unref();
  }

  /** Graceful: ships everything queued, then stops. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.drain();
  }

  /** The incarnation ended: no batch after the one in flight, which is awaited; the queue stays in the local log. */
  async cancel(): Promise<void> {
    this.cancelled = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.shipping?.catch(() => undefined);
  }

  private async shipAll(): Promise<void> {
    while (this.queue.length > 0 && !this.cancelled) {
      const batch = this.queue.slice(0, this.batchSize);
      await this.store.insert(this.accountId, batch);
      this.queue.splice(0, batch.length);
      this.shippedSeq = batch[batch.length - 1].seq;
    }
  }
}
