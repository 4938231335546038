import { defineActor } from "../../src/runtime/actor.js";
import type { Trade } from "../../src/protocol/market-data.js";
import type { ProposeOrder } from "../../src/protocol/orders.js";
import type { JumpDetected } from "../../src/protocol/signals.js";

/**
 * The stages a tap sees pass: the shard's pushed scan results in, then the entry approved by risk and placed by the
 * order manager.
 */
export type DecisionStage = "scan_result" | "approved" | "placed";

export interface DecisionTapConfig {
  readonly onTrade: (trade: Trade) => void;
  readonly onJump: (jump: JumpDetected) => void;
  /** Scan results, an approval or a placement passed by (its arrival time here is the stage's time). */
  readonly onStage: (stage: DecisionStage) => void;
  readonly onProposal: (order: ProposeOrder) => void;
}

/**
 * Watches the feed's trades, the jumps, the scans, the strategy's proposals and their way to the venue, for the
 * decision benchmarks.
 */
export default defineActor<DecisionTapConfig>({
  kind: "decision-tap",
  reads: ["md.trade", "signal.jump", "signal.scan.result", "orders.proposed", "orders.approved", "orders.venue"],
  writes: [],
  init(ctx) {
    return {
      handle: {
        Trade: (t: Trade) => ctx.config.onTrade(t),
        JumpDetected: (j: JumpDetected) => ctx.config.onJump(j),
        PairsScanned: () => ctx.config.onStage("scan_result"),
        ProposeOrder: (o: ProposeOrder) => ctx.config.onProposal(o),
        SubmitOrder: () => ctx.config.onStage("approved"),
        PlaceOrder: () => ctx.config.onStage("placed"),
      },
    };
  },
});
