import { defineActor } from "../../src/runtime/actor.js";
import type { Ping, Pong } from "../../src/protocol/control.js";
import { wallClockNs } from "../../src/runtime/clock.js";

const REPLY_POLL_MS = 5;

export interface RingProberConfig {
  readonly everyMs: number;
  /** Receives each ping's round trip and its way there (ping sent → handled on the other thread), µs. */
  readonly record: (roundTripUs: number, forwardUs: number) => void;
}

/**
 * Pings a `hop-ponger` (arrival stamped) on another thread every `everyMs`, one ping in flight, while the rest of the
 * daemon works: what a bare cross-thread round trip costs under that load, the floor of any path that
 * asks another thread and waits for its answer.
 */
export default defineActor<RingProberConfig>({
  kind: "ring-prober",
  reads: ["bench.pong"],
  writes: ["bench.ping"],
  init(ctx) {
    const ping: Ping = { type: "Ping", id: 0, sentNs: 0n };
    ctx.setInterval("probe", ctx.config.everyMs);
    return {
      handle: {
        Pong: (pong: Pong) => {
          if (pong.id !== ping.id) return;
          ctx.config.record(Number(wallClockNs() - ping.sentNs) / 1000, Number(pong.sentNs - ping.sentNs) / 1000);
          ctx.expectReply(0);
        },
      },
      onTimer: () => {
        ping.id++;
        ping.sentNs = wallClockNs();
        ctx.send("bench.ping", ping);
        // As the strategy waits for a scan's answer: the thread keeps polling for it.
        ctx.expectReply(REPLY_POLL_MS);
      },
    };
  },
});
