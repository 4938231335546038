import type { ProposeOrder, RiskDecision } from "../../protocol/orders.js";
import type { VenueEvent } from "../../protocol/wire/engine.js";

/**
 * What the order manager journals. Venue events are journaled as received (protocol messages); the rest
 * are the manager's own decisions. State is a fold over these, in journal order.
 */

/**
 * The intent and the risk decision behind it (the order's fields as proposed), with the client id it was placed under.
 */
export type OrderSubmitted = Readonly<Omit<ProposeOrder, "type">> & {
  readonly type: "OrderSubmitted";
  readonly clId: string;
  readonly riskDecision: RiskDecision;
  readonly riskReason: string;
  readonly ackDeadlineNs: bigint;
};

export interface CancelRequested {
  readonly type: "CancelRequested";
  /** The cancel request's own client id. */
  readonly cancelClId: string;
  readonly clId: string;
  readonly reason: string;
  readonly tsNs: bigint;
}

/** No ack within the TIF's timeout: the order is `unknown` until a report or fill resolves it. */
export interface OrderAckTimedOut {
  readonly type: "OrderAckTimedOut";
  readonly clId: string;
  readonly tsNs: bigint;
}

/**
 * An order that cannot rest (IOC, market), acknowledged or filled, still open at its deadline: it is over at
 * the venue and its closing report or a fill was lost. Closed as `canceled`, with what filled kept.
 */
export interface OrderDeadlinePassed {
  readonly type: "OrderDeadlinePassed";
  readonly clId: string;
  readonly tsNs: bigint;
}

/**
 * A balance set from outside the order flow: `initial_balance` (declared capital), the venue's account snapshot.
 */
export interface BalanceSet {
  readonly type: "BalanceSet";
  readonly asset: string;
  readonly amount: number;
  readonly tsNs: bigint;
}

export type OrderEvent =
  | OrderSubmitted
  | CancelRequested
  | OrderAckTimedOut
  | OrderDeadlinePassed
  | BalanceSet
  | VenueEvent;
