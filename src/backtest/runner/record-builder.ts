/**
 * Folds what the actors said during a replay (orders placed, fills, jumps, books) into the parts of a
 * `BacktestRecord`: round trips, equity and price samples. Pure and synchronous: time is passed in.
 */
import type { EquityPoint, ExitReason, JumpPoint, PricePoint, TradeRecord } from "../report/record.js";

export interface PlacedOrder {
  readonly clId: string;
  readonly intentId: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly role: "entry" | "exit" | "sl" | "tp";
}

export interface Fill {
  readonly clId: string;
  readonly price: number;
  readonly size: number;
  /** In quote units (USD): the venue's fee converted at the fill price when charged in base. */
  readonly fee: number;
}

/** An entry and the exits that closed it, as they fill. */
interface RoundTrip {
  readonly intentId: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  entryQty: number;
  entryNotional: number;
  entryNs: bigint;
  exitQty: number;
  exitNotional: number;
  exitNs: bigint;
  exitReason: ExitReason;
  fees: number;
}

const EXIT_REASON: Readonly<Record<PlacedOrder["role"], ExitReason>> = {
  entry: "other",
  sl: "sl",
  tp: "tp",
  // The strategy sends its time-limit exits as role `exit` (strategy core: `time_limit` → `exit`).
  exit: "time_limit",
};

/** Quantities below this fraction of the entry are rounding left-overs, not an open position. */
const QTY_EPSILON = 1e-9;

export class RecordBuilder {
  readonly trades: TradeRecord[] = [];
  readonly jumps: JumpPoint[] = [];
  readonly equity: EquityPoint[] = [];
  readonly prices: Record<string, PricePoint[]> = {};
  private readonly orders = new Map<string, PlacedOrder>();
  private readonly open = new Map<string, RoundTrip>();
  private readonly positions = new Map<string, number>();
  private readonly marks = new Map<string, number>();
  private readonly nextPriceSampleNs = new Map<string, bigint>();
  private nextEquitySampleNs = 0n;
  /** Cash flows of the fills (sells add, buys and fees subtract), quote units. */
  private cash = 0;
  feesPaid = 0;

  /**
   * @param sampleEveryNs equity and price samples are at least this far apart in event time (per symbol)
   */
  constructor(
    private readonly initialEquity: number,
    private readonly sampleEveryNs: bigint,
  ) {}

  placed(order: PlacedOrder): void {
    this.orders.set(order.clId, order);
  }

  filled(fill: Fill, nowNs: bigint): void {
    const order = this.orders.get(fill.clId);
    if (order === undefined) return;
    const signed = order.side === "buy" ? fill.size : -fill.size;
    this.positions.set(order.symbol, (this.positions.get(order.symbol) ?? 0) + signed);
    this.cash -= signed * fill.price + fill.fee;
    this.feesPaid += fill.fee;
    if (order.role === "entry") this.entryFilled(order, fill, nowNs);
    else this.exitFilled(order, fill, nowNs);
    this.sampleEquity(nowNs, true);
  }

  private entryFilled(order: PlacedOrder, fill: Fill, nowNs: bigint): void {
    let trip = this.open.get(order.intentId);
    if (trip === undefined) {
      trip = {
        intentId: order.intentId,
        symbol: order.symbol,
        side: order.side,
        entryQty: 0,
        entryNotional: 0,
        entryNs: nowNs,
        exitQty: 0,
        exitNotional: 0,
        exitNs: nowNs,
        exitReason: "other",
        fees: 0,
      };
      this.open.set(order.intentId, trip);
    }
    trip.entryQty += fill.size;
    trip.entryNotional += fill.size * fill.price;
    trip.fees += fill.fee;
  }

  private exitFilled(order: PlacedOrder, fill: Fill, nowNs: bigint): void {
    // Exits carry `<entry intent>-x<n>` (strategy core), adopted positions their own intent.
    const entryIntent = /^(.*)-x\d+$/.exec(order.intentId)?.[1] ?? order.intentId;
    const trip = this.open.get(entryIntent);
    if (trip === undefined) return;
    trip.exitQty += fill.size;
    trip.exitNotional += fill.size * fill.price;
    trip.fees += fill.fee;
    trip.exitNs = nowNs;
    trip.exitReason = EXIT_REASON[order.role];
    if (trip.exitQty < trip.entryQty * (1 - QTY_EPSILON)) return;
    this.open.delete(entryIntent);
    const entryPrice = trip.entryNotional / trip.entryQty;
    const exitPrice = trip.exitNotional / trip.exitQty;
    const direction = trip.side === "buy" ? 1 : -1;
    const grossPnl = direction * (trip.exitNotional - entryPrice * trip.exitQty);
    this.trades.push({
      intentId: trip.intentId,
      leader: "",
      symbol: trip.symbol,
      side: trip.side,
      qty: trip.entryQty,
      entryNs: trip.entryNs,
      entryPrice,
      exitNs: trip.exitNs,
      exitPrice,
      exitReason: trip.exitReason,
      grossPnl,
      fees: trip.fees,
      netPnl: grossPnl - trip.fees,
    });
  }

  jump(point: JumpPoint): void {
    this.jumps.push(point);
  }

  /** A book's mid: the mark for equity, and a price sample at most every `sampleEveryNs` per symbol. */
  mid(symbol: string, mid: number, nowNs: bigint): void {
    if (!(mid > 0)) return;
    this.marks.set(symbol, mid);
    if (nowNs >= (this.nextPriceSampleNs.get(symbol) ?? 0n)) {
      (this.prices[symbol] ??= []).push({ tsNs: nowNs, mid });
      this.nextPriceSampleNs.set(symbol, nowNs + this.sampleEveryNs);
    }
    this.sampleEquity(nowNs, false);
  }

  /** Balance plus the open positions at their marks. */
  equityNow(): number {
    let value = this.initialEquity + this.cash;
    for (const [symbol, qty] of this.positions) value += qty * (this.marks.get(symbol) ?? 0);
    return value;
  }

  /** Samples on a schedule, and at every fill (so each trade shows in the curve). */
  private sampleEquity(nowNs: bigint, force: boolean): void {
    if (!force && nowNs < this.nextEquitySampleNs) return;
    const last = this.equity.at(-1);
    const point = { tsNs: nowNs, equity: this.equityNow() };
    if (last !== undefined && last.tsNs === nowNs) this.equity[this.equity.length - 1] = point;
    else this.equity.push(point);
    this.nextEquitySampleNs = nowNs + this.sampleEveryNs;
  }

  /** The last sample at the end time, and the positions left open. */
  finish(endNs: bigint): Record<string, number> {
    this.sampleEquity(endNs, true);
    const openAtEnd: Record<string, number> = {};
    for (const [symbol, qty] of [...this.positions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      if (Math.abs(qty) > QTY_EPSILON) openAtEnd[symbol] = qty;
    return openAtEnd;
  }
}
