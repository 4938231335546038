import type { Logger } from "pino";
import type { AnyMessage, Codec } from "../protocol/codec.js";
import type { SupervisorToHost } from "../protocol/host.js";
import type { Doorbell } from "../transport/doorbell.js";
import type { FrameReader } from "../transport/frames.js";
import type { Clock } from "./clock.js";
import { type ActorMetrics, Slot } from "./metrics.js";
import type { Inbound, Router } from "./router.js";
import type { HostedSlot } from "./slot.js";
import type { TimerQueue } from "./timers.js";

/** Messages held for an actor that is restarting; past this many the oldest are dropped and counted. */
const MAX_PENDING = 65_536;

export interface TurnOptions {
  readonly router: Router<HostedSlot>;
  readonly timers: TimerQueue;
  /** The host's slots, in start order (filled by `start`). */
  readonly slots: readonly HostedSlot[];
  readonly inbound: readonly Inbound[];
  /** Supervisor commands, drained at the start of every turn. */
  readonly control?: { readonly reader: FrameReader; readonly onCommand: (command: SupervisorToHost) => void };
  readonly bell: Doorbell;
  readonly clock: Clock;
  readonly codec: Codec;
  readonly log: Logger;
  readonly metricsOf: (actor: string) => ActorMetrics;
  /** Ends the slot's incarnation: a handler, a timer or a fault injection threw. */
  readonly crash: (slot: HostedSlot, err: unknown) => void;
}

/**
 * The host's turn: inbound frames and supervisor commands, the mailbox, due timers and frames held back
 * by full rings; the delivery of one message to one actor (held while the actor is not running or holds
 * its inputs, retried once after a crash); and rehearsals while the thread spins idle.
 */
export class HostTurn {
  /** True inside a turn (or a release of held inputs): a send queues rather than running a turn of its own. */
  dispatching = false;
  /** True while an actor rehearses: a send then is refused. */
  rehearsing = false;
  /** The message a handler is running on, which `ctx.holdInputs` may keep. */
  delivering: { slot: HostedSlot; channel: number; message: AnyMessage; kept: boolean } | undefined;
  private deliveries = 0;
  private lastRehearsalMs = 0;

  constructor(private readonly options: TurnOptions) {}

  /** True when a frame is waiting on an inbound ring or a message in the mailbox. */
  hasWork(): boolean {
    const { router, control, inbound } = this.options;
    if (router.mailbox.size > 0 || router.holdsFrames) return true;
    if (control?.reader.hasData()) return true;
    for (const ring of inbound) if (ring.reader.hasData()) return true;
    return false;
  }

  /**
   * One loop turn: inbound frames, the mailbox, due timers, held-back frames. Returns how much was done
   * (0 = idle). `maxFrames` bounds each ring's batch so one busy peer cannot starve the others.
   */
  run(maxFrames: number): number {
    const { router, control, inbound } = this.options;
    let work = 0;
    this.dispatching = true;
    try {
      if (control) work += control.reader.drain(this.onControlFrame, 64);
      for (const ring of inbound) {
        work += ring.reader.drain(router.onFrame, maxFrames);
        work += this.drainMailbox();
      }
      work += this.drainMailbox();
      work += this.fireTimers();
      if (router.holdsFrames) work += router.retryOverflow();
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

  drainMailbox(): number {
    const mailbox = this.options.router.mailbox;
    let n = 0;
    for (;;) {
      const item = mailbox.shift();
      if (item === undefined) return n;
      this.deliver(item.target, item.channel, item.message);
      n++;
    }
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
    const handler = slot.handlers[message.type];
    slot.counters.add(Slot.MessagesIn);
    if (slot.decisions?.[message.type] !== undefined) slot.lastDecided = message;
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
      applyInjectedFault(slot);
      handler(message, this.options.router.channelName(channel));
    } catch (err) {
      this.options.crash(slot, err);
      if (!delivering.kept) this.holdForRetry(slot, channel, message);
    } finally {
      this.delivering = outerDelivering;
      bell.setCurrentActor(outer);
      if (timed) slot.counters.observeHandlerSeconds((performance.now() - t0) / 1000);
    }
  }

  /**
   * The message a handler threw on is given once more to the restarted actor: the crash may have had
   * nothing to do with it (fault injection, a transient failure), and an order report or fill must not be
   * lost. If the new incarnation throws on it too, it is a poison message: dropped and counted.
   */
  private holdForRetry(slot: HostedSlot, channel: number, message: AnyMessage): void {
    if (slot.retried === message) {
      slot.retried = undefined;
      slot.counters.add(Slot.Drops);
      this.options.metricsOf(slot.spec.name).count("poison_messages_total", { type: message.type });
      slot.log.error({ type: message.type }, "message crashed the actor twice; dropped as poison");
      return;
    }
    slot.retried = message;
    slot.pending.unshift({ channel, message });
  }

  /**
   * Delivers the held inputs now, before anything newer (sends made meanwhile wait for the loop); if
   * one is held again (`holdInputs` anew), it and those after it stay held, in order.
   */
  releaseInputs(slot: HostedSlot): void {
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
  }

  private fireTimers(): number {
    const { timers, slots, bell } = this.options;
    let n = 0;
    const now = this.options.clock.now();
    for (;;) {
      const due = timers.popDue(now);
      if (due === undefined) return n;
      n++;
      const slot = slots.find((s) => s.spec.index === due.owner);
      if (slot?.state !== "running" || slot.instance?.onTimer === undefined) continue;
      const onTimer = slot.instance.onTimer.bind(slot.instance);
      bell.setCurrentActor(slot.spec.index);
      try {
        applyInjectedFault(slot);
        onTimer(due.name);
      } catch (err) {
        this.options.crash(slot, err);
      } finally {
        bell.clearCurrentActor();
      }
      n += this.drainMailbox();
    }
  }

  /**
   * Has every running actor with a latest decided input decide on it again, if `everyMs` passed since the
   * last time (times are `performance.now()`). Returns whether it did. One that throws or sends is logged
   * and not asked again: a rehearsal must never change what the actor does. A frame that arrives meanwhile
   * ends the round before the next actor: it waits for at most one actor's rehearsal, not the thread's.
   */
  rehearseIfDue(nowMs: number, everyMs: number): boolean {
    if (nowMs - this.lastRehearsalMs < everyMs) return false;
    this.lastRehearsalMs = nowMs;
    this.rehearsing = true;
    try {
      for (const slot of this.options.slots) {
        if (this.hasWork()) break;
        const input = slot.lastDecided;
        if (slot.state !== "running" || input === undefined || slot.rehearsalFailed) continue;
        this.options.bell.setCurrentActor(slot.spec.index);
        try {
          slot.decisions![input.type]!(input);
        } catch (err) {
          slot.rehearsalFailed = true;
          this.options.metricsOf(slot.spec.name).count("rehearsal_failures_total", {});
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
}

/** Fault injection takes effect in the actor's next handler or timer call. */
function applyInjectedFault(slot: HostedSlot): void {
  if (slot.stallNext) {
    slot.stallNext = false;
    slot.log.warn("fault injection: this handler call now spins forever");
    spinForever();
  }
  if (!slot.crashNext) return;
  slot.crashNext = false;
  throw new Error(`fault injection: crash requested for ${slot.spec.name}`);
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
