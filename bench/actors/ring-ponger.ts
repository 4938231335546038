import { defineActor } from "../../src/runtime/actor.js";
import type { Ping, Pong } from "../../src/protocol/control.js";
import { wallClockNs } from "../../src/protocol/time.js";

/** Answers every ping with a pong stamped with the ping's arrival (epoch ns), so a round trip splits into its two ways. */
export default defineActor({
  kind: "ring-ponger",
  reads: ["bench.ping"],
  writes: ["bench.pong"],
  init(ctx) {
    const pong: Pong = { type: "Pong", id: 0, sentNs: 0n, actor: ctx.name };
    return {
      handle: {
        Ping: (ping: Ping) => {
          pong.id = ping.id;
          pong.sentNs = wallClockNs();
          ctx.send("bench.pong", pong);
        },
      },
    };
  },
});
