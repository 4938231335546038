/**
 * The backtest's actors with no runtime: each handler called straight from a FIFO queue, timers in a plain
 * list, the same simulated clock semantics as the inline runtime (every message due now, then the earliest
 * timer). No mailbox, counters, statuses, crash containment or input bookkeeping beyond what the actors
 * need (`holdInputs`). The backtest benchmark runs the same replay through this and through the inline
 * runtime: the ratio is the runtime's overhead (`runtime_overhead`).
 */
import type { Logger } from "pino";
import type { ActorLoop, ActorLoopFactory } from "../src/backtest/runner/run.js";
import type { Nanos } from "../src/model/time.js";
import { msToNs } from "../src/model/time.js";
import type { AnyMessage } from "../src/protocol/codec.js";
import type { HostToSupervisor } from "../src/protocol/host.js";
import type { ActorContext, ActorDef, ActorInstance } from "../src/runtime/actor.js";
import { SimulatedClock } from "../src/runtime/clock.js";
import { CustomMetrics } from "../src/runtime/metrics.js";
import type { HandlerTable } from "../src/runtime/slot.js";
import type { ResolvedChildSpec } from "../src/supervisor/child-spec.js";

interface Slot {
  readonly name: string;
  readonly def: ActorDef;
  readonly config: unknown;
  instance: ActorInstance | undefined;
  keep: ((m: AnyMessage) => boolean) | undefined;
  readonly held: AnyMessage[];
}

interface Timer {
  readonly slot: Slot;
  readonly name: string;
  dueNs: Nanos;
  readonly everyNs: Nanos | undefined;
}

class DirectLoop implements ActorLoop {
  readonly clock: SimulatedClock;
  readonly events: HostToSupervisor[] = [];
  private readonly slots: Slot[];
  private readonly readers = new Map<string, Slot[]>();
  private readonly queue: { slot: Slot; message: AnyMessage }[] = [];
  private head = 0;
  private readonly timers = new Map<string, Timer>();
  private readonly metrics = new CustomMetrics();

  constructor(
    children: readonly ResolvedChildSpec[],
    defs: ReadonlyMap<string, ActorDef>,
    startNs: Nanos,
    private readonly log: Logger,
  ) {
    this.clock = new SimulatedClock(startNs);
    this.slots = children.map((c) => ({
      name: c.name,
      def: defs.get(c.name)!,
      config: c.config,
      instance: undefined,
      keep: undefined,
      held: [],
    }));
    for (const slot of this.slots)
      for (const channel of slot.def.reads) this.readers.set(channel, [...(this.readers.get(channel) ?? []), slot]);
  }

  async start(): Promise<void> {
    for (const slot of this.slots) slot.instance = await slot.def.init(this.contextOf(slot), undefined);
  }

  private contextOf(slot: Slot): ActorContext {
    const timerKey = (name: string) => `${slot.name}\u0000${name}`;
    return {
      name: slot.name,
      config: slot.config,
      log: this.log.child({ actor: slot.name }),
      metrics: this.metrics.forActor(slot.name),
      now: () => this.clock.now(),
      send: (channel, message) => {
        for (const reader of this.readers.get(channel) ?? []) this.queue.push({ slot: reader, message });
      },
      setTimer: (name, delayMs) =>
        this.timers.set(timerKey(name), { slot, name, dueNs: this.clock.now() + msToNs(delayMs), everyNs: undefined }),
      setInterval: (name, everyMs) =>
        this.timers.set(timerKey(name), {
          slot,
          name,
          dueNs: this.clock.now() + msToNs(everyMs),
          everyNs: msToNs(everyMs),
        }),
      clearTimer: (name) => this.timers.delete(timerKey(name)),
      publishStatus: () => undefined,
      expectReply: () => undefined,
      rehearseCodec: () => undefined,
      incarnation: 1,
      signal: new AbortController().signal,
      onDispose: () => undefined,
      holdInputs: (keep) => {
        slot.keep = keep;
      },
      releaseInputs: () => {
        slot.keep = undefined;
        for (const message of slot.held.splice(0)) this.queue.push({ slot, message });
      },
      heldInputs: () => slot.held.length,
      faultPoint: () => undefined,
    };
  }

  private drain(): void {
    while (this.head < this.queue.length) {
      const { slot, message } = this.queue[this.head++];
      if (slot.keep?.(message)) {
        slot.held.push(message);
        continue;
      }
      const handler = (slot.instance?.handle as HandlerTable | undefined)?.[message.type];
      handler?.(message, "");
    }
    this.queue.length = 0;
    this.head = 0;
  }

  runUntil(endNs: Nanos): void {
    for (;;) {
      this.drain();
      let next: Timer | undefined;
      for (const t of this.timers.values()) if (next === undefined || t.dueNs < next.dueNs) next = t;
      if (next === undefined || next.dueNs > endNs) break;
      this.clock.advanceTo(next.dueNs);
      if (next.everyNs === undefined) this.timers.delete(`${next.slot.name}\u0000${next.name}`);
      else next.dueNs += next.everyNs;
      next.slot.instance?.onTimer?.(next.name);
    }
    this.clock.advanceTo(endNs);
  }

  async stop(actors: readonly string[]): Promise<void> {
    for (const name of [...actors].reverse()) await this.slots.find((s) => s.name === name)?.instance?.onStop?.();
  }
}

export const directActorLoop: ActorLoopFactory = (children, defs, startNs, log) =>
  new DirectLoop(children, defs, startNs, log);
