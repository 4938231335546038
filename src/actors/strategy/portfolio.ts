import type { PositionChanged } from "../../protocol/orders.js";
import type { PositionExecutor } from "./executor.js";

/**
 * The strategy's executors and the venue positions beside them: what the capacity, notional, stacking and
 * dust gates read. Executors stay registered under every intent they issued until they end.
 */
export class Portfolio {
  private readonly byIntent = new Map<string, PositionExecutor>();
  private readonly live = new Set<PositionExecutor>();
  private readonly laggerOf = new Map<PositionExecutor, number>();
  private readonly plannedNotional = new Map<PositionExecutor, number>();
  private readonly venueQty = new Map<string, number>();
  private readonly lastEntry = new Map<number, bigint>();

  add(executor: PositionExecutor, lagger: number, notionalUsd: number, nowNs: bigint): void {
    this.byIntent.set(executor.plan.intentId, executor);
    this.live.add(executor);
    this.laggerOf.set(executor, lagger);
    this.plannedNotional.set(executor, notionalUsd);
    this.lastEntry.set(lagger, nowNs);
  }

  /** Routes a later intent (an exit) of `executor` to it. */
  alias(intentId: string, executor: PositionExecutor): void {
    this.byIntent.set(intentId, executor);
  }

  byIntentId(intentId: string): PositionExecutor | undefined {
    return this.byIntent.get(intentId);
  }

  lagger(executor: PositionExecutor): number {
    return this.laggerOf.get(executor)!;
  }

  /** Forgets an executor that ended (closed or failed), with every intent it issued. */
  retire(executor: PositionExecutor): void {
    this.live.delete(executor);
    this.laggerOf.delete(executor);
    this.plannedNotional.delete(executor);
    for (const [intent, owner] of this.byIntent) if (owner === executor) this.byIntent.delete(intent);
  }

  liveExecutors(): IterableIterator<PositionExecutor> {
    return this.live.values();
  }

  get openCount(): number {
    return this.live.size;
  }

  /** Planned notional while the entry is pending, then filled quantity at the entry price. */
  usedNotionalUsd(): number {
    let used = 0;
    for (const e of this.live)
      used += e.state === "entry_pending" ? this.plannedNotional.get(e)! : e.openQty * e.entryPrice;
    return used;
  }

  hasLiveExecutor(lagger: number): boolean {
    for (const e of this.live) if (this.laggerOf.get(e) === lagger) return true;
    return false;
  }

  lastEntryNs(lagger: number): bigint | null {
    return this.lastEntry.get(lagger) ?? null;
  }

  onPosition(p: PositionChanged): void {
    this.venueQty.set(p.symbol, p.qty);
  }

  /** Venue position minus what live executors hold (signed), in base units. */
  untrackedQty(lagger: number, symbol: string): number {
    let tracked = 0;
    for (const e of this.live) if (this.laggerOf.get(e) === lagger) tracked += e.sign * e.openQty;
    const residual = (this.venueQty.get(symbol) ?? 0) - tracked;
    return Math.abs(residual) < 1e-12 ? 0 : residual;
  }
}
