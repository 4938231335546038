import type { Logger } from "pino";
import type { LocalJournal } from "./local-log.js";
import type { JournalRecord } from "./record.js";
import type { JournalStore } from "./store.js";

/**
 * Feeds the database from the local log in batches, off the hot path. The local log is the source of
 * truth; the database is for queries and long-term storage. Re-shipping is harmless (idempotent by seq),
 * so after a crash the shipper simply starts again from the database's last sequence.
 */

export interface ReconcileResult {
  /** Local records the database lacked, now queued for shipping. */
  readonly queuedFromLocal: number;
  /** Records only the database had (the local log was lost or replaced), appended to the local log. */
  readonly restored: JournalRecord[];
}

export class JournalShipper {
  private queue: JournalRecord[] = [];
  private shipping: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private shippedSeq = 0n;

  constructor(
    private readonly store: JournalStore,
    private readonly accountId: string,
    private readonly logger: Logger,
    private readonly batchSize = 1000,
  ) {}

  /**
   * On start, after the local log is recovered: ship what the database lacks, restore what only it has.
   * `local` are the recovered records; restored records must be folded by the caller too.
   */
  async reconcile(journal: LocalJournal, local: readonly JournalRecord[]): Promise<ReconcileResult> {
    await this.store.migrate();
    const dbSeq = await this.store.maxSeq(this.accountId);
    const restored: JournalRecord[] = [];
    for (let after = journal.lastSeq; dbSeq > after; after = journal.lastSeq) {
      const batch = await this.store.recordsAfter(this.accountId, after);
      if (batch.length === 0) break;
      journal.appendRecords(batch);
      restored.push(...batch);
    }
    const missing = local.filter((r) => r.seq > dbSeq);
    this.queue.push(...missing);
    this.shippedSeq = dbSeq > journal.lastSeq ? journal.lastSeq : dbSeq;
    this.logger.info({ dbSeq: dbSeq.toString(), localSeq: journal.lastSeq.toString(), queued: missing.length, restored: restored.length }, "journal reconciled");
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
      this.drain().catch((err: unknown) => this.logger.error({ err, pending: this.queue.length }, "journal shipping failed; will retry"));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.drain();
  }

  private async shipAll(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.batchSize);
      await this.store.insert(this.accountId, batch);
      this.queue.splice(0, batch.length);
      this.shippedSeq = batch[batch.length - 1].seq;
    }
  }
}
