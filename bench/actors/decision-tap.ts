import { defineActor } from "../../src/runtime/actor.js";
import type { Trade } from "../../src/protocol/market-data.js";
import type { ProposeOrder } from "../../src/protocol/orders.js";
import type { JumpDetected } from "../../src/protocol/signals.js";

export interface DecisionTapConfig {
  readonly onTrade: (trade: Trade) => void;
  readonly onJump: (jump: JumpDetected) => void;
  readonly onProposal: (order: ProposeOrder) => void;
}

/** Watches the feed's trades, the jumps and the strategy's proposals, for the decision benchmarks. */
export default defineActor<DecisionTapConfig>({
  kind: "decision-tap",
  reads: ["md.trade", "signal.jump", "orders.proposed"],
  writes: [],
  init(ctx) {
    return {
      handle: {
        Trade: (t: Trade) => ctx.config.onTrade(t),
        JumpDetected: (j: JumpDetected) => ctx.config.onJump(j),
        ProposeOrder: (o: ProposeOrder) => ctx.config.onProposal(o),
      },
    };
  },
});
