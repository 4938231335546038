import type { MessageDef } from "./message.js";
import type { AnyMessage } from "./codec.js";
import { Codec } from "./codec.js";
import * as account from "./account.js";
import * as control from "./control.js";
import * as marketData from "./market-data.js";
import * as orders from "./orders.js";
import * as signals from "./signals.js";

/**
 * Every message that crosses a thread, in a fixed order: the order defines the shared msgpack structures,
 * so append new messages at the end of their family and never reorder.
 */
export const catalog: readonly MessageDef<AnyMessage>[] = [
  control.RestartActor,
  control.StopActors,
  control.InjectCrash,
  control.ActorCommand,
  control.Ping,
  control.Pong,
  control.InjectStall,
  marketData.Trade,
  marketData.Book,
  marketData.MarketDataFrame,
  marketData.ReplayHistory,
  marketData.HistoryReplayed,
  signals.JumpDetected,
  signals.PairsScanned,
  ...[
    orders.ProposeOrder,
    orders.OrderDenied,
    orders.SubmitOrder,
    orders.RequestCancel,
    orders.PlaceOrder,
    orders.CancelOrder,
  ],
  ...[orders.OrderAccepted, orders.OrderRejected, orders.OrderCanceled, orders.OrderFilled],
  ...[
    orders.OrderStatusChanged,
    orders.PositionChanged,
    orders.AccountUpdated,
    orders.RequestAccountState,
    orders.AccountStateSent,
  ],
  account.AccountSnapshot,
];

/** Key orders of the objects nested in catalogue messages, shared like the messages' own (append only). */
export const nestedShapes: readonly (readonly string[])[] = [
  Object.keys(signals.PairScan.shape),
  Object.keys(account.AccountBalance.shape),
  Object.keys(account.AccountPosition.shape),
];

/** A codec over the whole catalogue. Each thread builds its own (a Packr is not shareable). */
export function createCodec(): Codec {
  return new Codec(catalog, nestedShapes);
}

export function messageDef(type: string): MessageDef<AnyMessage> | undefined {
  return catalog.find((d) => d.type === type);
}
