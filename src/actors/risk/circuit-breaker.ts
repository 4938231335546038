import type { CircuitBreakerLimits } from "./limits.js";
import { NS_PER_DAY } from "../../model/time.js";

/**
 * Daily drawdown circuit breaker: ACTIVE → REDUCING (reduce-only) → HALTED (nothing; open orders are
 * canceled). It only ever escalates on its own; going back to ACTIVE is an operator's `reset`. Drawdown is
 * measured from the first equity seen in each UTC day, so a new day rebases it but does not un-trip.
 */

export type BreakerState = "ACTIVE" | "REDUCING" | "HALTED";

export interface BreakerTransition {
  readonly from: BreakerState;
  readonly to: BreakerState;
  readonly reason: string;
}

/** What the breaker must not forget across a restart: its state and the day's starting equity. */
export interface BreakerMemory {
  readonly state: BreakerState;
  /** UTC day number (epoch ns / 1 day), as a decimal string; "" before the first equity. */
  readonly day: string;
  readonly dayStartEquity: number;
}

const RANK: Record<BreakerState, number> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

export class CircuitBreaker {
  private current: BreakerState = "ACTIVE";
  private day = -1n;
  private dayStartEquity = 0;
  private lastEquity = 0;

  constructor(
    private readonly limits: CircuitBreakerLimits,
    restored?: BreakerMemory,
  ) {
    if (restored === undefined) return;
    this.current = restored.state;
    this.day = restored.day === "" ? -1n : BigInt(restored.day);
    this.dayStartEquity = restored.dayStartEquity;
  }

  memory(): BreakerMemory {
    return { state: this.current, day: this.day < 0n ? "" : this.day.toString(), dayStartEquity: this.dayStartEquity };
  }

  get state(): BreakerState {
    return this.current;
  }

  /** Start-of-day equity and the drawdown from it, for `/risk` and `/health`. */
  status(): { state: BreakerState; dayStartEquity: number; drawdownUsd: number } {
    return {
      state: this.current,
      dayStartEquity: this.dayStartEquity,
      drawdownUsd: Math.max(0, this.dayStartEquity - this.lastEquity),
    };
  }

  onEquity(equityUsd: number, tsNs: bigint): BreakerTransition | null {
    const day = tsNs / NS_PER_DAY;
    if (day !== this.day) {
      this.day = day;
      this.dayStartEquity = equityUsd;
    }
    this.lastEquity = equityUsd;
    if (!this.limits.enabled) return null;
    const drawdown = this.dayStartEquity - equityUsd;
    const pct = this.dayStartEquity > 0 ? (drawdown / this.dayStartEquity) * 100 : 0;
    const target = this.targetFor(drawdown, pct);
    if (target === null || RANK[target.state] <= RANK[this.current]) return null;
    const from = this.current;
    this.current = target.state;
    return { from, to: target.state, reason: target.reason };
  }

  /**
   * Halts at once for a reason other than drawdown (the venue's account disagrees with leadlag's). Like
   * every escalation it holds until an operator's `reset`; null when already HALTED or disabled.
   */
  halt(reason: string): BreakerTransition | null {
    if (!this.limits.enabled || this.current === "HALTED") return null;
    const from = this.current;
    this.current = "HALTED";
    return { from, to: "HALTED", reason };
  }

  /** Operator only (control API): back to ACTIVE, drawdown measured afresh from `equityUsd`. */
  reset(equityUsd: number): BreakerTransition | null {
    this.dayStartEquity = equityUsd;
    this.lastEquity = equityUsd;
    if (this.current === "ACTIVE") return null;
    const from = this.current;
    this.current = "ACTIVE";
    return { from, to: "ACTIVE", reason: "operator reset" };
  }

  private targetFor(drawdown: number, pct: number): { state: BreakerState; reason: string } | null {
    const l = this.limits;
    const dd = `daily drawdown ${drawdown.toFixed(2)} USD (${pct.toFixed(2)} %)`;
    if (l.haltAtDrawdownUsd !== undefined && drawdown >= l.haltAtDrawdownUsd)
      return { state: "HALTED", reason: `${dd} >= halt ${l.haltAtDrawdownUsd} USD` };
    if (l.haltAtDrawdownPct !== undefined && pct >= l.haltAtDrawdownPct)
      return { state: "HALTED", reason: `${dd} >= halt ${l.haltAtDrawdownPct} %` };
    if (l.reduceAtDrawdownUsd !== undefined && drawdown >= l.reduceAtDrawdownUsd)
      return { state: "REDUCING", reason: `${dd} >= reduce ${l.reduceAtDrawdownUsd} USD` };
    if (l.reduceAtDrawdownPct !== undefined && pct >= l.reduceAtDrawdownPct)
      return { state: "REDUCING", reason: `${dd} >= reduce ${l.reduceAtDrawdownPct} %` };
    return null;
  }
}
