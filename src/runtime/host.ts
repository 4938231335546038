import type { Logger } from "pino";
import type { AnyMessage, Codec } from "../protocol/codec.js";
import { msToNs } from "../model/time.js";
import type { HostedActor, HostToSupervisor, BackpressurePolicy, SupervisorToHost } from "../protocol/host.js";
import type { ActorContext, ActorDef, ActorInstance, Handler } from "./actor.js";
import type { Clock } from "./clock.js";
import { ActorCounters, CustomMetrics, Slot, type ActorMetrics } from "./metrics.js";
import { TimerQueue } from "./timers.js";
import type { Doorbell } from "../transport/doorbell.js";
import { Mailbox } from "../transport/mailbox.js";
import type { FrameReader, FrameWriter } from "../transport/frames.js";
import { ChannelFrames } from "../transport/frames.js";
import { Incarnation } from "./incarnation.js";

/** Messages held for an actor that is restarting; past this many the oldest are dropped and counted. */
const MAX_PENDING = 65_536;
/** How long a restart waits for an ended incarnation's `onStop` and for its releases (`ctx.onDispose`). */
const RELEASE_TIMEOUT_MS = 2000;

type ActorState = "starting" | "running" | "crashed" | "stopping" | "stopped";

interface HostedSlot {
  readonly spec: HostedActor;
  readonly def: ActorDef;
  readonly log: Logger;
  readonly counters: ActorCounters;
  readonly reads: ReadonlySet<number>;
  /** Declared output channels and their indices: one lookup per send. */
  readonly writes: ReadonlyMap<string, number>;
  /** The running instance (undefined unless `state` is "running"). */
  instance: ActorInstance | undefined;
  handlers: Readonly<Record<string, Handler<never>>>;
  state: ActorState;
  pending: { channel: number; message: AnyMessage }[];
  crashNext: boolean;
  /** A fault point (`ctx.faultPoint`) at which the actor is to crash. */
  crashAt: string | undefined;
  /** Fault injection: the next handler or timer call spins forever. */
  stallNext: boolean;
  /** State handed over by a graceful restart. */
  restored: unknown;
  /** The message being retried after it crashed the previous incarnation. */
  retried: AnyMessage | undefined;
  /** The latest incarnation, running or ended; an ended one is released before the next starts. */
  current: Incarnation | undefined;
  incarnations: number;
  /** The `init` in progress, which a restart or a stop waits for. */
  initializing: Promise<void> | undefined;
  /** Restarts run one after the other: a crash during a restart's `init` queues the next one. */
  restarting: Promise<void>;
  /** Set by `stop`: a restart still waiting (its backoff, a release) starts nothing. */
  stopRequested: boolean;
  /** Inputs the actor asked to have held (`ctx.holdInputs`): they wait in `pending`. */
  keep: ((message: AnyMessage) => boolean) | undefined;
  /** `pending` is being delivered after `ctx.releaseInputs`. */
  releasing: boolean;
  /** Set when the instance's `rehearse` threw or sent: it is not rehearsed again. */
  rehearsalFailed: boolean;
}

export interface Outbound {
  readonly peer: string;
  readonly policy: BackpressurePolicy;
  readonly writer: FrameWriter;
  readonly peerBell: Doorbell;
}

export interface Inbound {
  readonly peer: string;
  readonly reader: FrameReader;
}

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
 * Runs a set of actors on one thread: an in-thread mailbox between co-located actors, rings to and from
 * other threads, named timers, and crash containment. A handler that throws marks only its actor
 * crashed; the supervisor decides when to restart it (`restart`), and messages for it wait meanwhile.
 */
export class ThreadHost {
  private readonly slots: HostedSlot[] = [];
  private readonly byName = new Map<string, HostedSlot>();
  private readonly channelIndex = new Map<string, number>();
  /** Per channel index, the local slots that read it. */
  private readonly localReaders: HostedSlot[][];
  /** Per channel index, the outbound rings that carry it. */
  private readonly remoteOut: Outbound[][];
  private readonly mailbox = new Mailbox<HostedSlot>();
  private readonly timers = new TimerQueue();
  private readonly frames: ChannelFrames;
  private readonly customMetrics = new CustomMetrics();
  /** Metrics of the thread itself rather than of one actor (labelled actor="thread:<name>"). */
  private readonly threadMetrics: ActorMetrics;
  /** Frames a `block` channel could not place yet, oldest first, with the wall ms they were queued. */
  private readonly overflow: { out: Outbound; frame: Uint8Array; sinceMs: number }[] = [];
  /** Latest unpublished status per actor. */
  private readonly statuses = new Map<string, unknown>();
  /** Per actor index: `performance.now()` deadline of the reply it expects (`ctx.expectReply`). */
  private readonly replyDeadlines = new Map<number, number>();
  /** The latest of `replyDeadlines`, kept on each change: the spin loop reads it on every poll. */
  private replyUntil = 0;
  private lastStatusFlushMs = 0;
  private lastRehearsalMs = 0;
  private rehearsing = false;
  private dispatching = false;
  private deliveries = 0;
  /** The message a handler is running on, which `ctx.holdInputs` may keep. */
  private delivering: { slot: HostedSlot; channel: number; message: AnyMessage; kept: boolean } | undefined;
  private faulted = false;
  private decodeErrors = 0;
  private lastDecodeLogMs = 0;

  constructor(private readonly options: HostOptions) {
    options.channels.forEach((c, i) => this.channelIndex.set(c.name, i));
    this.localReaders = options.channels.map(() => []);
    this.remoteOut = options.channels.map((c, i) =>
      options.remoteReaders[i]
        .map((peer) => options.outbound.find((o) => o.peer === peer && o.policy === c.policy))
        .filter((o): o is Outbound => {
          if (o === undefined) throw new Error(`no ${c.policy} ring from ${options.thread} for channel ${c.name}`);
          return true;
        }),
    );
    this.frames = new ChannelFrames(options.codec, options.channels.length);
    this.threadMetrics = this.customMetrics.forActor(`thread:${options.thread}`);
  }

  get thread(): string {
    return this.options.thread;
  }

  /** Loads and initialises every hosted actor in order. */
  async start(): Promise<void> {
    for (const spec of this.options.actors) {
      const def = await this.options.loadActor(spec.moduleUrl);
      const slot = this.createSlot(spec, def);
      this.slots.push(slot);
      this.byName.set(spec.name, slot);
      for (const ch of slot.reads) this.localReaders[ch].push(slot);
    }
    for (const slot of this.slots) await this.initSlot(slot);
  }

  private createSlot(spec: HostedActor, def: ActorDef): HostedSlot {
    const unknown = [...def.reads, ...def.writes].filter((c) => !this.channelIndex.has(c));
    if (unknown.length > 0) throw new Error(`actor ${spec.name}: channels not in the topology: ${unknown.join(", ")}`);
    const counters = new ActorCounters(this.options.metricsBlock, spec.index);
    return {
      spec,
      def,
      log: this.options.log.child({ actor: spec.name }),
      counters,
      reads: new Set(def.reads.map((c) => this.channelIndex.get(c)!)),
      writes: new Map(def.writes.map((c) => [c, this.channelIndex.get(c)!])),
      instance: undefined,
      handlers: {},
      state: "starting",
      pending: [],
      crashNext: false,
      crashAt: undefined,
      stallNext: false,
      restored: undefined,
      retried: undefined,
      current: undefined,
      incarnations: 0,
      initializing: undefined,
      restarting: Promise.resolve(),
      stopRequested: false,
      keep: undefined,
      releasing: false,
      rehearsalFailed: false,
    };
  }

  /** The context of one incarnation: dead (sends, timers and statuses dropped) once it has ended. */
  private contextFor(slot: HostedSlot, incarnation: Incarnation): ActorContext {
    const spec = slot.spec;
    const clock = this.options.clock;
    const live = () => !incarnation.ended;
    return {
      name: spec.name,
      config: spec.config,
      log: slot.log,
      metrics: this.customMetrics.forActor(spec.name),
      now: () => clock.now(),
      send: (channel, message) => {
        if (live()) this.send(slot, channel, message);
        else this.dropStaleSend(slot, incarnation, channel);
      },
      setTimer: (name, delayMs) => {
        if (live()) this.timers.set(spec.index, name, clock.now() + msToNs(delayMs));
      },
      setInterval: (name, everyMs) => {
        if (live()) this.timers.set(spec.index, name, clock.now() + msToNs(everyMs), msToNs(everyMs));
      },
      clearTimer: (name) => {
        if (live()) this.timers.clear(spec.index, name);
      },
      publishStatus: (status) => {
        if (live()) this.statuses.set(spec.name, status);
      },
      expectReply: (withinMs) => {
        if (withinMs > 0) this.replyDeadlines.set(spec.index, performance.now() + withinMs);
        else this.replyDeadlines.delete(spec.index);
        this.replyUntil = Math.max(0, ...this.replyDeadlines.values());
        // Set from a socket callback, the expectation finds the loop parked: resume it so it polls.
        if (withinMs > 0) this.onLocalWake?.();
      },
      rehearseCodec: (message) => {
        this.options.codec.decode(this.options.codec.encode(message));
      },
      incarnation: incarnation.number,
      signal: incarnation.signal,
      onDispose: (release) => incarnation.onDispose(release),
      holdInputs: (keep) => {
        if (!live()) return;
        slot.keep = keep;
        const delivering = this.delivering;
        if (delivering?.slot === slot && !delivering.kept && keep(delivering.message)) {
          delivering.kept = true;
          slot.pending.unshift({ channel: delivering.channel, message: delivering.message });
        }
      },
      releaseInputs: () => {
        if (live()) this.releaseInputs(slot);
      },
      heldInputs: () => slot.pending.length,
      faultPoint: (point) => {
        if (slot.crashAt !== point || slot.current !== incarnation || incarnation.ended) return;
        slot.crashAt = undefined;
        this.crash(slot, new Error(`fault injection: crash at ${point} requested for ${spec.name}`));
      },
    };
  }

  /** A send from an incarnation that has ended: its late asynchronous work must not act as the actor. */
  private dropStaleSend(slot: HostedSlot, incarnation: Incarnation, channel: string): void {
    this.customMetrics.forActor(slot.spec.name).count("stale_sends_dropped_total", {});
    if (++incarnation.staleSends > 1) return;
    slot.log.warn({ channel, incarnation: incarnation.number }, "send from an ended incarnation dropped (logged once)");
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
    slot.state = "starting";
    slot.keep = undefined;
    try {
      incarnation.instance = await slot.def.init(this.contextFor(slot, incarnation), slot.restored);
    } catch (err) {
      this.crash(slot, err);
      return;
    }
    // Crashed meanwhile (a fault point, its own async work) or stopped: released by the restart or the stop.
    if (incarnation.ended || slot.state !== "starting") return;
    slot.instance = incarnation.instance;
    slot.handlers = incarnation.instance.handle;
    slot.restored = undefined;
    slot.state = "running";
    this.options.emit({ type: "ActorStarted", actor: slot.spec.name, thread: this.options.thread });
    const held = slot.pending;
    slot.pending = [];
    for (const p of held) this.mailbox.push(slot, p.channel, p.message);
    this.wake();
  }

  // ---- messaging -------------------------------------------------------------------------------------

  private send(from: HostedSlot, channel: string, message: AnyMessage): void {
    if (this.rehearsing) throw new Error(`actor ${from.spec.name} sent on ${channel} while rehearsing`);
    const index = from.writes.get(channel);
    if (index === undefined) throw new Error(`actor ${from.spec.name} does not declare writes: ${channel}`);
    from.counters.add(Slot.MessagesOut);
    for (const reader of this.localReaders[index]) this.mailbox.push(reader, index, message);
    const outs = this.remoteOut[index];
    if (outs.length > 0) {
      const frame = this.frames.encode(index, message);
      for (const out of outs) this.writeFrame(out, frame);
    }
    if (this.dispatching) return;
    if (this.options.runInputsAtOnce) {
      this.turn();
      if (this.hasWork()) this.wake();
    } else {
      this.wake();
    }
  }

  private writeFrame(out: Outbound, frame: Uint8Array): void {
    if (this.overflow.length > 0 && out.policy === "block" && this.overflow.some((o) => o.out === out)) {
      this.overflow.push({ out, frame: frame.slice(), sinceMs: Date.now() });
      return;
    }
    if (out.writer.tryWrite(frame)) {
      out.peerBell.ring();
    } else if (out.policy === "block") {
      this.overflow.push({ out, frame: frame.slice(), sinceMs: Date.now() });
    }
  }

  /** Retries frames held back by full `block` rings, in order; past the deadline raises a host fault. */
  private retryOverflow(): number {
    let moved = 0;
    while (this.overflow.length > 0) {
      const head = this.overflow[0];
      if (!head.out.writer.tryWrite(head.frame)) {
        if (!this.faulted && Date.now() - head.sinceMs > this.options.blockDeadlineMs) {
          this.faulted = true;
          this.options.emit({
            type: "HostFault",
            thread: this.options.thread,
            reason:
              `ring to ${head.out.peer} full for more than ${this.options.blockDeadlineMs} ms ` +
              `(${this.overflow.length} frames waiting)`,
          });
        }
        break;
      }
      head.out.peerBell.ring();
      this.overflow.shift();
      moved++;
    }
    if (this.overflow.length === 0) this.faulted = false;
    return moved;
  }

  /**
   * `performance.now()` until which an actor of this thread expects a reply (`ctx.expectReply`); 0 if
   * none was ever set or all were withdrawn. May be past: callers compare it with their own clock read.
   */
  replyExpectedUntil(): number {
    return this.replyUntil;
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
    if (this.mailbox.size > 0 || this.overflow.length > 0) return true;
    if (this.options.control?.reader.hasData()) return true;
    for (const inbound of this.options.inbound) if (inbound.reader.hasData()) return true;
    return false;
  }

  /**
   * One loop turn: inbound frames, the mailbox, due timers, held-back frames. Returns how much was done
   * (0 = idle). `maxFrames` bounds each ring's batch so one busy peer cannot starve the others.
   */
  turn(maxFrames = 4096): number {
    let work = 0;
    this.dispatching = true;
    try {
      if (this.options.control) work += this.options.control.reader.drain(this.onControlFrame, 64);
      for (const inbound of this.options.inbound) {
        work += inbound.reader.drain(this.onFrame, maxFrames);
        work += this.drainMailbox();
      }
      work += this.drainMailbox();
      work += this.fireTimers();
      if (this.overflow.length > 0) work += this.retryOverflow();
    } finally {
      this.dispatching = false;
    }
    return work;
  }

  private readonly onControlFrame = (frame: Uint8Array): void => {
    const decoded = this.options.codec.decode(frame);
    if (decoded.ok) this.options.control!.onCommand(decoded.message as SupervisorToHost);
    else this.options.log.error({ reason: decoded.error.reason }, "undecodable supervisor command");
  };

  private readonly onFrame = (frame: Uint8Array): void => {
    const decoded = this.frames.decode(frame);
    if (!decoded.ok) {
      this.decodeErrors++;
      this.threadMetrics.count("frames_undecodable_total", { reason: decoded.reason });
      const now = Date.now();
      if (now - this.lastDecodeLogMs > 10_000) {
        this.lastDecodeLogMs = now;
        this.options.log.warn(
          { thread: this.options.thread, reason: decoded.reason, total: this.decodeErrors },
          "dropped undecodable frame",
        );
      }
      return;
    }
    for (const reader of this.localReaders[decoded.channel])
      this.mailbox.push(reader, decoded.channel, decoded.message);
  };

  private drainMailbox(): number {
    let n = 0;
    for (;;) {
      const item = this.mailbox.shift();
      if (item === undefined) return n;
      this.deliver(item.target, item.channel, item.message);
      n++;
    }
  }

  /**
   * Delivers the held inputs now, before anything newer (sends made meanwhile wait for the loop); if
   * one is held again (`holdInputs` anew), it and those after it stay held, in order.
   */
  private releaseInputs(slot: HostedSlot): void {
    slot.keep = undefined;
    if (slot.releasing || slot.state !== "running") return;
    slot.releasing = true;
    const dispatching = this.dispatching;
    this.dispatching = true;
    try {
      while (slot.pending.length > 0 && slot.keep === undefined && slot.state === "running") {
        const { channel, message } = slot.pending.shift()!;
        this.deliver(slot, channel, message);
      }
    } finally {
      this.dispatching = dispatching;
      slot.releasing = false;
    }
    if (!dispatching) this.wake();
  }

  private deliver(slot: HostedSlot, channel: number, message: AnyMessage): void {
    if (slot.state !== "running" || (slot.keep !== undefined && slot.keep(message))) {
      if (slot.state === "stopped") return;
      if (slot.pending.length >= MAX_PENDING) {
        slot.pending.shift();
        slot.counters.add(Slot.Drops);
      }
      slot.pending.push({ channel, message });
      return;
    }
    const handler = slot.handlers[message.type] as Handler | undefined;
    slot.counters.add(Slot.MessagesIn);
    if (handler === undefined) return;
    const bell = this.options.bell;
    // A send from outside a turn runs one inside the sender's call (`runInputsAtOnce`): restore, not clear.
    const outer = bell.currentActor();
    bell.setCurrentActor(slot.spec.index);
    // Timing every call would cost two clock reads per hop (most of a co-located hop); one in 16 is plenty for a
    // histogram.
    const timed = (++this.deliveries & 15) === 0;
    const t0 = timed ? performance.now() : 0;
    const outerDelivering = this.delivering;
    const delivering = { slot, channel, message, kept: false };
    this.delivering = delivering;
    try {
      this.applyInjectedFault(slot);
      handler(message, this.options.channels[channel].name);
    } catch (err) {
      this.crash(slot, err);
      if (!delivering.kept) this.holdForRetry(slot, channel, message);
    } finally {
      this.delivering = outerDelivering;
      bell.setCurrentActor(outer);
      if (timed) slot.counters.observeHandlerSeconds((performance.now() - t0) / 1000);
    }
  }

  private fireTimers(): number {
    let n = 0;
    const now = this.options.clock.now();
    for (;;) {
      const due = this.timers.popDue(now);
      if (due === undefined) return n;
      n++;
      const slot = this.slots.find((s) => s.spec.index === due.owner);
      if (slot?.state !== "running" || slot.instance?.onTimer === undefined) continue;
      const onTimer = slot.instance.onTimer.bind(slot.instance);
      this.options.bell.setCurrentActor(slot.spec.index);
      try {
        this.applyInjectedFault(slot);
        onTimer(due.name);
      } catch (err) {
        this.crash(slot, err);
      } finally {
        this.options.bell.clearCurrentActor();
      }
      n += this.drainMailbox();
    }
  }

  /**
   * Has every running actor with a `rehearse` rehearse, if `everyMs` passed since the last time (times
   * are `performance.now()`). Returns whether it did. One that throws or sends is logged and not asked
   * again: a rehearsal must never change what the actor does. A frame that arrives meanwhile ends the
   * round before the next actor: it waits for at most one actor's rehearsal, not the thread's.
   */
  rehearseIfDue(nowMs: number, everyMs: number): boolean {
    if (nowMs - this.lastRehearsalMs < everyMs) return false;
    this.lastRehearsalMs = nowMs;
    this.rehearsing = true;
    try {
      for (const slot of this.slots) {
        if (this.hasWork()) break;
        const rehearse = slot.instance?.rehearse;
        if (slot.state !== "running" || rehearse === undefined || slot.rehearsalFailed) continue;
        this.options.bell.setCurrentActor(slot.spec.index);
        try {
          rehearse.call(slot.instance);
        } catch (err) {
          slot.rehearsalFailed = true;
          this.customMetrics.forActor(slot.spec.name).count("rehearsal_failures_total", {});
          slot.log.error({ err }, "rehearsal failed; the actor is no longer rehearsed (its handlers are unaffected)");
        } finally {
          this.options.bell.clearCurrentActor();
        }
      }
    } finally {
      this.rehearsing = false;
    }
    return true;
  }

  /** Due time of the next timer, for the loop's park timeout or the inline scheduler. */
  nextTimerDue(): bigint | undefined {
    return this.timers.peekDue();
  }

  // ---- failure and lifecycle -------------------------------------------------------------------------

  /**
   * The message a handler threw on is given once more to the restarted actor: the crash may have had
   * nothing to do with it (fault injection, a transient failure), and an order report or fill must not be
   * lost. If the new incarnation throws on it too, it is a poison message: dropped and counted.
   */
  private holdForRetry(slot: HostedSlot, channel: number, message: AnyMessage): void {
    if (slot.retried === message) {
      slot.retried = undefined;
      slot.counters.add(Slot.Drops);
      this.customMetrics.forActor(slot.spec.name).count("poison_messages_total", { type: message.type });
      slot.log.error({ type: message.type }, "message crashed the actor twice; dropped as poison");
      return;
    }
    slot.retried = message;
    slot.pending.unshift({ channel, message });
  }

  /**
   * Ends the current incarnation at once: its signal aborts, so its asynchronous work stops before the
   * restart (which releases it) starts the next. A crash of an incarnation that already ended is none.
   */
  private crash(slot: HostedSlot, err: unknown): void {
    const incarnation = slot.current;
    if (incarnation === undefined || incarnation.ended) return;
    const error = err instanceof Error ? err : new Error(String(err));
    slot.state = "crashed";
    incarnation.end(error);
    slot.instance = undefined;
    slot.handlers = {};
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
      slot.state = "stopping";
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
    slot.instance = undefined;
    slot.handlers = {};
    this.timers.clearOwner(slot.spec.index);
    const released = await incarnation.dispose(RELEASE_TIMEOUT_MS);
    if (!released) {
      slot.log.error({ incarnation: incarnation.number }, "the ended incarnation did not release everything; going on");
    }
    return released;
  }

  /** Fault injection takes effect in the actor's next handler or timer call. */
  private applyInjectedFault(slot: HostedSlot): void {
    if (slot.stallNext) {
      slot.stallNext = false;
      slot.log.warn("fault injection: this handler call now spins forever");
      spinForever();
    }
    if (!slot.crashNext) return;
    slot.crashNext = false;
    throw new Error(`fault injection: crash requested for ${slot.spec.name}`);
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
      slot.state = "stopping";
      slot.stopRequested = true;
      await slot.initializing;
      // A crashed incarnation's onStop is best effort, as before a restart; its failure is not the stop's.
      const crashed = slot.current?.ended === true;
      const stopped = await this.stopInstance(slot, timeoutMs, slot.current?.instance);
      const released = await this.release(slot);
      if (!crashed && !(stopped && released)) failed.push(name);
      slot.state = "stopped";
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
    if (slot.state !== "running" || slot.instance?.onCommand === undefined) {
      slot.log.warn({ command }, "command ignored: actor not running or has no commands");
      return;
    }
    const outer = this.options.bell.currentActor();
    this.options.bell.setCurrentActor(slot.spec.index);
    try {
      slot.instance.onCommand(command, args);
    } catch (err) {
      this.crash(slot, err);
    } finally {
      this.options.bell.setCurrentActor(outer);
    }
    this.drainMailbox();
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

/**
 * An injected stall: a handler stuck in a loop, as a core catching up a gap step by step would be. Only
 * the thread's end (a worker terminated by the supervisor) or the process's (the main-thread watchdog)
 * stops it.
 */
function spinForever(): never {
  for (;;) {
    // Nothing: the loop itself is the fault.
  }
}
