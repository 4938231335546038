import { defineActor } from "../../src/runtime/actor.js";
import type { Book } from "../../src/protocol/market-data.js";
import type { ProposeOrder } from "../../src/protocol/orders.js";
import { wallClockNs } from "../../src/runtime/clock.js";

export interface ProposerConfig {
  readonly count: number;
  readonly everyMs: number;
  /** Proposing starts after this long, once the order manager has reconciled its journal. */
  readonly startAfterMs: number;
}

/**
 * Plays feed and strategy for the order-path benchmark, on the strategy's thread: publishes a BTC book
 * now and then and proposes one small IOC order per tick, alternating sides. The intent id carries the
 * wall-clock ns at which the proposal entered risk's mailbox, so the far end can time it.
 */
export default defineActor<ProposerConfig>({
  kind: "proposer",
  reads: ["events.risk"],
  writes: ["orders.proposed", "orders.cancel", "md.book"],
  init(ctx) {
    const { count, everyMs, startAfterMs } = ctx.config;
    let seq = 0;
    const publishBook = () => {
      const now = ctx.now();
      const book: Book = {
        type: "Book",
        instrument: 0,
        tsNs: now,
        recvNs: now,
        seq,
        valid: true,
        bidPx: [99_999, 99_998],
        bidSz: [5, 5],
        askPx: [100_001, 100_002],
        askSz: [5, 5],
        mid: 100_000,
        relativeSpread: 2e-5,
        imbalance: 0,
        bidDepth: 1e6,
        askDepth: 1e6,
        ofi: 0,
        midVolatility: 0,
      };
      ctx.send("md.book", book);
    };
    ctx.setTimer("start", startAfterMs);
    return {
      handle: {},
      onTimer: (name) => {
        if (name === "start") return ctx.setInterval("propose", everyMs);
        if (seq >= count) return ctx.clearTimer("propose");
        if (seq % 50 === 0) publishBook();
        const side = seq % 2 === 0 ? "buy" : "sell";
        const order: ProposeOrder = {
          type: "ProposeOrder",
          strategy: "bench",
          intentId: `b${seq++}-${wallClockNs()}`,
          instrument: 0,
          symbol: "BTC-USDT-PERP",
          marketType: "perp",
          side,
          orderType: "limit",
          tif: "IOC",
          price: side === "buy" ? 100_010 : 99_990,
          size: 0.001,
          reduceOnly: false,
          role: "entry",
          tsNs: ctx.now(),
        };
        ctx.send("orders.proposed", order);
      },
    };
  },
});
