import type {
  AccountUpdated,
  MarketType,
  OrderDenied,
  OrderStatusChanged,
  PositionChanged,
  ProposeOrder,
  RequestCancel,
  SubmitOrder,
} from "../../protocol/orders.js";
import type { BreakerMemory, BreakerState, BreakerTransition } from "./circuit-breaker.js";
import { CircuitBreaker } from "./circuit-breaker.js";
import type { CircuitBreakerLimits, RiskLimits } from "./limits.js";
import type { Candidate, RiskView } from "./rules.js";
import { RULES } from "./rules.js";
import { protectiveDirection, roundToLot, snapPrice, type PriceRules } from "../../model/rounding.js";
import { NS_PER_S } from "../../model/time.js";

/**
 * The risk core: two doors, `onPropose` (a command, answered by `SubmitOrder` or `OrderDenied`) and the
 * `on*` event handlers that keep its view of books, positions, open orders and equity. Pure: time is an
 * argument. Notionals are quote units, taken as USD (the configured quote currencies are USD stablecoins).
 */

export interface RiskInstrument {
  /** The registry id market data and the venues use. */
  readonly id: number;
  readonly symbol: string;
  readonly marketType: MarketType;
  readonly base: string;
  readonly quote: string;
  readonly lotSize: number;
  readonly priceRules: PriceRules;
}

export interface RiskCoreConfig {
  readonly limits: (strategy: string) => RiskLimits;
  readonly breaker: CircuitBreakerLimits;
  readonly instrument: (symbol: string) => RiskInstrument | undefined;
  /** The breaker as it was before a restart (state, the day's starting equity). */
  readonly restoredBreaker?: BreakerMemory;
  /** A flatten order's protection price: the mid moved this far against it (`runtime.shutdown.flatten_band_bps`). */
  readonly flattenBandBps?: number;
}

/** A position `flattenOrders` could not close this time, and why. */
export interface FlattenSkip {
  readonly symbol: string;
  readonly qty: number;
  readonly reason: string;
}

/** The strategy name of risk's own orders. */
const FLATTEN_STRATEGY = "risk";
const DEFAULT_FLATTEN_BAND_BPS = 50;

export type RiskDecisionOut =
  | { readonly kind: "submit"; readonly message: SubmitOrder }
  | { readonly kind: "deny"; readonly message: OrderDenied };

export interface BreakerChange {
  readonly transition: BreakerTransition;
  /** Set when the breaker halts: cancel every open order. */
  readonly cancelAll: RequestCancel | undefined;
}

interface OpenOrder {
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly price: number;
  remaining: number;
  /** Still unconfirmed by the order manager: matched to the first status update for its intent. */
  readonly key: string;
  readonly approvedNs: bigint;
}

interface PositionView {
  readonly marketType: MarketType;
  qty: number;
  avgPrice: number;
}

/**
 * An approval the order manager never confirms (it refused the order, or the message was lost in a
 * restart) stops counting as open after this long; confirmations normally take microseconds.
 */
const IN_FLIGHT_TTL_NS = 10n * NS_PER_S;
const SIZE_EPSILON = 1e-12;

export class RiskCore {
  private readonly breaker: CircuitBreaker;
  private readonly mids = new Map<string, { mid: number; recvNs: bigint }>();
  private readonly positions = new Map<string, PositionView>();
  private readonly balances = new Map<string, number>();
  private readonly open = new Map<string, OpenOrder>();
  private readonly inFlight: OpenOrder[] = [];
  private readonly approvals: bigint[] = [];
  private entriesStoppedBy: string | undefined;
  private flattenRequested = false;
  private flattenSeq = 0;

  constructor(private readonly config: RiskCoreConfig) {
    this.breaker = new CircuitBreaker(config.breaker, config.restoredBreaker);
  }

  // ─── command ────────────────────────────────────────────────────────────────────────────────────

  onPropose(p: ProposeOrder, nowNs: bigint): RiskDecisionOut {
    const decision = this.evaluate(p, nowNs);
    if (decision.kind === "submit") this.recordApproval(decision.message, nowNs);
    return decision;
  }

  /**
   * The decision on a proposal without recording an approval: what `onPropose` would decide now. Only
   * housekeeping that any later call does anyway (expiring in-flight approvals older than their TTL,
   * dropping rate-limit entries older than a second) happens, so a rehearsal changes no later decision.
   */
  evaluate(p: ProposeOrder, nowNs: bigint): RiskDecisionOut {
    const inst = this.config.instrument(p.symbol);
    if (!inst) return this.deny(p, "Instrument", `unknown instrument '${p.symbol}'`, nowNs);
    const position = this.positions.get(p.symbol)?.qty ?? 0;
    const opposite = (position > 0 && p.side === "sell") || (position < 0 && p.side === "buy");
    const reduces = opposite && p.size <= Math.abs(position) + SIZE_EPSILON;
    if (p.reduceOnly && !reduces) {
      return this.deny(p, "ReduceOnly", `reduce-only ${p.side} ${p.size} does not reduce position ${position}`, nowNs);
    }
    // Every price is made one the venue accepts before the rules see it (a notional checked is the one sent),
    // on the protective side: never worse than what was proposed.
    const price = snapPrice(p.price, inst.priceRules, protectiveDirection(p.side));
    if (price === undefined) {
      const why = `no valid ${p.side} price at ${p.price} (tick ${inst.priceRules.tickSize})`;
      return this.deny(p, "VenuePrice", why, nowNs);
    }
    let candidate: Candidate = {
      symbol: p.symbol,
      marketType: p.marketType,
      side: p.side,
      orderType: p.orderType,
      tif: p.tif,
      price,
      size: p.size,
      reduces,
      lotSize: inst.lotSize,
      priceRules: inst.priceRules,
    };
    const view = this.view(p.symbol, nowNs);
    const limits = this.config.limits(p.strategy);
    const reasons: string[] = [];
    for (const rule of RULES) {
      const verdict = rule(candidate, view, limits);
      if (verdict === null) continue;
      if (verdict.reject) return this.deny(p, verdict.rule, verdict.reason, nowNs);
      reasons.push(`${verdict.rule}: ${verdict.reason}`);
      candidate = { ...candidate, price: verdict.price, size: verdict.size };
    }
    // Float residue below the LotSize rule's threshold: send exactly whole lots without calling it a modification.
    candidate = { ...candidate, size: roundToLot(candidate.size, inst.lotSize) };
    return {
      kind: "submit",
      message: {
        type: "SubmitOrder",
        strategy: p.strategy,
        intentId: p.intentId,
        instrument: p.instrument,
        symbol: p.symbol,
        marketType: p.marketType,
        side: p.side,
        orderType: p.orderType,
        tif: p.tif,
        price: candidate.price,
        size: candidate.size,
        reduceOnly: p.reduceOnly,
        role: p.role,
        decision: reasons.length === 0 ? "approved" : "modified",
        reason: reasons.join("; "),
        tsNs: nowNs,
      },
    };
  }

  // ─── events ─────────────────────────────────────────────────────────────────────────────────────

  onBook(symbol: string, mid: number, recvNs: bigint): void {
    this.mids.set(symbol, { mid, recvNs });
  }

  onPosition(p: PositionChanged): void {
    this.positions.set(p.symbol, { marketType: p.marketType, qty: p.qty, avgPrice: p.avgPrice });
  }

  onAccount(a: AccountUpdated): void {
    this.balances.set(a.asset, a.total);
  }

  onOrderStatus(s: OrderStatusChanged): void {
    const remaining = Math.max(0, s.size - s.filledSize);
    const isOpen =
      s.status === "pending_new" ||
      s.status === "accepted" ||
      s.status === "partially_filled" ||
      s.status === "unknown";
    let order = this.open.get(s.clId);
    if (!order) {
      const key = `${s.strategy}|${s.intentId}|${s.symbol}|${s.side}`;
      const i = this.inFlight.findIndex((o) => o.key === key);
      if (i >= 0) this.inFlight.splice(i, 1);
      if (!isOpen) return;
      order = { symbol: s.symbol, side: s.side, price: s.price, remaining, key, approvedNs: s.tsNs };
      this.open.set(s.clId, order);
    }
    if (isOpen) order.remaining = remaining;
    else this.open.delete(s.clId);
  }

  /**
   * Marks equity to the latest mids and feeds the breaker; call after books or fills. Not before the
   * order manager's balances arrived: an equity of 0 would read as a 100 % drawdown from a restored day.
   */
  markToMarket(tsNs: bigint): BreakerChange | null {
    if (this.balances.size === 0) return null;
    const transition = this.breaker.onEquity(this.equityUsd(), tsNs);
    return transition === null ? null : { transition, cancelAll: this.cancelAllOn(transition, tsNs) };
  }

  /** From now on every order that does not reduce a position is denied (the daemon is stopping). */
  stopEntries(reason: string): void {
    this.entriesStoppedBy = reason;
  }

  /** Closes every position from now on (`flattenOrders`), as a halted breaker does. */
  requestFlatten(): void {
    this.flattenRequested = true;
  }

  /** Positions are being closed: the daemon is stopping with `flatten`, or the breaker is HALTED. */
  get flattening(): boolean {
    return this.flattenRequested || this.breaker.state === "HALTED";
  }

  /** Every open order, all strategies: what a halt or a stop cancels. */
  cancelAll(reason: string, tsNs: bigint): RequestCancel {
    return { type: "RequestCancel", strategy: "", clId: "", reason, tsNs };
  }

  /**
   * While `flattening`: one reduce-only IOC market order per position that has no open order in its symbol
   * (an exit or an earlier flatten order still in flight is waited for), priced at the mid moved by the flatten
   * band and passed through the rules like any order. Call on a timer; a position that cannot be closed now
   * is named in `skipped`.
   */
  flattenOrders(nowNs: bigint): { orders: SubmitOrder[]; skipped: FlattenSkip[] } {
    const orders: SubmitOrder[] = [];
    const skipped: FlattenSkip[] = [];
    if (!this.flattening) return { orders, skipped };
    const busy = new Set([...this.open.values(), ...this.inFlight].map((o) => o.symbol));
    const band = (this.config.flattenBandBps ?? DEFAULT_FLATTEN_BAND_BPS) / 10_000;
    for (const [symbol, position] of this.positions) {
      if (Math.abs(position.qty) <= SIZE_EPSILON || busy.has(symbol)) continue;
      const inst = this.config.instrument(symbol);
      const mid = this.mids.get(symbol)?.mid;
      const skip = (reason: string) => skipped.push({ symbol, qty: position.qty, reason });
      if (inst === undefined) {
        skip("unknown instrument");
        continue;
      }
      if (position.marketType !== "perp") continue; // spot holdings are the account's assets, not a bet to close
      if (mid === undefined) {
        skip("no book: no protection price");
        continue;
      }
      const side = position.qty > 0 ? "sell" : "buy";
      const decision = this.onPropose(
        {
          type: "ProposeOrder",
          strategy: FLATTEN_STRATEGY,
          intentId: `flatten-${nowNs}-${++this.flattenSeq}`,
          instrument: inst.id,
          symbol,
          marketType: position.marketType,
          side,
          orderType: "market",
          tif: "IOC",
          price: side === "sell" ? mid * (1 - band) : mid * (1 + band),
          size: Math.abs(position.qty),
          reduceOnly: true,
          role: "exit",
          tsNs: nowNs,
        },
        nowNs,
      );
      if (decision.kind === "submit") orders.push(decision.message);
      else skip(`${decision.message.rule}: ${decision.message.reason}`);
    }
    return { orders, skipped };
  }

  /** Operator only (control API `POST /risk/reset`). */
  resetBreaker(): BreakerTransition | null {
    return this.breaker.reset(this.equityUsd());
  }

  // ─── queries ────────────────────────────────────────────────────────────────────────────────────

  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  breakerStatus(): ReturnType<CircuitBreaker["status"]> {
    return this.breaker.status();
  }

  breakerMemory(): BreakerMemory {
    return this.breaker.memory();
  }

  openOrderCount(): number {
    return this.open.size + this.inFlight.length;
  }

  /**
   * Cash valued at 1 (a spot base asset at its instrument's mid) plus perp unrealised PnL. Spot PnL is
   * already in the balances, so only perps add a mark-to-market term.
   */
  equityUsd(): number {
    const baseMids = new Map<string, number>();
    for (const [symbol, m] of this.mids) {
      const inst = this.config.instrument(symbol);
      if (inst?.marketType === "spot") baseMids.set(inst.base, m.mid);
    }
    let equity = 0;
    for (const [asset, total] of this.balances) equity += total * (baseMids.get(asset) ?? 1);
    for (const [symbol, p] of this.positions) {
      const mid = this.mids.get(symbol)?.mid;
      if (p.marketType === "perp" && mid !== undefined) equity += p.qty * (mid - p.avgPrice);
    }
    return equity;
  }

  // ─── internals ──────────────────────────────────────────────────────────────────────────────────

  private view(symbol: string, nowNs: bigint): RiskView {
    while (this.inFlight.length > 0 && nowNs - this.inFlight[0].approvedNs > IN_FLIGHT_TTL_NS) this.inFlight.shift();
    const book = this.mids.get(symbol);
    let openBuyQty = 0;
    let openSellQty = 0;
    let grossUsd = 0;
    let perpGrossUsd = 0;
    const orders = [...this.open.values(), ...this.inFlight];
    for (const o of orders) {
      if (o.symbol === symbol) {
        if (o.side === "buy") openBuyQty += o.remaining;
        else openSellQty += o.remaining;
      }
      const notional = o.remaining * o.price;
      grossUsd += notional;
      if (this.config.instrument(o.symbol)?.marketType === "perp") perpGrossUsd += notional;
    }
    for (const [sym, p] of this.positions) {
      const mark = this.mids.get(sym)?.mid ?? p.avgPrice;
      const notional = Math.abs(p.qty) * mark;
      grossUsd += notional;
      if (p.marketType === "perp") perpGrossUsd += notional;
    }
    this.trimApprovals(nowNs);
    return {
      nowNs,
      breaker: this.breaker.state,
      entriesStopped: this.entriesStoppedBy,
      mid: book?.mid,
      bookRecvNs: book?.recvNs,
      position: this.positions.get(symbol)?.qty ?? 0,
      openBuyQty,
      openSellQty,
      openOrderCount: orders.length,
      grossUsd,
      perpGrossUsd,
      equityUsd: this.equityUsd(),
      ordersLastSecond: this.approvals.length,
    };
  }

  private recordApproval(m: SubmitOrder, nowNs: bigint): void {
    this.approvals.push(nowNs);
    this.inFlight.push({
      symbol: m.symbol,
      side: m.side,
      price: m.price,
      remaining: m.size,
      key: `${m.strategy}|${m.intentId}|${m.symbol}|${m.side}`,
      approvedNs: nowNs,
    });
  }

  private trimApprovals(nowNs: bigint): void {
    let drop = 0;
    while (drop < this.approvals.length && nowNs - this.approvals[drop] >= NS_PER_S) drop++;
    if (drop > 0) this.approvals.splice(0, drop);
  }

  private cancelAllOn(t: BreakerTransition, tsNs: bigint): RequestCancel | undefined {
    return t.to === "HALTED" ? this.cancelAll(`circuit breaker: ${t.reason}`, tsNs) : undefined;
  }

  private deny(p: ProposeOrder, rule: string, reason: string, tsNs: bigint): RiskDecisionOut {
    return {
      kind: "deny",
      message: {
        type: "OrderDenied",
        strategy: p.strategy,
        intentId: p.intentId,
        symbol: p.symbol,
        rule,
        reason,
        tsNs,
      },
    };
  }
}
