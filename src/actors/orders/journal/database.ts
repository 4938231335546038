import type { Logger } from "pino";
import { openJournalDatabase, redactUrl } from "./clients.js";
import type { LocalJournal } from "./local-log.js";
import type { JournalRecord } from "./record.js";
import { JournalShipper } from "./shipper.js";
import { JournalStore, type SqlClient } from "./store.js";
import { isNoRoom, storageError } from "./storage.js";

export interface JournalDatabaseTierOptions {
  readonly databaseUrl: string | undefined;
  readonly dbPath: string;
  readonly accountId: string;
  /** Names the holder of the embedded database's lock (`orders incarnation 3`). */
  readonly owner: string;
  readonly journal: LocalJournal;
  /** The records recovered from the local log at start. */
  readonly local: readonly JournalRecord[];
  /** The order manager incarnation's lifetime: everything here stops when it aborts. */
  readonly signal: AbortSignal;
  /** Fault injection points, one before each await of the start-up (`open-database`, `migrate`, …). */
  readonly faultPoint: (step: string) => void;
  readonly log: Logger;
  readonly shipEveryMs: number;
  readonly retry: { readonly initialMs: number; readonly maxMs: number };
}

/** What the order manager needs of the journal's database tier. */
export interface JournalDatabase {
  start(onReconciled: (restored: readonly JournalRecord[]) => void): void;
  enqueue(records: readonly JournalRecord[]): void;
  readonly problem: string | undefined;
  readonly noRoom: boolean;
  flush(): Promise<void>;
  dispose(): Promise<void>;
}

/** No database: the local log is the whole journal (a backtest). Reconciled at once, with nothing restored. */
export class NoJournalDatabase implements JournalDatabase {
  readonly problem = undefined;
  readonly noRoom = false;

  start(onReconciled: (restored: readonly JournalRecord[]) => void): void {
    onReconciled([]);
  }

  enqueue(): void {}

  async flush(): Promise<void> {}

  async dispose(): Promise<void> {}
}

/**
 * The journal's database tier for one incarnation of the order manager: opens the database and
 * reconciles it with the local log, retrying with backoff until that works or the incarnation ends, then
 * ships batches. `dispose` stops all it started (the retry loop, the shipper, the database connection or
 * the embedded database's thread); the runtime awaits it before the next incarnation starts, so there is
 * one writer per database.
 */
export class JournalDatabaseTier implements JournalDatabase {
  private client: SqlClient | undefined;
  private shipper: JournalShipper | undefined;
  private loop: Promise<void> = Promise.resolve();
  private connectFailure: unknown;

  constructor(private readonly options: JournalDatabaseTierOptions) {}

  /** Starts connecting; `onReconciled` gets the records restored from the database, to fold, once. */
  start(onReconciled: (restored: readonly JournalRecord[]) => void): void {
    this.loop = this.connect(onReconciled);
  }

  get reconciled(): boolean {
    return this.shipper?.running === true;
  }

  enqueue(records: readonly JournalRecord[]): void {
    this.shipper?.enqueue(records);
  }

  /** Why the database is not keeping up (not reachable, full, refusing batches), for the health reasons. */
  get problem(): string | undefined {
    const failure = this.connectFailure ?? this.shipper?.failure;
    return failure === undefined ? undefined : this.describe(failure);
  }

  /** The database's disk is full: entries halt, as for the local journal. */
  get noRoom(): boolean {
    const failure = this.connectFailure ?? this.shipper?.failure;
    return failure !== undefined && isNoRoom(failure);
  }

  /** Graceful stop: ships what is queued. */
  async flush(): Promise<void> {
    if (this.reconciled) await this.shipper?.stop();
  }

  /** After the incarnation's signal aborted: waits (bounded) for the loop, stops the shipper, closes the database. */
  async dispose(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
    await this.shipper?.cancel();
    await this.closeClient();
  }

  private async connect(onReconciled: (restored: readonly JournalRecord[]) => void): Promise<void> {
    const { signal, log, retry } = this.options;
    const restored: JournalRecord[] = [];
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        await this.reconcileOnce(restored);
      } catch (err) {
        if (signal.aborted) return;
        if (this.connectFailure === undefined || this.describe(err) !== this.describe(this.connectFailure)) {
          log.error({ err, attempt }, `${this.describe(err)}; orders are held, retrying`);
        }
        this.connectFailure = err;
        await this.closeClient();
        if (!(await sleep(Math.min(retry.maxMs, retry.initialMs * 2 ** attempt), signal))) return;
        continue;
      }
      if (signal.aborted) return;
      if (this.connectFailure !== undefined) log.info({ attempts: attempt + 1 }, "journal database reachable again");
      this.connectFailure = undefined;
      onReconciled(restored);
      this.shipper!.start(this.options.shipEveryMs);
      return;
    }
  }

  private async reconcileOnce(restored: JournalRecord[]): Promise<void> {
    const { signal, faultPoint, log } = this.options;
    faultPoint("open-database");
    this.client = await openJournalDatabase(
      { databaseUrl: this.options.databaseUrl, dbPath: this.options.dbPath, owner: this.options.owner, signal },
      log,
    );
    signal.throwIfAborted();
    this.shipper = new JournalShipper(new JournalStore(this.client), this.options.accountId, log, {
      describe: (err) => this.describe(err),
    });
    await this.shipper.reconcile(this.options.journal, this.options.local, {
      signal,
      beforeStep: faultPoint,
      onRestored: (batch) => restored.push(...batch),
    });
  }

  private async closeClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    try {
      await client?.close();
    } catch (err) {
      this.options.log.warn({ err }, "closing the journal database failed");
    }
  }

  private describe(err: unknown): string {
    const { databaseUrl, dbPath } = this.options;
    if (databaseUrl === undefined) {
      if (isNoRoom(err)) return `journal database: ${storageError(err, dbPath, "writing").message}`;
      return `journal database unavailable (embedded, ${dbPath}): ${messageOf(err)}`;
    }
    const where = redactUrl(databaseUrl);
    if (isNoRoom(err)) return `journal database (${where}): disk full on the database server: ${messageOf(err)}`;
    return `journal database unavailable (${where}): ${messageOf(err)}`;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error && err.message !== "" ? err.message : String(err);
}

/** Waits `ms` unless `signal` aborts first; false if it did. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
