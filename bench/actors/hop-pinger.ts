import { defineActor } from "../../src/runtime/actor.js";
import type { Ping, Pong } from "../../src/protocol/control.js";

export interface HopPingerConfig {
  /** Round trips per timed batch: one performance.now() pair per batch keeps the clock out of the figure. */
  readonly batch: number;
  readonly batches: number;
  /** Receives the mean round trip (µs) of each batch. */
  readonly record: (roundTripUs: number) => void;
}

/** Sends a ping, waits for the pong, sends the next: co-located with its ponger, every hop is a mailbox hop. */
export default defineActor<HopPingerConfig>({
  kind: "hop-pinger",
  reads: ["bench.pong"],
  writes: ["bench.ping"],
  init(ctx) {
    const { batch, batches, record } = ctx.config;
    let sent = 0;
    let batchStart = 0;
    const ping: Ping = { type: "Ping", id: 0, sentNs: 0n };
    const next = () => {
      if (sent % batch === 0) {
        const now = performance.now();
        if (sent > 0) record(((now - batchStart) * 1000) / batch);
        batchStart = now;
      }
      if (sent === batch * batches) return;
      ping.id = sent++;
      ctx.send("bench.ping", ping);
    };
    ctx.setTimer("start", 0);
    return { handle: { Pong: (_: Pong) => next() }, onTimer: next };
  },
});
