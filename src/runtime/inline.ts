import type { Logger } from "pino";
import type { HostToSupervisor } from "../protocol/host.js";
import { createCodec } from "../protocol/catalog.js";
import type { Nanos } from "../model/time.js";
import type { ActorDef } from "./actor.js";
import { SimulatedClock } from "./clock.js";
import { createDoorbell, Doorbell } from "../transport/doorbell.js";
import { ThreadHost } from "./host.js";
import { createMetricsBlock } from "./metrics.js";
import { channelPolicy } from "../protocol/channels.js";

/**
 * The `inline` transport: every actor on the calling thread, no rings, time simulated. The scheduler
 * is ordered by event time: all messages at the current time are delivered (FIFO), then the clock jumps
 * to the earliest timer. Same actor code as the threaded runtime, and deterministic.
 */
/** What the inline runtime needs of a child spec: its name, the module it runs and its config. */
export interface InlineChild {
  readonly name: string;
  readonly module: string;
  readonly config: unknown;
}

export class InlineRuntime {
  readonly clock: SimulatedClock;
  readonly events: HostToSupervisor[] = [];
  private readonly host: ThreadHost;

  constructor(children: readonly InlineChild[], defs: ReadonlyMap<string, ActorDef>, startNs: Nanos, log: Logger) {
    this.clock = new SimulatedClock(startNs);
    const names = [...new Set(children.flatMap((c) => [...defs.get(c.name)!.reads, ...defs.get(c.name)!.writes]))];
    this.host = new ThreadHost({
      thread: "inline",
      actors: children.map((c, index) => ({
        index,
        name: c.name,
        kind: defs.get(c.name)!.kind,
        moduleUrl: c.module,
        config: c.config,
      })),
      channels: names.map((name) => ({ name, policy: channelPolicy(name) })),
      remoteReaders: names.map(() => []),
      inbound: [],
      outbound: [],
      bell: new Doorbell(createDoorbell()),
      metricsBlock: new Float64Array(createMetricsBlock(children.length)),
      blockDeadlineMs: Number.POSITIVE_INFINITY,
      faultInjection: true,
      clock: this.clock,
      codec: createCodec(),
      log,
      emit: (e) => this.events.push(e),
      loadActor: async (url) => {
        const child = children.find((c) => c.module === url)!;
        return defs.get(child.name)!;
      },
    });
  }

  start(): Promise<void> {
    return this.host.start();
  }

  /** Delivers everything due up to `endNs` in event-time order; the clock ends at `endNs`. */
  runUntil(endNs: Nanos): void {
    for (;;) {
      while (this.host.turn() > 0);
      const due = this.host.nextTimerDue();
      if (due === undefined || due > endNs) break;
      this.clock.advanceTo(due);
    }
    this.clock.advanceTo(endNs);
  }

  /** Ships the actors' custom metrics accumulated so far into `events` (as the threaded loop does every second). */
  flushMetrics(): void {
    this.host.flushMetrics();
  }

  stop(actors: readonly string[]): Promise<string[]> {
    return this.host.stop([...actors].reverse(), 1000);
  }
}
