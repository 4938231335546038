import { defineActor } from "../../src/runtime/actor.js";
import type { Book } from "../../src/protocol/market-data.js";
import type { ProposeOrder } from "../../src/protocol/orders.js";

export interface ProposerConfig {
  readonly count: number;
  readonly everyMs: number;
  /** Called with the order's sequence number just before it enters risk. */
  readonly onPropose: (seq: number) => void;
  /** Proposing starts once this says the system is up (the order manager has reconciled its journal). */
  readonly ready: () => boolean;
}

/**
 * Plays feed and strategy for the order-path benchmark: publishes a BTC book now and then, and proposes
 * one small IOC order per tick, alternating sides, with its sequence number as intent id.
 */
export default defineActor<ProposerConfig>({
  kind: "proposer",
  reads: ["events.risk"],
  writes: ["orders.proposed", "orders.cancel", "md.book"],
  init(ctx) {
    const { count, everyMs, onPropose, ready } = ctx.config;
    let seq = 0;
    const publishBook = () => {
      const now = ctx.now();
      const book: Book = {
        type: "Book", instrument: 0, tsNs: now, recvNs: now, seq: seq, valid: true,
        bidPx: [99_999, 99_998], bidSz: [5, 5], askPx: [100_001, 100_002], askSz: [5, 5],
        mid: 100_000, relativeSpread: 2e-5, imbalance: 0, bidDepth: 1e6, askDepth: 1e6, ofi: 0, midVolatility: 0,
      };
      ctx.send("md.book", book);
    };
    ctx.setInterval("propose", everyMs);
    return {
      handle: {},
      onTimer: () => {
        if (seq >= count) return ctx.clearTimer("propose");
        if (!ready()) return;
        if (seq % 50 === 0) publishBook();
        const side = seq % 2 === 0 ? "buy" : "sell";
        const order: ProposeOrder = {
          type: "ProposeOrder", strategy: "bench", intentId: `b${seq}`, instrument: 0, symbol: "BTC-USDT-PERP", marketType: "perp",
          side, orderType: "limit", tif: "IOC", price: side === "buy" ? 100_010 : 99_990, size: 0.001, reduceOnly: false, role: "entry", tsNs: ctx.now(),
        };
        onPropose(seq++);
        ctx.send("orders.proposed", order);
      },
    };
  },
});
