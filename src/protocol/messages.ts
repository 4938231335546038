import type { ActorCommand, InjectCrash, InjectStall, Ping, Pong, RestartActor, StopActors } from "./control.js";
import type { Book, HistoryReplayed, MarketDataFrame, ReplayHistory, Trade } from "./market-data.js";
import type {
  AccountStateSent,
  AccountUpdated,
  CancelOrder,
  OrderAccepted,
  OrderCanceled,
  OrderDenied,
  OrderFilled,
  OrderRejected,
  OrderStatusChanged,
  PlaceOrder,
  PositionChanged,
  ProposeOrder,
  RequestAccountState,
  RequestCancel,
  SubmitOrder,
} from "./orders.js";
import type { JumpDetected, PairsScanned } from "./signals.js";
import type { AccountSnapshot } from "./account.js";

/** Every catalogue message by its `type` (`catalog.ts` holds their schemas): what typed handlers are keyed by. */
export interface Messages {
  RestartActor: RestartActor;
  StopActors: StopActors;
  InjectCrash: InjectCrash;
  ActorCommand: ActorCommand;
  Ping: Ping;
  Pong: Pong;
  InjectStall: InjectStall;
  Trade: Trade;
  Book: Book;
  MarketDataFrame: MarketDataFrame;
  ReplayHistory: ReplayHistory;
  HistoryReplayed: HistoryReplayed;
  JumpDetected: JumpDetected;
  PairsScanned: PairsScanned;
  AccountSnapshot: AccountSnapshot;
  ProposeOrder: ProposeOrder;
  OrderDenied: OrderDenied;
  SubmitOrder: SubmitOrder;
  RequestCancel: RequestCancel;
  PlaceOrder: PlaceOrder;
  CancelOrder: CancelOrder;
  OrderAccepted: OrderAccepted;
  OrderRejected: OrderRejected;
  OrderCanceled: OrderCanceled;
  OrderFilled: OrderFilled;
  OrderStatusChanged: OrderStatusChanged;
  PositionChanged: PositionChanged;
  AccountUpdated: AccountUpdated;
  RequestAccountState: RequestAccountState;
  AccountStateSent: AccountStateSent;
}

export type MessageType = keyof Messages;
export type MessageOf<K extends MessageType> = Messages[K];
