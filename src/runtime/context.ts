import type { AnyMessage, Codec } from "../protocol/codec.js";
import { msToNs } from "../model/time.js";
import type { ActorContext } from "./actor.js";
import type { Clock } from "./clock.js";
import type { Incarnation } from "./incarnation.js";
import type { ActorMetrics } from "./metrics.js";
import type { HostedSlot } from "./slot.js";
import type { TimerQueue } from "./timers.js";
import type { HostTurn } from "./turn.js";

/** What an incarnation's context reaches of its host. */
export interface ContextHost {
  readonly clock: Clock;
  readonly codec: Codec;
  readonly timers: TimerQueue;
  readonly turn: HostTurn;
  readonly replies: ReplyDeadlines;
  metricsOf(actor: string): ActorMetrics;
  send(from: HostedSlot, channel: string, message: AnyMessage): void;
  publishStatus(actor: string, status: unknown): void;
  crash(slot: HostedSlot, err: unknown): void;
  /** Resumes the thread's loop if it is parked (`ThreadHost.onLocalWake`). */
  resumeLoop(): void;
}

/** The context of one incarnation: dead (sends, timers and statuses dropped) once it has ended. */
export function actorContext(host: ContextHost, slot: HostedSlot, incarnation: Incarnation): ActorContext {
  const { spec } = slot;
  const { clock, timers, turn } = host;
  const live = () => !incarnation.ended;
  return {
    name: spec.name,
    config: spec.config,
    log: slot.log,
    metrics: host.metricsOf(spec.name),
    now: () => clock.now(),
    send: (channel, message) => {
      if (live()) host.send(slot, channel, message);
      else dropStaleSend(host, slot, incarnation, channel);
    },
    setTimer: (name, delayMs) => {
      if (live()) timers.set(spec.index, name, clock.now() + msToNs(delayMs));
    },
    setInterval: (name, everyMs) => {
      if (live()) timers.set(spec.index, name, clock.now() + msToNs(everyMs), msToNs(everyMs));
    },
    clearTimer: (name) => {
      if (live()) timers.clear(spec.index, name);
    },
    publishStatus: (status) => {
      if (live()) host.publishStatus(spec.name, status);
    },
    expectReply: (withinMs) => {
      host.replies.expect(spec.index, withinMs);
      // Set from a socket callback, the expectation finds the loop parked: resume it so it polls.
      if (withinMs > 0) host.resumeLoop();
    },
    rehearseCodec: (message) => {
      host.codec.decode(host.codec.encode(message));
    },
    incarnation: incarnation.number,
    signal: incarnation.signal,
    onDispose: (release) => incarnation.onDispose(release),
    holdInputs: (keep) => {
      if (!live()) return;
      slot.keep = keep;
      const delivering = turn.delivering;
      if (delivering?.slot === slot && !delivering.kept && keep(delivering.message)) {
        delivering.kept = true;
        slot.pending.unshift({ channel: delivering.channel, message: delivering.message });
      }
    },
    releaseInputs: () => {
      if (live()) turn.releaseInputs(slot);
    },
    heldInputs: () => slot.pending.length,
    faultPoint: (point) => {
      if (slot.crashAt !== point || slot.current !== incarnation || incarnation.ended) return;
      slot.crashAt = undefined;
      host.crash(slot, new Error(`fault injection: crash at ${point} requested for ${spec.name}`));
    },
  };
}

/** A send from an incarnation that has ended: its late asynchronous work must not act as the actor. */
function dropStaleSend(host: ContextHost, slot: HostedSlot, incarnation: Incarnation, channel: string): void {
  host.metricsOf(slot.spec.name).count("stale_sends_dropped_total", {});
  if (++incarnation.staleSends > 1) return;
  slot.log.warn({ channel, incarnation: incarnation.number }, "send from an ended incarnation dropped (logged once)");
}

/** The replies the thread's actors expect (`ctx.expectReply`), per actor index. */
export class ReplyDeadlines {
  /** `performance.now()` deadline per actor index. */
  private readonly deadlines = new Map<number, number>();
  /** The latest deadline, kept on each change: the spin loop reads it on every poll. */
  until = 0;

  expect(actorIndex: number, withinMs: number): void {
    if (withinMs > 0) this.deadlines.set(actorIndex, performance.now() + withinMs);
    else this.deadlines.delete(actorIndex);
    this.until = Math.max(0, ...this.deadlines.values());
  }
}
