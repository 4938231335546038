import type { OrderStatus, OrderStatusChanged, Side } from "../../protocol/orders.js";
import type { ClosedPosition } from "./records.js";

/**
 * One position executor per entry (docs/strategy.md): it follows the entry order's fills, then watches the
 * lagger's mid for the stop-loss / take-profit and the clock for the time limit, and asks for reduce-only
 * exits of exactly what is filled. Pure: it returns what it wants; the strategy core builds the orders.
 */

export type ExecutorState = "entry_pending" | "open" | "exit_pending" | "closed" | "failed";
export type ExecutorTrigger =
  | "entry_filled"
  | "entry_failed"
  | "exit_sent"
  | "exit_filled"
  | "exit_incomplete"
  | "position_gone";
export type ExitReason = "sl" | "tp" | "time_limit";
/** How a position ended; `flattened`: closed by risk (a HALTED breaker or a stopping daemon), not by an exit. */
export type ClosedBy = ExitReason | "flattened";

/** (state, trigger) → next state; anything absent is illegal. */
export const EXECUTOR_TRANSITIONS: Readonly<Record<ExecutorState, Partial<Record<ExecutorTrigger, ExecutorState>>>> = {
  entry_pending: { entry_filled: "open", entry_failed: "failed" },
  open: { exit_sent: "exit_pending", position_gone: "closed" },
  exit_pending: { exit_filled: "closed", exit_incomplete: "open" },
  closed: {},
  failed: {},
};

export type TransitionResult =
  | { readonly ok: true; readonly from: ExecutorState; readonly to: ExecutorState }
  | { readonly ok: false; readonly state: ExecutorState; readonly trigger: ExecutorTrigger };

export function nextExecutorState(state: ExecutorState, trigger: ExecutorTrigger): ExecutorState | null {
  return EXECUTOR_TRANSITIONS[state][trigger] ?? null;
}

/** Bracket distances from the entry price, bps; null disables that side. */
export interface Brackets {
  readonly slBps: number | null;
  readonly tpBps: number | null;
}

export interface ExecutorPlan {
  readonly intentId: string;
  readonly side: Side;
  readonly brackets: Brackets;
  /** 0n disables the time limit. */
  readonly timeLimitNs: bigint;
  /** After an exit that did not complete, wait this long before asking again (the next book or timer). */
  readonly exitRetryNs: bigint;
  readonly takerFeeBps: number;
}

export interface ExitRequest {
  readonly reason: ExitReason;
  /** Opposite of the entry side. */
  readonly side: Side;
  /** What is filled and not yet exited. */
  readonly size: number;
}

const TERMINAL: ReadonlySet<OrderStatus> = new Set(["filled", "canceled", "rejected"]);
/**
 * An entry's outcome is known once its order is terminal, or `unknown`: no ack by its deadline, so the order
 * manager reconciles it with the venue. An entry with nothing filled by then has failed; a fill that comes
 * later is booked by the order manager and its position adopted like any untracked one (`onPosition`).
 */
const ENTRY_DECIDED: ReadonlySet<OrderStatus> = new Set([...TERMINAL, "unknown"]);
const SIZE_EPSILON = 1e-12;

export class PositionExecutor {
  state: ExecutorState = "entry_pending";
  entryFilled = 0;
  entryPrice = 0;
  openedNs: bigint | null = null;
  exitedQty = 0;
  exitNotional = 0;
  closedBy: ClosedBy | null = null;
  private exitIntent: string | null = null;
  private exitReason: ExitReason | null = null;
  private exitOrderFilled = 0;
  private exitOrderAvg = 0;
  private retryAfterNs = 0n;
  /** The plan's brackets, until an adopted position gets ATR brackets (`rebracket`). */
  private brackets: Brackets;

  constructor(readonly plan: ExecutorPlan) {
    this.brackets = plan.brackets;
  }

  /** Replaces the brackets of an adopted position once the lagger's ATR is ready (they were provisional). */
  rebracket(brackets: Brackets): void {
    this.brackets = brackets;
  }

  get sign(): 1 | -1 {
    return this.plan.side === "buy" ? 1 : -1;
  }

  get openQty(): number {
    return Math.max(0, this.entryFilled - this.exitedQty);
  }

  get live(): boolean {
    return this.state !== "closed" && this.state !== "failed";
  }

  /** Gross PnL of what has been exited, quote units. */
  get realizedPnl(): number {
    return this.sign * (this.exitNotional - this.exitedQty * this.entryPrice);
  }

  /** Taker fees on both legs at `taker_fee_bps` (the venue's exact fees arrive with positions, not per intent). */
  get estimatedFees(): number {
    return (this.plan.takerFeeBps / 1e4) * (this.entryFilled * this.entryPrice + this.exitNotional);
  }

  /** The closed position's summary: realised PnL per intent. Only meaningful once `closed`. */
  summary(symbol: string, closedNs: bigint): ClosedPosition {
    return {
      intentId: this.plan.intentId,
      symbol,
      side: this.plan.side,
      qty: this.exitedQty,
      entryPrice: this.entryPrice,
      exitPrice: this.exitedQty > 0 ? this.exitNotional / this.exitedQty : NaN,
      closedBy: this.closedBy ?? "time_limit",
      openedNs: this.openedNs ?? closedNs,
      closedNs,
      realizedPnl: this.realizedPnl,
      estimatedFees: this.estimatedFees,
    };
  }

  /**
   * Takes over a position found at the venue with no executor (the strategy restarted while it was open):
   * open at once at the venue's average price, its time limit counted from now.
   */
  adopt(qty: number, price: number, nowNs: bigint): void {
    if (this.state !== "entry_pending" || this.entryFilled > 0)
      throw new Error(`cannot adopt into an executor in state ${this.state}`);
    this.state = "open";
    this.entryFilled = qty;
    this.entryPrice = price;
    this.openedNs = nowNs;
  }

  /** Entry fills open the position with what is filled (a later fill of the same order adds to it). */
  onOrderStatus(s: OrderStatusChanged): TransitionResult | null {
    if (s.intentId === this.plan.intentId) return this.onEntryStatus(s);
    if (s.intentId === this.exitIntent) return this.onExitStatus(s);
    return null;
  }

  onDenied(intentId: string, nowNs: bigint): TransitionResult | null {
    if (intentId === this.plan.intentId && this.state === "entry_pending") return this.apply("entry_failed");
    if (intentId === this.exitIntent && this.state === "exit_pending") return this.finishExit(nowNs);
    return null;
  }

  /**
   * The venue position went flat while this executor held it open with no exit of its own in flight: risk
   * flattened it. Closed, so it does not ask for exits that can only be denied.
   */
  onPositionGone(): TransitionResult | null {
    if (this.state !== "open") return null;
    this.closedBy = "flattened";
    return this.apply("position_gone");
  }

  /** SL/TP on the lagger mid, long or short; the stop is checked first. */
  checkBrackets(mid: number, nowNs: bigint): ExitReason | null {
    if (this.state !== "open" || nowNs < this.retryAfterNs || this.openQty <= SIZE_EPSILON) return null;
    const moveBps = this.sign * 1e4 * Math.log(mid / this.entryPrice);
    const { slBps, tpBps } = this.brackets;
    if (slBps !== null && slBps > 0 && moveBps <= -slBps) return "sl";
    if (tpBps !== null && tpBps > 0 && moveBps >= tpBps) return "tp";
    return null;
  }

  checkTimeLimit(nowNs: bigint): ExitReason | null {
    if (this.state !== "open" || this.openedNs === null || this.plan.timeLimitNs === 0n || nowNs < this.retryAfterNs)
      return null;
    return nowNs - this.openedNs >= this.plan.timeLimitNs ? "time_limit" : null;
  }

  /** Marks an exit as sent under `intentId`; the request says what to send. */
  beginExit(reason: ExitReason, intentId: string): ExitRequest | TransitionResult {
    const size = this.openQty;
    const result = this.apply("exit_sent");
    if (!result.ok) return result;
    this.exitIntent = intentId;
    this.exitReason = reason;
    this.exitOrderFilled = 0;
    this.exitOrderAvg = 0;
    return { reason, side: this.plan.side === "buy" ? "sell" : "buy", size };
  }

  private onEntryStatus(s: OrderStatusChanged): TransitionResult | null {
    if (s.filledSize > this.entryFilled) {
      this.entryFilled = s.filledSize;
      this.entryPrice = s.avgFillPrice;
    }
    if (this.state !== "entry_pending") return null;
    if (this.entryFilled > SIZE_EPSILON) {
      this.openedNs = s.tsNs;
      return this.apply("entry_filled");
    }
    return ENTRY_DECIDED.has(s.status) ? this.apply("entry_failed") : null;
  }

  private onExitStatus(s: OrderStatusChanged): TransitionResult | null {
    this.exitOrderFilled = s.filledSize;
    this.exitOrderAvg = s.avgFillPrice;
    return TERMINAL.has(s.status) && this.state === "exit_pending" ? this.finishExit(s.tsNs) : null;
  }

  /** Folds the exit order's fills in; closed when nothing is left, else back to open to try again. */
  private finishExit(nowNs: bigint): TransitionResult {
    this.exitedQty += this.exitOrderFilled;
    this.exitNotional += this.exitOrderFilled * this.exitOrderAvg;
    this.exitOrderFilled = 0;
    this.exitIntent = null;
    if (this.openQty <= SIZE_EPSILON) {
      this.closedBy = this.exitReason;
      return this.apply("exit_filled");
    }
    this.retryAfterNs = nowNs + this.plan.exitRetryNs;
    return this.apply("exit_incomplete");
  }

  private apply(trigger: ExecutorTrigger): TransitionResult {
    const from = this.state;
    const to = nextExecutorState(from, trigger);
    if (to === null) return { ok: false, state: from, trigger };
    this.state = to;
    return { ok: true, from, to };
  }
}
