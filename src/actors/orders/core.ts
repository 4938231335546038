import type {
  AccountUpdated,
  CancelOrder,
  OrderFilled,
  OrderStatus,
  OrderStatusChanged,
  PlaceOrder,
  PositionChanged,
  RequestCancel,
  SubmitOrder,
} from "../../protocol/orders.js";
import type { VenueEvent } from "../../protocol/wire/engine.js";
import type { CloidGenerator } from "./cloid.js";
import type { AccountSnapshot } from "../../protocol/account.js";
import { collateralAsset } from "../../model/collateral.js";
import type { BalanceSet, CancelRequested, OrderEvent, OrderSubmitted } from "./events.js";
import type { LedgerInstrument } from "./ledger.js";
import { Ledger } from "./ledger.js";
import { isOpen, transition, type OrderTrigger } from "./state-machine.js";
import { RecentKeys } from "../shared/recent.js";

/**
 * The order manager core, event-sourced in two steps the shell keeps apart:
 * 1. `on*` methods *decide*: from an input they return the events to journal, changing nothing;
 * 2. the shell appends those events to the journal, then calls `apply(event)` for each, which folds it
 *    into state and returns what to send (orders to the venue, updates to strategy and risk).
 * Recovery is `apply` over the journal with the outputs discarded, so nothing is sent twice, and live
 * state equals the fold by construction. Time arrives as an argument; the core does no I/O.
 */

export interface OrderManagerConfig {
  readonly accountId: string;
  /** `runtime.order_manager.ack_timeout_ms`, in ns: IOC/market orders and GTC/posted orders. */
  readonly ackTimeoutNs: { readonly ioc: bigint; readonly gtc: bigint };
  readonly instrument: (symbol: string) => LedgerInstrument | undefined;
  /** Finished orders kept in memory for queries and late reports (`runtime.order_manager.terminal_orders_kept`). */
  readonly terminalOrdersKept?: number;
}

export const DEFAULT_TERMINAL_ORDERS_KEPT = 10_000;

export interface ManagedOrder {
  readonly clId: string;
  readonly submitted: OrderSubmitted;
  status: OrderStatus;
  exchangeOrderId: string;
  filledSize: number;
  avgFillPrice: number;
  /** Receipt time of the first and the last booked fill (the shadow mirror's time to fill), undefined before one. */
  firstFillNs: bigint | undefined;
  lastFillNs: bigint | undefined;
  /** Client id of the cancel request in flight, "" if none. */
  cancelClId: string;
  /** A cancel was requested at some point (by the strategy, risk, or to learn the state of an `unknown` order). */
  cancelRequested: boolean;
  lastReason: string;
}

export type Anomaly =
  | {
      readonly kind: "illegal_transition";
      readonly clId: string;
      readonly status: OrderStatus;
      readonly trigger: OrderTrigger;
    }
  | { readonly kind: "duplicate_fill"; readonly clId: string; readonly execId: string }
  /** The exec id was booked for another order first: the venue's ids are not unique. Booked all the same. */
  | { readonly kind: "fill_id_collision"; readonly clId: string; readonly otherClId: string; readonly execId: string }
  | {
      readonly kind: "overfill";
      readonly clId: string;
      readonly execId: string;
      readonly filled: number;
      readonly size: number;
    }
  | { readonly kind: "unknown_order"; readonly clId: string; readonly eventType: string }
  | { readonly kind: "cancel_rejected"; readonly clId: string; readonly reason: string }
  | { readonly kind: "replayed_event"; readonly seq: bigint }
  /** An order that cannot rest had no closing report by its deadline and was closed from its fills. */
  | { readonly kind: "closed_at_deadline"; readonly clId: string; readonly filled: number; readonly size: number };

/** An open order past its deadline that no report has resolved yet (`unknown`, or about to be closed). */
export interface UnresolvedOrder {
  readonly clId: string;
  readonly status: OrderStatus;
  readonly deadlineNs: bigint;
}

export type Output = PlaceOrder | CancelOrder | OrderStatusChanged | PositionChanged | AccountUpdated;

export interface ApplyOutcome {
  readonly outputs: Output[];
  readonly anomalies: Anomaly[];
}

export type SubmitDecision =
  | { readonly ok: true; readonly event: OrderSubmitted }
  | { readonly ok: false; readonly reason: "unknown_instrument" | "insufficient_balance"; readonly detail: string };

/** Relative tolerance under which the cumulative fill counts as the whole order (float sums of lots). */
const COMPLETE_TOLERANCE = 1e-9;
/** The cloid of a rehearsed submission; never journaled or sent. */
const REHEARSAL_CLID = "rehearsal";
const RECONCILE_REASON = "no ack by the deadline: cancel to learn the order's state";

/** IOC and market orders trade at once or not at all: they never rest at the venue. */
function cannotRest(o: Pick<OrderSubmitted, "tif" | "orderType">): boolean {
  return o.tif === "IOC" || o.orderType === "market";
}

/** A booked fill's identity: exec ids are unique per order, not across orders (two of our orders can share a trade). */
function fillKey(clId: string, execId: string): string {
  return `${clId} ${execId}`;
}

export class OrderManagerCore {
  readonly ledger = new Ledger();
  private readonly orders = new Map<string, ManagedOrder>();
  /** Cancel request id → the order it cancels. */
  private readonly cancels = new Map<string, string>();
  /**
   * Open orders whose deadline (`ackDeadlineNs`) still matters: all until acknowledged or filled, then only
   * those that cannot rest, until they finish. A resting GTC order has no deadline.
   */
  private readonly watched = new Set<string>();
  private lastSeq = 0n;
  // Bounded memory: finished orders, cancel requests and fill ids past these windows are in the journal only.
  private readonly finished: RecentKeys;
  private readonly cancelIds: RecentKeys;
  /** Fills booked, by (order, exec id). */
  private readonly bookedFills: RecentKeys;
  /** Exec id → the order it was first booked for, to name a collision. */
  private readonly execIdOwners = new Map<string, string>();
  private readonly execIds: RecentKeys;

  constructor(
    private readonly config: OrderManagerConfig,
    private readonly cloids: CloidGenerator,
  ) {
    const kept = config.terminalOrdersKept ?? DEFAULT_TERMINAL_ORDERS_KEPT;
    this.finished = new RecentKeys(kept);
    this.cancelIds = new RecentKeys(kept);
    // Duplicate fills arrive within seconds of the first; several fills per order are common.
    this.bookedFills = new RecentKeys(kept * 10);
    this.execIds = new RecentKeys(kept * 10);
  }

  // ─── decisions: input → events to journal ───────────────────────────────────────────────────────

  onSubmit(cmd: SubmitOrder, tsNs: bigint): SubmitDecision {
    return this.admit(cmd, tsNs, null);
  }

  /**
   * `onSubmit`'s checks and event on the current state, under a placeholder cloid: no cloid is used up and
   * nothing changes (`ActorInstance.decide`).
   */
  rehearseSubmit(cmd: SubmitOrder, tsNs: bigint): SubmitDecision {
    return this.admit(cmd, tsNs, REHEARSAL_CLID);
  }

  /** The checks and the event; `clId` null takes the next cloid, and only for an order that passes. */
  private admit(cmd: SubmitOrder, tsNs: bigint, clId: string | null): SubmitDecision {
    const inst = this.config.instrument(cmd.symbol);
    if (!inst) return { ok: false, reason: "unknown_instrument", detail: `no instrument '${cmd.symbol}'` };
    const need = this.ledger.requiredReservation(inst, cmd.side, cmd.price, cmd.size, cmd.reduceOnly);
    const free = this.ledger.free(need.asset);
    // A reduce-only perp order reserves nothing: it is admitted even when a venue snapshot left free < 0, or
    // the positions that took the money could never be closed.
    if (need.amount > 0 && need.amount > free) {
      return { ok: false, reason: "insufficient_balance", detail: `needs ${need.amount} ${need.asset}, free ${free}` };
    }
    const timeout = cannotRest(cmd) ? this.config.ackTimeoutNs.ioc : this.config.ackTimeoutNs.gtc;
    return {
      ok: true,
      event: {
        type: "OrderSubmitted",
        clId: clId ?? this.cloids.next(),
        strategy: cmd.strategy,
        intentId: cmd.intentId,
        instrument: cmd.instrument,
        symbol: cmd.symbol,
        marketType: cmd.marketType,
        side: cmd.side,
        orderType: cmd.orderType,
        tif: cmd.tif,
        price: cmd.price,
        size: cmd.size,
        reduceOnly: cmd.reduceOnly,
        role: cmd.role,
        riskDecision: cmd.decision,
        riskReason: cmd.reason,
        ackDeadlineNs: tsNs + timeout,
        tsNs,
      },
    };
  }

  /**
   * The venue's balances replace the ledger's (the first snapshot replaces declared capital; later ones
   * correct what leadlag cannot see: funding, deposits, withdrawals). An asset the snapshot lacks holds 0.
   * Only assets that change are set. Positions are not adopted: they follow fills, and risk compares them.
   */
  onAccountSnapshot(snapshot: AccountSnapshot, tsNs: bigint): BalanceSet[] {
    const venue = new Map<string, number>();
    for (const b of snapshot.balances) {
      const asset = collateralAsset(b.asset);
      venue.set(asset, (venue.get(asset) ?? 0) + b.total);
    }
    for (const asset of this.ledger.assets()) if (!venue.has(asset)) venue.set(asset, 0);
    const events: BalanceSet[] = [];
    for (const [asset, amount] of venue)
      if (this.ledger.balance(asset).total !== amount) events.push({ type: "BalanceSet", asset, amount, tsNs });
    return events;
  }

  /** One order (`clId`), or every open order of a strategy (`clId` ""; strategy "" = all). */
  onCancelRequest(req: RequestCancel, tsNs: bigint): CancelRequested[] {
    const targets =
      req.clId !== ""
        ? [this.orders.get(req.clId)]
        : [...this.orders.values()].filter((o) => req.strategy === "" || o.submitted.strategy === req.strategy);
    const events: CancelRequested[] = [];
    for (const order of targets) {
      if (!order || !isOpen(order.status) || order.cancelClId !== "") continue;
      events.push({
        type: "CancelRequested",
        cancelClId: this.cloids.next(),
        clId: order.clId,
        reason: req.reason,
        tsNs,
      });
    }
    return events;
  }

  /** Venue events are journaled as received, except a fill already booked for that order (same exec id). */
  onVenueEvent(event: VenueEvent): VenueEvent[] {
    if (event.type === "OrderFilled" && this.bookedFills.has(fillKey(event.clId, event.execId))) return [];
    return [event];
  }

  /**
   * Orders past their deadline with no resolution. Call on a timer; `nowNs` is the shell's clock.
   * - no ack and no fill: `unknown`, and a cancel is sent to learn its state (the venue answers `canceled`
   *   for an order it cancels or does not have; a fill it had is booked whenever it comes);
   * - acknowledged or filled but open, for an order that cannot rest: it is over at the venue, closed from its fills.
   */
  onTimer(nowNs: bigint): OrderEvent[] {
    const events: OrderEvent[] = [];
    for (const clId of this.watched) {
      const order = this.orders.get(clId);
      if (!order || order.submitted.ackDeadlineNs > nowNs) continue;
      if (order.status === "pending_new" || order.status === "unknown") {
        if (order.status === "pending_new") events.push({ type: "OrderAckTimedOut", clId, tsNs: nowNs });
        // Once per order (an `unknown` one from a journal written before the cancel was sent gets it too).
        if (order.cancelRequested) continue;
        const cancelClId = this.cloids.next();
        events.push({ type: "CancelRequested", cancelClId, clId, reason: RECONCILE_REASON, tsNs: nowNs });
      } else if (order.status === "accepted" || order.status === "partially_filled") {
        events.push({ type: "OrderDeadlinePassed", clId, tsNs: nowNs });
      }
    }
    return events;
  }

  // ─── fold: journaled event → state + outputs ────────────────────────────────────────────────────

  /** `seq` is the journal sequence: an event at or below the last applied one is a replay and changes nothing. */
  apply(event: OrderEvent, seq: bigint): ApplyOutcome {
    const outcome: ApplyOutcome = { outputs: [], anomalies: [] };
    if (seq <= this.lastSeq) {
      outcome.anomalies.push({ kind: "replayed_event", seq });
      return outcome;
    }
    this.lastSeq = seq;
    switch (event.type) {
      case "BalanceSet":
        this.ledger.setBalance(event.asset, event.amount);
        this.pushAccount(outcome, event.asset, event.tsNs);
        break;
      case "OrderSubmitted":
        this.applySubmitted(event, outcome);
        break;
      case "CancelRequested":
        this.applyCancelRequested(event, outcome);
        break;
      case "OrderAckTimedOut":
        this.applyTrigger(event.clId, "ack_timeout", event.tsNs, outcome, "ack timeout");
        break;
      case "OrderDeadlinePassed":
        this.applyDeadline(event.clId, event.tsNs, outcome);
        break;
      case "OrderAccepted":
        this.applyAccepted(event.clId, event.exchangeOrderId, event.recvNs, outcome);
        break;
      case "OrderRejected":
        this.applyRejected(event.clId, `${event.reasonCode}: ${event.reasonText}`, event.recvNs, outcome);
        break;
      case "OrderCanceled":
        this.applyTrigger(event.clId, "canceled", event.recvNs, outcome, event.reasonText);
        break;
      case "OrderFilled":
        this.applyFill(event, outcome);
        break;
    }
    return outcome;
  }

  private applySubmitted(e: OrderSubmitted, outcome: ApplyOutcome): void {
    if (this.orders.has(e.clId)) return;
    const inst = this.config.instrument(e.symbol);
    const order: ManagedOrder = {
      ...{ clId: e.clId, submitted: e, status: "pending_new", exchangeOrderId: "", filledSize: 0, avgFillPrice: 0 },
      ...{ cancelClId: "", cancelRequested: false, lastReason: "", firstFillNs: undefined, lastFillNs: undefined },
    };
    this.orders.set(e.clId, order);
    this.watched.add(e.clId);
    // The venue's command first: outputs go out in order, and the account and status updates are for
    // actors that can wait (each costs its subscribers' handlers before the venue would see the order).
    outcome.outputs.push({
      type: "PlaceOrder",
      clId: e.clId,
      strategy: e.strategy,
      intentId: e.intentId,
      instrument: e.instrument,
      symbol: e.symbol,
      marketType: e.marketType,
      side: e.side,
      orderType: e.orderType,
      tif: e.tif,
      price: e.price,
      size: e.size,
      reduceOnly: e.reduceOnly,
      role: e.role,
      tsNs: e.tsNs,
    });
    if (inst) {
      this.ledger.reserve(e.clId, inst, e.side, e.price, e.size, e.reduceOnly);
      const asset = this.ledger.requiredReservation(inst, e.side, e.price, e.size, e.reduceOnly).asset;
      this.pushAccount(outcome, asset, e.tsNs);
    }
    this.pushStatus(outcome, order, e.tsNs);
  }

  private applyCancelRequested(e: CancelRequested, outcome: ApplyOutcome): void {
    const order = this.orders.get(e.clId);
    if (!order) {
      outcome.anomalies.push({ kind: "unknown_order", clId: e.clId, eventType: e.type });
      return;
    }
    order.cancelClId = e.cancelClId;
    order.cancelRequested = true;
    this.cancels.set(e.cancelClId, e.clId);
    const evicted = this.cancelIds.add(e.cancelClId);
    if (evicted !== undefined) this.cancels.delete(evicted);
    const s = order.submitted;
    outcome.outputs.push({
      type: "CancelOrder",
      clId: e.cancelClId,
      clIdToCancel: e.clId,
      intentId: s.intentId,
      instrument: s.instrument,
      symbol: s.symbol,
      marketType: s.marketType,
      exchangeOrderId: order.exchangeOrderId,
      tsNs: e.tsNs,
    });
  }

  private applyAccepted(clId: string, exchangeOrderId: string, tsNs: bigint, outcome: ApplyOutcome): void {
    if (this.cancels.has(clId)) return; // the cancel request itself was accepted; its `canceled` follows for the order
    const order = this.orders.get(clId);
    if (order && exchangeOrderId !== "") order.exchangeOrderId = exchangeOrderId;
    this.applyTrigger(clId, "ack", tsNs, outcome, "");
  }

  private applyRejected(clId: string, reason: string, tsNs: bigint, outcome: ApplyOutcome): void {
    const target = this.cancels.get(clId);
    if (target !== undefined) {
      const order = this.orders.get(target);
      if (order) order.cancelClId = "";
      outcome.anomalies.push({ kind: "cancel_rejected", clId: target, reason });
      return;
    }
    this.applyTrigger(clId, "reject", tsNs, outcome, reason);
  }

  private applyTrigger(
    clId: string,
    trigger: OrderTrigger,
    tsNs: bigint,
    outcome: ApplyOutcome,
    reason: string,
  ): ManagedOrder | undefined {
    const order = this.orders.get(clId);
    if (!order) {
      outcome.anomalies.push({ kind: "unknown_order", clId, eventType: trigger });
      return undefined;
    }
    const result = transition(order.status, trigger);
    if (result.kind === "illegal") {
      outcome.anomalies.push({ kind: "illegal_transition", clId, status: result.status, trigger });
      return order;
    }
    if (result.kind === "changed") {
      order.status = result.to;
      if (reason !== "") order.lastReason = reason;
      const finished = !isOpen(result.to);
      if (finished || (result.to !== "unknown" && !cannotRest(order.submitted))) this.watched.delete(clId);
      if (finished) this.releaseOrder(order, tsNs, outcome);
      this.pushStatus(outcome, order, tsNs);
      if (finished) this.retire(order.clId);
    }
    return order;
  }

  private applyDeadline(clId: string, tsNs: bigint, outcome: ApplyOutcome): void {
    const order = this.orders.get(clId);
    const before = order?.status;
    const size = order?.submitted.size ?? 0;
    const reason = order ? `no closing report by the deadline: closed with ${order.filledSize} of ${size} filled` : "";
    this.applyTrigger(clId, "deadline", tsNs, outcome, reason);
    if (order === undefined || order.status === before) return;
    outcome.anomalies.push({ kind: "closed_at_deadline", clId, filled: order.filledSize, size });
  }

  private applyFill(fill: OrderFilled, outcome: ApplyOutcome): void {
    const order = this.orders.get(fill.clId);
    if (!order) {
      outcome.anomalies.push({ kind: "unknown_order", clId: fill.clId, eventType: fill.type });
      return;
    }
    const key = fillKey(fill.clId, fill.execId);
    if (this.bookedFills.has(key)) {
      outcome.anomalies.push({ kind: "duplicate_fill", clId: fill.clId, execId: fill.execId });
      return;
    }
    const owner = this.execIdOwners.get(fill.execId);
    if (owner !== undefined && owner !== fill.clId) {
      outcome.anomalies.push({ kind: "fill_id_collision", clId: fill.clId, otherClId: owner, execId: fill.execId });
    }
    const size = order.submitted.size;
    const filled = order.filledSize + fill.size;
    // A batched order can be reported filled twice under two exec ids (§2.10); more than the order is not real.
    if (filled > size * (1 + COMPLETE_TOLERANCE)) {
      outcome.anomalies.push({ kind: "overfill", clId: fill.clId, execId: fill.execId, filled, size });
      return;
    }
    this.bookedFills.add(key);
    if (owner === undefined) {
      this.execIdOwners.set(fill.execId, fill.clId);
      const evicted = this.execIds.add(fill.execId);
      if (evicted !== undefined) this.execIdOwners.delete(evicted);
    }
    if (fill.exchangeOrderId !== "" && order.exchangeOrderId === "") order.exchangeOrderId = fill.exchangeOrderId;
    order.avgFillPrice = (order.avgFillPrice * order.filledSize + fill.price * fill.size) / filled;
    order.filledSize = filled;
    order.firstFillNs ??= fill.recvNs;
    order.lastFillNs = fill.recvNs;
    const inst = this.config.instrument(order.submitted.symbol);
    if (inst) {
      this.ledger.applyFill(order.clId, inst, fill);
      this.pushPosition(outcome, inst.symbol, fill.recvNs);
      this.pushAccount(outcome, inst.quote, fill.recvNs);
      if (inst.marketType === "spot") this.pushAccount(outcome, inst.base, fill.recvNs);
      if (fill.feeCurrency !== "" && fill.feeCurrency !== inst.quote && fill.feeCurrency !== inst.base)
        this.pushAccount(outcome, fill.feeCurrency, fill.recvNs);
    }
    const complete = filled >= size * (1 - COMPLETE_TOLERANCE);
    const before = order.status;
    this.applyTrigger(order.clId, complete ? "fill_complete" : "fill_partial", fill.recvNs, outcome, "");
    // A partial fill in the same state still changes filledSize: tell strategy and risk.
    if (order.status === before) this.pushStatus(outcome, order, fill.recvNs);
  }

  /** A finished order stays queryable until `terminalOrdersKept` newer ones finished. */
  private retire(clId: string): void {
    const evicted = this.finished.add(clId);
    if (evicted !== undefined) this.orders.delete(evicted);
  }

  private releaseOrder(order: ManagedOrder, tsNs: bigint, outcome: ApplyOutcome): void {
    const asset = this.ledger.release(order.clId);
    if (asset !== undefined) this.pushAccount(outcome, asset, tsNs);
  }

  private pushStatus(outcome: ApplyOutcome, o: ManagedOrder, tsNs: bigint): void {
    outcome.outputs.push(statusOf(o, tsNs));
  }

  private pushPosition(outcome: ApplyOutcome, symbol: string, tsNs: bigint): void {
    const p = this.ledger.position(symbol);
    if (!p) return;
    outcome.outputs.push({
      type: "PositionChanged",
      symbol,
      marketType: p.marketType,
      qty: p.qty,
      avgPrice: p.avgPrice,
      realizedPnl: p.realizedPnl,
      fees: p.fees,
      tsNs,
    });
  }

  private pushAccount(outcome: ApplyOutcome, asset: string, tsNs: bigint): void {
    const b = this.ledger.balance(asset);
    outcome.outputs.push({
      type: "AccountUpdated",
      accountId: this.config.accountId,
      asset,
      total: b.total,
      locked: b.locked,
      tsNs,
    });
  }

  // ─── queries ────────────────────────────────────────────────────────────────────────────────────

  order(clId: string): Readonly<ManagedOrder> | undefined {
    return this.orders.get(clId);
  }

  allOrders(): readonly Readonly<ManagedOrder>[] {
    return [...this.orders.values()];
  }

  openOrders(): readonly Readonly<ManagedOrder>[] {
    return this.allOrders().filter((o) => isOpen(o.status));
  }

  /** Open orders past their deadline that no report has resolved: `unknown` ones wait for a venue answer. */
  unresolvedOrders(nowNs: bigint): UnresolvedOrder[] {
    const unresolved: UnresolvedOrder[] = [];
    for (const clId of this.watched) {
      const order = this.orders.get(clId);
      if (order === undefined || order.submitted.ackDeadlineNs > nowNs) continue;
      unresolved.push({ clId, status: order.status, deadlineNs: order.submitted.ackDeadlineNs });
    }
    return unresolved;
  }

  /** The status of every open order, as sent when it last changed: for an actor that restarted. */
  openOrderStatuses(tsNs: bigint): OrderStatusChanged[] {
    return this.openOrders().map((o) => statusOf(o, tsNs));
  }

  get appliedSeq(): bigint {
    return this.lastSeq;
  }
}

function statusOf(o: Readonly<ManagedOrder>, tsNs: bigint): OrderStatusChanged {
  const s = o.submitted;
  return {
    type: "OrderStatusChanged",
    clId: o.clId,
    strategy: s.strategy,
    intentId: s.intentId,
    symbol: s.symbol,
    side: s.side,
    status: o.status,
    price: s.price,
    size: s.size,
    filledSize: o.filledSize,
    avgFillPrice: o.avgFillPrice,
    tsNs,
  };
}
