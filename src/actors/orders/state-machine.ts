import type { OrderStatus } from "../../protocol/orders.js";

/**
 * The order lifecycle as one table, shaped by what the latentspeed engine actually sends (wire doc §2.9,
 * §2.12): no `filled` report (a fill that completes the cumulative size is the trigger), fills may arrive
 * before the ack, `canceled` may arrive twice, an ack may lack the exchange id, and an order whose ack never
 * came within the TIF's timeout is `unknown` until a report or fill resolves it. An order that cannot rest
 * (IOC, market) and is still open at that deadline after the venue acknowledged or filled it is over at the
 * venue: `deadline` closes it as `canceled`, its fills kept (a closing report or a fill was lost).
 */

export type OrderTrigger =
  | "ack"
  | "reject"
  | "fill_partial"
  | "fill_complete"
  | "canceled"
  | "ack_timeout"
  | "deadline";

export const ORDER_STATUSES: readonly OrderStatus[] = [
  "pending_new",
  "accepted",
  "partially_filled",
  "filled",
  "canceled",
  "rejected",
  "unknown",
];
export const ORDER_TRIGGERS: readonly OrderTrigger[] = [
  "ack",
  "reject",
  "fill_partial",
  "fill_complete",
  "canceled",
  "ack_timeout",
  "deadline",
];

export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(["filled", "canceled", "rejected"]);

/** Live orders: they hold reservations and count as open for risk. */
export function isOpen(status: OrderStatus): boolean {
  return !TERMINAL_STATUSES.has(status);
}

/**
 * `(state, trigger) → next`. A pair mapping a state to itself is a legal no-op (a repeated report); a
 * missing pair is illegal and comes back as such. Terminal states absorb late duplicates: a second
 * `canceled`, or the engine's synthetic `canceled` for an order that already filled. A fill after a
 * cancel is real money and completes or keeps the order canceled; the ledger books it either way.
 */
/** Not yet acknowledged (`pending_new`), or past the ack timeout (`unknown`): any report or fill resolves it. */
const UNACKNOWLEDGED: Partial<Record<OrderTrigger, OrderStatus>> = {
  ack: "accepted",
  reject: "rejected",
  fill_partial: "partially_filled",
  fill_complete: "filled",
  canceled: "canceled",
  ack_timeout: "unknown",
};

export const TRANSITIONS: Readonly<Record<OrderStatus, Partial<Record<OrderTrigger, OrderStatus>>>> = {
  pending_new: UNACKNOWLEDGED,
  // Waits for the answer to the cancel sent when it went unknown.
  unknown: { ...UNACKNOWLEDGED, deadline: "unknown" },
  accepted: {
    ack: "accepted",
    // An ack without an oid may be followed by a `rejected` from HL orderUpdates (§2.9).
    reject: "rejected",
    fill_partial: "partially_filled",
    fill_complete: "filled",
    canceled: "canceled",
    deadline: "canceled",
  },
  partially_filled: {
    ack: "partially_filled",
    fill_partial: "partially_filled",
    fill_complete: "filled",
    canceled: "canceled",
    deadline: "canceled",
  },
  filled: {
    ack: "filled",
    canceled: "filled",
    deadline: "filled",
  },
  canceled: {
    ack: "canceled",
    canceled: "canceled",
    fill_partial: "canceled",
    fill_complete: "filled",
    deadline: "canceled",
  },
  rejected: {
    reject: "rejected",
    canceled: "rejected",
    deadline: "rejected",
  },
};

export type TransitionResult =
  | { readonly kind: "changed"; readonly from: OrderStatus; readonly to: OrderStatus }
  | { readonly kind: "unchanged"; readonly status: OrderStatus }
  | { readonly kind: "illegal"; readonly status: OrderStatus; readonly trigger: OrderTrigger };

export function transition(status: OrderStatus, trigger: OrderTrigger): TransitionResult {
  const next = TRANSITIONS[status][trigger];
  if (next === undefined) return { kind: "illegal", status, trigger };
  return next === status ? { kind: "unchanged", status } : { kind: "changed", from: status, to: next };
}
