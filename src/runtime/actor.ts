import type { Logger } from "pino";
import type { AnyMessage } from "../protocol/codec.js";
import type { MessageOf, MessageType } from "../protocol/messages.js";
import type { Nanos } from "../model/time.js";
import type { ActorMetrics } from "./metrics.js";

/**
 * What an actor sees of the runtime. The same context is given whether the actor runs on a worker, on the
 * main thread or inline in a backtest, which is what gives live/backtest parity.
 */
export interface ActorContext<Config = unknown> {
  /** Stable actor name (`feed`, `estimator-0`, …). */
  readonly name: string;
  readonly config: Config;
  readonly log: Logger;
  readonly metrics: ActorMetrics;
  /** Wall clock live, simulated time under the inline transport. Pass it to cores; never read a clock in a core. */
  now(): Nanos;
  /** Publishes on one of the actor's declared output channels. */
  send(channel: string, message: AnyMessage): void;
  /** One-shot timer; a timer of the same name replaces the previous one. */
  setTimer(name: string, delayMs: number): void;
  /** Repeating timer; the first firing is after `everyMs`. */
  setInterval(name: string, everyMs: number): void;
  clearTimer(name: string): void;
  /**
   * Publishes the actor's state for the control API (`/positions`, `/risk`, …). Cheap to call often: the
   * host ships at most one report per actor every 100 ms, always the latest. Must be structured-cloneable;
   * a function is called only when the report is shipped, for a status that is costly to build.
   */
  publishStatus(status: unknown): void;
  /**
   * A reply this actor waits for (a scan answer) should arrive within `withinMs`: until it does or the
   * time passes, the thread polls instead of parking, so the reply costs no wake-up (tens to hundreds of
   * µs on a small VM). 0 withdraws the expectation. No effect under the inline transport.
   */
  expectReply(withinMs: number): void;
  /**
   * For a rehearsal (`ActorInstance.decide`): encodes and decodes a message with the thread's codec, as a send to
   * another thread and its receipt would.
   */
  rehearseCodec(message: AnyMessage): void;
  /** Which run of the actor this context belongs to: 1 at the start, one more per restart. */
  readonly incarnation: number;
  /**
   * Aborts when this incarnation ends: a crash (also one elsewhere in the actor while an await is
   * pending), a failed `init`, a stop or a restart. Work that outlives a handler (a reconcile, a retry
   * loop) checks it after every await and stops; from then on this context's sends, timers and statuses
   * are dropped. Abort listeners must not throw.
   */
  readonly signal: AbortSignal;
  /**
   * Registers a release (close a file, end a thread, settle pending work) run when this incarnation
   * ends, last registered first, whether it stopped, crashed or failed in `init`. The host awaits the
   * releases (bounded) before the next incarnation's `init`; one registered after that runs at once.
   */
  onDispose(release: () => void | Promise<void>): void;
  /**
   * From now on the host holds this actor's inputs that `keep` accepts instead of handling them, the
   * message being handled too if it is one (a handler that finds it cannot act yet hands it back). They
   * wait in arrival order, across a crash and restart of the actor as well, until `releaseInputs`. A new
   * incarnation starts with nothing held back (what its predecessor held is delivered to it).
   */
  holdInputs(keep: (message: AnyMessage) => boolean): void;
  /** Delivers the held inputs now, in order, before anything newer; any held anew stay held from there. */
  releaseInputs(): void;
  /** How many inputs the host holds for this actor. */
  heldInputs(): number;
  /**
   * A fault injection point (`runtime.control.fault_injection`): if a crash at `point` was requested, the
   * actor crashes here, as if a handler had thrown at this moment. The caller goes on (as the code
   * awaiting something does when a crash happens elsewhere) and must notice `signal`.
   */
  faultPoint(point: string): void;
}

export type Handler<M extends AnyMessage = AnyMessage> = (message: M, channel: string) => void;

/**
 * One handler per inbound message type, keyed by the catalogue's types: a misspelt type is a type error,
 * and the host refuses at start a handler for a type that no channel the actor reads carries.
 */
export type Handlers = { readonly [K in MessageType]?: Handler<MessageOf<K>> };

/**
 * Per inbound message type, the actor's decision on such a message with nothing applied: no send, no
 * state change, no metric; the result is thrown away. The host keeps the latest input that has one and,
 * while the thread spins idle (`runtime.spin.rehearse_every_us`), decides on it again (a rehearsal), so
 * the code and data of the next real decision are still in the caches when it comes. Never called under
 * the inline transport (backtests), which is why it must have no effect.
 */
export type Decisions = { readonly [K in MessageType]?: (message: MessageOf<K>) => unknown };

/** The running actor, built by `init`: one handler per inbound message type plus optional hooks. */
export interface ActorInstance {
  readonly handle: Handlers;
  onTimer?(name: string): void;
  /**
   * Called once, in reverse start order, on a graceful stop; may be async (flush a journal). Also called,
   * best effort, on a crashed incarnation before its restart (then `ctx.signal` is already aborted).
   */
  onStop?(): void | Promise<void>;
  /** State handed to `init` of the next incarnation after an in-place restart. */
  snapshot?(): unknown;
  /** What the host rehearses the actor on (`Decisions`). */
  readonly decide?: Decisions;
  /** An operator command from the control API; returns nothing, effects show in the published status. */
  onCommand?(command: string, args: unknown): void;
}

export interface ActorDef<Config = unknown> {
  /** Kind name; instances may be named differently (`estimator` → `estimator-0`). */
  readonly kind: string;
  /** Channels read and written; the supervisor checks that every channel read has exactly one writer. */
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  init(ctx: ActorContext<Config>, restored: unknown): ActorInstance | Promise<ActorInstance>;
}

/** Identity helper that gives an actor definition its types. */
export function defineActor<Config>(def: ActorDef<Config>): ActorDef<Config> {
  return def;
}
