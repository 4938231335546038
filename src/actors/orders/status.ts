import type { ActorHealth, OrdersStatus } from "../../protocol/status.js";
import type { Anomaly, ManagedOrder, OrderManagerCore, UnresolvedOrder } from "./core.js";
import { isOpen } from "./state-machine.js";
import { elapsedMs, nsToSeconds } from "../../model/time.js";

/** Fills not booked as the venue reported them, or booked under an id the venue had used before. */
export type FillAnomalyKind = "fill_id_collision" | "overfill" | "unknown_order_fill";

export function fillAnomalyKind(anomaly: Anomaly): FillAnomalyKind | undefined {
  if (anomaly.kind === "fill_id_collision" || anomaly.kind === "overfill") return anomaly.kind;
  if (anomaly.kind === "unknown_order" && anomaly.eventType === "OrderFilled") return "unknown_order_fill";
  return undefined;
}

export function noFillAnomalies(): Record<FillAnomalyKind, number> {
  return { fill_id_collision: 0, overfill: 0, unknown_order_fill: 0 };
}

/** What the order manager's health is judged on: one field per kind of trouble. */
export interface OrdersHealthFacts {
  /** Since this incarnation started (a replay of the journal does not count them again). */
  readonly fillAnomalies: Readonly<Record<FillAnomalyKind, number>>;
  readonly unresolved: readonly UnresolvedOrder[];
  readonly nowNs: bigint;
  /** Why the journal refuses writes (entries halted until a retry finds room), why its last background sync failed. */
  readonly journal: { readonly writeFailure: string | undefined; readonly syncFailure: string | undefined };
  /** Why the journal database is not keeping up, and whether that halts entries (its disk is full, not reconciled). */
  readonly database: { readonly problem: string | undefined; readonly haltsEntries: boolean };
  /** Inputs the host holds for the order manager, and whether its database has been reconciled since it started. */
  readonly held: number;
  readonly reconciled: boolean;
}

const counted = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
const sinceStart = (n: number, one: string, many: string, what: string): string | null =>
  n === 0 ? null : `${counted(n, one, many)} since start: ${what}`;
const UNRESOLVED_NAMED = 3;

/** One function per reason: each says what is wrong, or null. A new kind of trouble is one more line. */
const HEALTH_REASONS: readonly ((facts: OrdersHealthFacts) => string | null)[] = [
  ({ fillAnomalies: f }) =>
    sinceStart(
      f.fill_id_collision,
      "fill id collision",
      "fill id collisions",
      "exec ids reused for another order, booked",
    ),
  ({ fillAnomalies: f }) =>
    sinceStart(f.overfill, "fill past its order's size", "fills past their orders' sizes", "not booked"),
  ({ fillAnomalies: f }) =>
    sinceStart(f.unknown_order_fill, "fill for an unknown order", "fills for unknown orders", "not booked"),
  ({ unresolved, nowNs }) => {
    if (unresolved.length === 0) return null;
    const past = (o: UnresolvedOrder) => nsToSeconds(nowNs - o.deadlineNs).toFixed(1);
    const named = unresolved.slice(0, UNRESOLVED_NAMED).map((o) => `${o.clId} (${o.status}, ${past(o)} s past)`);
    const more = unresolved.length > UNRESOLVED_NAMED ? ` and ${unresolved.length - UNRESOLVED_NAMED} more` : "";
    return `${counted(unresolved.length, "order", "orders")} unresolved past the deadline: ${named.join(", ")}${more}`;
  },
  ({ journal }) => (journal.writeFailure === undefined ? null : `journal: ${journal.writeFailure}; entries halted`),
  ({ journal }) => (journal.syncFailure === undefined ? null : `journal: ${journal.syncFailure}`),
  ({ database }) => {
    if (database.problem === undefined) return null;
    return database.haltsEntries ? `${database.problem}; entries halted` : database.problem;
  },
  ({ held, reconciled }) => {
    if (held === 0) return null;
    const until = reconciled ? "the journal can be written" : "the journal database is reconciled";
    return `holding ${counted(held, "message", "messages")} until ${until}`;
  },
  ({ held, reconciled }) => (reconciled || held > 0 ? null : "journal database not reconciled yet"),
];

export function ordersHealth(facts: OrdersHealthFacts): ActorHealth {
  const reasons = HEALTH_REASONS.map((reason) => reason(facts)).filter((r): r is string => r !== null);
  return { status: reasons.length === 0 ? "ok" : "degraded", reasons };
}

/** Terminal orders kept in the status (most recent first); open orders are always all there. */
const RECENT_TERMINAL_ORDERS = 500;

type FillTimes = Pick<OrdersStatus["orders"][number], "placed_ms" | "first_fill_after_ms" | "last_fill_after_ms">;

/** Placement in Unix ms (µs kept: whole µs fit a double exactly), fills relative to it; fill fields only once filled. */
export function fillTimes(o: Pick<ManagedOrder, "submitted" | "firstFillNs" | "lastFillNs">): FillTimes {
  const placed = o.submitted.tsNs;
  return {
    placed_ms: Number(placed / 1000n) / 1000,
    ...(o.firstFillNs === undefined ? {} : { first_fill_after_ms: elapsedMs(placed, o.firstFillNs) }),
    ...(o.lastFillNs === undefined ? {} : { last_fill_after_ms: elapsedMs(placed, o.lastFillNs) }),
  };
}

export function ordersStatus(
  core: OrderManagerCore,
  marks: ReadonlyMap<string, number>,
  health: OrdersHealthFacts,
): OrdersStatus {
  const all = core.allOrders();
  const terminal = all.filter((o) => !isOpen(o.status)).slice(-RECENT_TERMINAL_ORDERS);
  const shown = [...all.filter((o) => isOpen(o.status)), ...terminal];
  return {
    positions: core.ledger.allPositions().map((p) => {
      const mark = marks.get(p.symbol);
      return {
        symbol: p.symbol,
        qty: p.qty,
        avg_price: p.avgPrice,
        realized_pnl: p.realizedPnl,
        unrealized_pnl: mark === undefined ? 0 : core.ledger.unrealizedPnl(p.symbol, mark),
        fees: p.fees,
      };
    }),
    orders: shown.map((o) => ({
      cl_id: o.clId,
      strategy: o.submitted.strategy,
      intent_id: o.submitted.intentId,
      symbol: o.submitted.symbol,
      side: o.submitted.side,
      type: o.submitted.orderType,
      tif: o.submitted.tif,
      role: o.submitted.role,
      price: o.submitted.price,
      size: o.submitted.size,
      status: o.status,
      open: isOpen(o.status),
      filled: o.filledSize,
      avg_fill_price: o.avgFillPrice,
      exchange_order_id: o.exchangeOrderId,
      reason: o.lastReason,
      ...fillTimes(o),
    })),
    balances: core.ledger.assets().map((asset) => ({ asset, ...core.ledger.balance(asset) })),
    health: ordersHealth(health),
  };
}
