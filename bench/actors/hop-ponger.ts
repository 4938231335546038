import { defineActor } from "../../src/runtime/actor.js";
import type { Ping, Pong } from "../../src/protocol/control.js";
import { wallClockNs } from "../../src/runtime/clock.js";

export interface HopPongerConfig {
  /**
   * Stamps each pong with its ping's arrival (epoch ns), so a round trip splits into its two ways; off where a clock
   * read would weigh.
   */
  readonly stampArrival?: boolean;
}

/** Answers every ping with a pong. */
export default defineActor<HopPongerConfig>({
  kind: "hop-ponger",
  reads: ["bench.ping"],
  writes: ["bench.pong"],
  init(ctx) {
    const pong: Pong = { type: "Pong", id: 0, sentNs: 0n, actor: ctx.name };
    const stamp = ctx.config.stampArrival === true;
    return {
      handle: {
        Ping: (ping: Ping) => {
          pong.id = ping.id;
          if (stamp) pong.sentNs = wallClockNs();
          ctx.send("bench.pong", pong);
        },
      },
    };
  },
});
