import { defineActor, type ActorDef } from "../../runtime/actor.js";
import { collateralAsset } from "../../model/collateral.js";
import { Channels } from "../../protocol/channels.js";
import type { Book } from "../../protocol/market-data.js";
import type { OrderFilled, PlaceOrder } from "../../protocol/orders.js";
import type { JumpDetected } from "../../protocol/signals.js";
import type { RecordBuilder } from "./record-builder.js";

/**
 * An actor of the backtest only, beside the trading actors: it reads what they say to each other (orders
 * placed, the venue's fills, jumps, books) and folds it into the record. It writes nothing, so the run is
 * the same with or without it.
 */
export function observerActor(builder: RecordBuilder, symbolOf: ReadonlyMap<number, string>): ActorDef {
  return defineActor({
    kind: "backtest-observer",
    reads: [Channels.venueCommands, Channels.venueEvents, Channels.jumps, Channels.books],
    writes: [],
    init(ctx) {
      const quoteFee = (fill: OrderFilled) =>
        collateralAsset(fill.feeCurrency) === "USD" ? fill.feeAmount : fill.feeAmount * fill.price;
      return {
        handle: {
          PlaceOrder: (o: PlaceOrder) =>
            builder.placed({ clId: o.clId, intentId: o.intentId, symbol: o.symbol, side: o.side, role: o.role }),
          OrderFilled: (f: OrderFilled) =>
            builder.filled({ clId: f.clId, price: f.price, size: f.size, fee: quoteFee(f) }, ctx.now()),
          JumpDetected: (j: JumpDetected) =>
            builder.jump({
              tsNs: j.tsNs,
              symbol: symbolOf.get(j.instrument) ?? String(j.instrument),
              bps: j.jumpBps,
              systematic: j.systematic,
            }),
          Book: (b: Book) => {
            const symbol = symbolOf.get(b.instrument);
            if (symbol !== undefined && b.valid) builder.mid(symbol, b.mid, ctx.now());
          },
        },
      };
    },
  });
}
