import type { AnyMessage } from "../../../protocol/codec.js";
import type { ActorContext } from "../../../runtime/actor.js";
import type { LocalJournal } from "./local-log.js";
import { StorageError } from "./storage.js";

/** The timer the gate retries on: the actor hands it to `retry` from `onTimer`. */
export const JOURNAL_RETRY_TIMER = "journal-retry";
const RETRY_INITIAL_MS = 100;
const RETRY_MAX_MS = 5000;
/** Room the journal must have before entries resume: a burst of orders, not one record. */
const PROBE_BYTES = 64 * 1024;

type GateContext = Pick<ActorContext, "holdInputs" | "releaseInputs" | "heldInputs" | "setTimer" | "log">;

/**
 * What an actor does when its journal refuses a write (a full disk): the write changed nothing
 * (local-log.ts), so the input that made it is handed back to the host, which holds it and every later
 * input of the `journaled` kinds, in order, even across a crash. A retry with backoff checks that the
 * journal has room again, runs work that is owed (the first balances), then releases the held inputs;
 * one that is refused again is held again, with all after it.
 */
export class JournalWriteGate {
  private fault: StorageError | undefined;
  private owed: (() => void) | undefined;
  private delayMs = RETRY_INITIAL_MS;
  private scheduled = false;

  constructor(
    private readonly journal: LocalJournal,
    private readonly ctx: GateContext,
    private readonly journaled: (message: AnyMessage) => boolean,
  ) {}

  /** Why the journal cannot be written, until a retry finds it can. */
  get failure(): StorageError | undefined {
    return this.fault;
  }

  /** Runs `work`, which journals; false if the journal refused it (the input being handled is then held). */
  run(work: () => void): boolean {
    try {
      work();
      return true;
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      this.refused(err);
      return false;
    }
  }

  /** Runs `work` now, or, if the journal refuses it, before anything held once the journal has room. */
  runFirst(work: () => void): void {
    if (!this.run(work)) this.owed = work;
  }

  /** The retry timer fired, or something journaled in the meantime (`soon`). */
  retry(): void {
    this.scheduled = false;
    const noRoom = this.journal.probeRoom(PROBE_BYTES);
    if (noRoom !== undefined) {
      this.refused(noRoom);
      return;
    }
    const owed = this.owed;
    if (owed !== undefined && !this.run(owed)) return;
    this.owed = undefined;
    const held = this.ctx.heldInputs();
    const recovered = this.fault !== undefined;
    this.fault = undefined;
    this.delayMs = RETRY_INITIAL_MS;
    this.ctx.releaseInputs();
    if (recovered && this.fault === undefined) {
      this.ctx.log.info({ held }, "journal writable again; held inputs replayed, entries resumed");
    }
  }

  /** A write went through while the journal was failing: retry what is held at once. */
  soon(): void {
    this.scheduled = true;
    this.ctx.setTimer(JOURNAL_RETRY_TIMER, 0);
  }

  private refused(err: StorageError): void {
    if (this.fault === undefined) {
      const message = "journal cannot be written: entries halted; fills, reports and cancels are held until it can";
      this.ctx.log.error({ err }, message);
    }
    this.fault = err;
    this.ctx.holdInputs(this.journaled);
    if (this.scheduled) return;
    this.scheduled = true;
    this.ctx.setTimer(JOURNAL_RETRY_TIMER, this.delayMs);
    this.delayMs = Math.min(RETRY_MAX_MS, this.delayMs * 2);
  }
}
