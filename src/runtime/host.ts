import type { Logger } from "pino";
import type { AnyMessage, Codec } from "../protocol/codec.js";
import type { HostedActor, HostToSupervisor, BackpressurePolicy, SupervisorToHost } from "../protocol/host.js";
import type { ActorDef, ActorInstance } from "./actor.js";
import { actorContext, type ContextHost, ReplyDeadlines } from "./context.js";
import type { Clock } from "./clock.js";
import type { ActorState } from "./lifecycle.js";
import { ActorCounters, CustomMetrics, Slot, type ActorMetrics } from "./metrics.js";
import { TimerQueue } from "./timers.js";
import type { Doorbell } from "../transport/doorbell.js";
import type { FrameReader } from "../transport/frames.js";
import { Incarnation } from "./incarnation.js";
import { Router, type Inbound, type Outbound } from "./router.js";
import { advance, attach, createSlot, unreachableHandlers, type HostedSlot } from "./slot.js";
import { HostTurn } from "./turn.js";

export type { Inbound, Outbound } from "./router.js";

/** How long a restart waits for an ended incarnation's `onStop` and for its releases (`ctx.onDispose`). */
const RELEASE_TIMEOUT_MS = 2000;

export interface HostOptions {
  readonly thread: string;
  readonly actors: readonly HostedActor[];
  readonly channels: readonly { name: string; policy: BackpressurePolicy }[];
  /** Per channel index: threads other than this one that read it. */
  readonly remoteReaders: readonly (readonly string[])[];
  readonly inbound: readonly Inbound[];
  readonly outbound: readonly Outbound[];
  readonly bell: Doorbell;
  readonly metricsBlock: Float64Array;
  readonly blockDeadlineMs: number;
  readonly faultInjection: boolean;
  readonly clock: Clock;
  readonly codec: Codec;
  readonly log: Logger;
  readonly emit: (event: HostToSupervisor) => void;
  readonly loadActor: (moduleUrl: string) => Promise<ActorDef>;
  /** Supervisor commands, drained at the start of every turn. */
  readonly control?: { readonly reader: FrameReader; readonly onCommand: (command: SupervisorToHost) => void };
  /**
   * A message sent from outside a turn (an actor's socket callback: a market-data frame) is run to
   * completion at once, in that callback: its whole cascade (feed → jumps → strategy → scan request) is
   * handled before the next frame is read, with no wake-up of the thread's loop. Live threads only: the
   * inline transport schedules every message by event time.
   */
  readonly runInputsAtOnce?: boolean;
}

/**
 * Runs a set of actors on one thread: their lifecycle (start, crash, restart, stop, through the table in
 * `lifecycle.ts`), their contexts, statuses and metrics. Messages go through the router (`router.ts`:
 * mailbox, rings, overflow) and are delivered by the host's turn (`turn.ts`: frames, timers, rehearsals).
 * A handler that throws marks only its actor crashed; the supervisor decides when to restart it
 * (`restart`), and messages for it wait meanwhile.
 */
export class ThreadHost {
  private readonly slots: HostedSlot[] = [];
  private readonly byName = new Map<string, HostedSlot>();
  private readonly router: Router<HostedSlot>;
  private readonly timers = new TimerQueue();
  private readonly loop: HostTurn;
  private readonly customMetrics = new CustomMetrics();
  /** Latest unpublished status per actor. */
  private readonly statuses = new Map<string, unknown>();
  private readonly replies = new ReplyDeadlines();
  private readonly contextHost: ContextHost;
  private lastStatusFlushMs = 0;

  constructor(private readonly options: HostOptions) {
    const metricsOf = (actor: string): ActorMetrics => this.customMetrics.forActor(actor);
    this.router = new Router({ ...options, threadMetrics: metricsOf(`thread:${options.thread}`) });
    this.loop = new HostTurn({
      ...options,
      router: this.router,
      timers: this.timers,
      slots: this.slots,
      metricsOf,
      crash: (slot, err) => this.crash(slot, err),
    });
    this.contextHost = {
      clock: options.clock,
      codec: options.codec,
      timers: this.timers,
      turn: this.loop,
      replies: this.replies,
      metricsOf,
      send: (from, channel, message) => this.send(from, channel, message),
      publishStatus: (actor, status) => this.statuses.set(actor, status),
      crash: (slot, err) => this.crash(slot, err),
      resumeLoop: () => this.onLocalWake?.(),
    };
  }

  get thread(): string {
    return this.options.thread;
  }

  /** Loads and initialises every hosted actor in order. */
  async start(): Promise<void> {
    for (const spec of this.options.actors) {
      const def = await this.options.loadActor(spec.moduleUrl);
      const log = this.options.log.child({ actor: spec.name });
      const counters = new ActorCounters(this.options.metricsBlock, spec.index);
      const slot = createSlot(spec, def, log, counters, (channel) => this.router.indexOf(channel));
      this.slots.push(slot);
      this.byName.set(spec.name, slot);
      for (const ch of slot.reads) this.router.addLocalReader(ch, slot);
    }
    for (const slot of this.slots) await this.initSlot(slot);
  }

  private initSlot(slot: HostedSlot): Promise<void> {
    slot.initializing = this.runInit(slot).finally(() => {
      slot.initializing = undefined;
    });
    return slot.initializing;
  }

  private async runInit(slot: HostedSlot): Promise<void> {
    const incarnation = new Incarnation(++slot.incarnations, slot.log);
    slot.current = incarnation;
    advance(slot, "init");
    slot.keep = undefined;
    try {
      incarnation.instance = await slot.def.init(actorContext(this.contextHost, slot, incarnation), slot.restored);
    } catch (err) {
      this.crash(slot, err);
      return;
    }
    // Crashed meanwhile (a fault point, its own async work) or stopped: released by the restart or the stop.
    if (incarnation.ended || slot.state !== "starting") return;
    const refused = unreachableHandlers(slot.spec.name, slot.def.reads, incarnation.instance);
    if (refused !== undefined) return this.crash(slot, refused);
    attach(slot, incarnation.instance);
    slot.restored = undefined;
    advance(slot, "started");
    this.options.emit({ type: "ActorStarted", actor: slot.spec.name, thread: this.options.thread });
    const held = slot.pending;
    slot.pending = [];
    for (const p of held) this.router.mailbox.push(slot, p.channel, p.message);
    this.wake();
  }

  // ---- messaging -------------------------------------------------------------------------------------

  private send(from: HostedSlot, channel: string, message: AnyMessage): void {
    if (this.loop.rehearsing) throw new Error(`actor ${from.spec.name} sent on ${channel} while rehearsing`);
    const index = from.writes.get(channel);
    if (index === undefined) throw new Error(`actor ${from.spec.name} does not declare writes: ${channel}`);
    from.counters.add(Slot.MessagesOut);
    this.router.publish(index, message);
    if (this.loop.dispatching) return;
    if (this.options.runInputsAtOnce) {
      this.turn();
      if (this.hasWork()) this.wake();
    } else {
      this.wake();
    }
  }

  /**
   * `performance.now()` until which an actor of this thread expects a reply (`ctx.expectReply`); 0 if
   * none was ever set or all were withdrawn. May be past: callers compare it with their own clock read.
   */
  replyExpectedUntil(): number {
    return this.replies.until;
  }

  /** Wakes this thread's loop: used when work arrives from outside a turn (I/O callbacks, control). */
  wake(): void {
    this.options.bell.ring();
    this.onLocalWake?.();
  }

  /**
   * Called on `wake()` from this thread: a loop parked in `Atomics.waitAsync` resumes through it at once,
   * where its own notify would come back through the platform's task queue (a slow path: docs/benchmarks.md).
   */
  onLocalWake: (() => void) | undefined;

  /** True when a frame is waiting on an inbound ring or a message in the mailbox. */
  hasWork(): boolean {
    return this.loop.hasWork();
  }

  /**
   * One loop turn: inbound frames, the mailbox, due timers, held-back frames. Returns how much was done
   * (0 = idle). `maxFrames` bounds each ring's batch so one busy peer cannot starve the others.
   */
  turn(maxFrames = 4096): number {
    return this.loop.run(maxFrames);
  }

  /** Rehearses the thread's actors if `everyMs` passed since the last round (`HostTurn.rehearseIfDue`). */
  rehearseIfDue(nowMs: number, everyMs: number): boolean {
    return this.loop.rehearseIfDue(nowMs, everyMs);
  }

  /** Due time of the next timer, for the loop's park timeout or the inline scheduler. */
  nextTimerDue(): bigint | undefined {
    return this.timers.peekDue();
  }

  // ---- failure and lifecycle -------------------------------------------------------------------------

  /**
   * Ends the current incarnation at once: its signal aborts, so its asynchronous work stops before the
   * restart (which releases it) starts the next. A crash of an incarnation that already ended is none.
   */
  private crash(slot: HostedSlot, err: unknown): void {
    const incarnation = slot.current;
    if (incarnation === undefined || incarnation.ended) return;
    const error = err instanceof Error ? err : new Error(String(err));
    advance(slot, "crash");
    incarnation.end(error);
    attach(slot, undefined);
    this.timers.clearOwner(slot.spec.index);
    slot.counters.add(Slot.HandlerErrors);
    slot.log.error({ err: error, incarnation: incarnation.number }, "actor crashed");
    this.options.emit({ type: "ActorCrashed", actor: slot.spec.name, error: error.message, stack: error.stack });
  }

  /** Restarts an actor in place after `delayMs`; a graceful restart stops it first and hands over its snapshot. */
  restart(actor: string, delayMs: number, graceful: boolean): Promise<void> {
    const slot = this.slotNamed(actor);
    const run = slot.restarting.then(() => this.restartSlot(slot, delayMs, graceful));
    slot.restarting = run.catch((err: unknown) => slot.log.error({ err }, "restart failed"));
    return run;
  }

  private async restartSlot(slot: HostedSlot, delayMs: number, graceful: boolean): Promise<void> {
    await slot.initializing;
    if (slot.stopRequested) return;
    if (slot.state === "running") {
      advance(slot, "restart");
      if (graceful) slot.restored = slot.instance?.snapshot?.();
      await this.stopInstance(slot, RELEASE_TIMEOUT_MS);
    } else if (slot.current?.instance !== undefined) {
      // Best effort: the crashed instance's onStop frees its resources (a port it bound would otherwise
      // make every restart fail). Its state may be inconsistent; only the release matters here.
      await this.stopInstance(slot, RELEASE_TIMEOUT_MS, slot.current.instance);
    }
    await this.release(slot);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    if (slot.stopRequested) return;
    slot.counters.add(Slot.Restarts);
    await this.initSlot(slot);
  }

  /** Ends the current incarnation and awaits its releases: one writer of anything at a time. */
  private async release(slot: HostedSlot): Promise<boolean> {
    const incarnation = slot.current;
    if (incarnation === undefined) return true;
    attach(slot, undefined);
    this.timers.clearOwner(slot.spec.index);
    const released = await incarnation.dispose(RELEASE_TIMEOUT_MS);
    if (!released) {
      slot.log.error({ incarnation: incarnation.number }, "the ended incarnation did not release everything; going on");
    }
    return released;
  }

  /** The actor crashes in its next handler or timer call, or, given `at`, when it passes that fault point. */
  injectCrash(actor: string, at?: string): void {
    if (this.faultInjectionRefused(actor, "crash")) return;
    const slot = this.slotNamed(actor);
    if (at === undefined) slot.crashNext = true;
    else slot.crashAt = at;
  }

  injectStall(actor: string): void {
    if (this.faultInjectionRefused(actor, "stall")) return;
    this.slotNamed(actor).stallNext = true;
  }

  private faultInjectionRefused(actor: string, fault: string): boolean {
    if (this.options.faultInjection) return false;
    this.options.log.warn({ actor }, `${fault} injection refused: runtime.control.fault_injection is off`);
    return true;
  }

  /** Stops the named actors in the given order, each bounded by `timeoutMs`. Returns those that failed. */
  async stop(actors: readonly string[], timeoutMs: number): Promise<string[]> {
    const failed: string[] = [];
    for (const name of actors) {
      const slot = this.byName.get(name);
      if (slot === undefined || slot.state === "stopped") continue;
      this.turn();
      advance(slot, "stop");
      slot.stopRequested = true;
      await slot.initializing;
      // A crashed incarnation's onStop is best effort, as before a restart; its failure is not the stop's.
      const crashed = slot.current?.ended === true;
      const stopped = await this.stopInstance(slot, timeoutMs, slot.current?.instance);
      const released = await this.release(slot);
      if (!crashed && !(stopped && released)) failed.push(name);
      // A second stop of the same actor, run meanwhile, may have ended it already.
      if ((slot.state as ActorState) !== "stopped") advance(slot, "stopped");
    }
    return failed;
  }

  private async stopInstance(slot: HostedSlot, timeoutMs: number, instance = slot.instance): Promise<boolean> {
    const onStop = instance?.onStop?.bind(instance);
    if (onStop === undefined) return true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), timeoutMs)));
      const outcome = await Promise.race([Promise.resolve(onStop()).then(() => "ok" as const), timeout]);
      if (outcome === "timeout") slot.log.error({ timeoutMs }, "onStop overran its shutdown timeout");
      return outcome === "ok";
    } catch (err) {
      slot.log.error({ err }, "onStop failed");
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  get allStopped(): boolean {
    return this.slots.every((s) => s.state === "stopped");
  }

  actorState(actor: string): ActorState {
    return this.slotNamed(actor).state;
  }

  /** Ships the actors' latest statuses, at most every 100 ms. */
  flushStatuses(nowMs: number): void {
    if (this.statuses.size === 0 || nowMs - this.lastStatusFlushMs < 100) return;
    this.lastStatusFlushMs = nowMs;
    for (const [actor, status] of this.statuses) {
      try {
        this.options.emit({
          type: "ActorStatusReport",
          actor,
          status: typeof status === "function" ? (status as () => unknown)() : status,
        });
      } catch (err) {
        this.byName.get(actor)?.log.error({ err }, "building the status failed; not shipped");
      }
    }
    this.statuses.clear();
  }

  /** Runs an operator command on an actor; a throwing command crashes the actor like a handler would. */
  command(actor: string, command: string, args: unknown): void {
    const slot = this.slotNamed(actor);
    const instance: ActorInstance | undefined = slot.instance;
    if (slot.state !== "running" || instance?.onCommand === undefined) {
      slot.log.warn({ command }, "command ignored: actor not running or has no commands");
      return;
    }
    const outer = this.options.bell.currentActor();
    this.options.bell.setCurrentActor(slot.spec.index);
    try {
      instance.onCommand(command, args);
    } catch (err) {
      this.crash(slot, err);
    } finally {
      this.options.bell.setCurrentActor(outer);
    }
    this.loop.drainMailbox();
  }

  flushMetrics(): void {
    const samples = this.customMetrics.flush();
    for (const slot of this.slots) slot.counters.set(Slot.MailboxDepth, slot.pending.length);
    if (samples.length > 0) this.options.emit({ type: "MetricsReport", samples });
  }

  private slotNamed(actor: string): HostedSlot {
    const slot = this.byName.get(actor);
    if (slot === undefined) throw new Error(`actor ${actor} is not hosted on ${this.options.thread}`);
    return slot;
  }
}
