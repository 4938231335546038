import { defineActor } from "../../src/runtime/actor.js";
import type { Ping, Pong } from "../../src/protocol/control.js";

/** Answers every ping with a pong. */
export default defineActor({
  kind: "hop-ponger",
  reads: ["bench.ping"],
  writes: ["bench.pong"],
  init(ctx) {
    const pong: Pong = { type: "Pong", id: 0, sentNs: 0n, actor: ctx.name };
    return {
      handle: {
        Ping: (ping: Ping) => {
          pong.id = ping.id;
          ctx.send("bench.pong", pong);
        },
      },
    };
  },
});
