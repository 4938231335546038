import type { MarketType, Side } from "../../protocol/orders.js";

/**
 * The account as a fold over submissions, fills and terminal states. Spot locks what an order could spend
 * (quote for a buy, base for a sell) and releases it on fill, cancel or reject; perps reserve initial margin
 * (notional / leverage) in the settlement asset and release it proportionally as the order fills.
 * Values are in the instruments' quote currency; `equity` assumes one quote currency across instruments.
 */

export interface LedgerInstrument {
  readonly symbol: string;
  readonly marketType: MarketType;
  readonly base: string;
  /** Quote currency; for perps also the settlement (collateral) asset. */
  readonly quote: string;
  /** Perps: leverage used for initial margin. Ignored for spot. */
  readonly leverage: number;
}

export interface Balance {
  total: number;
  /** Reserved by open orders, plus margin held by perp positions. */
  locked: number;
}

export interface Position {
  readonly symbol: string;
  readonly marketType: MarketType;
  /** Signed base units. */
  qty: number;
  avgPrice: number;
  realizedPnl: number;
  /** Fees paid in quote terms (base fees valued at the fill price); a rebate is negative. */
  fees: number;
}

export interface LedgerFill {
  readonly side: Side;
  readonly price: number;
  readonly size: number;
  /** "" = the instrument's quote. */
  readonly feeCurrency: string;
  readonly feeAmount: number;
}

interface Reservation {
  readonly asset: string;
  amount: number;
  remainingSize: number;
}

/** Sizes below this are float residue of arithmetic on lots, not a position. */
const DUST = 1e-12;

export class Ledger {
  private readonly balances = new Map<string, Balance>();
  private readonly positions = new Map<string, Position>();
  private readonly reservations = new Map<string, Reservation>();
  private readonly perpInstruments = new Map<string, LedgerInstrument>();

  setBalance(asset: string, amount: number): void {
    this.balanceOf(asset).total = amount;
  }

  /** What a new order would reserve: checked against `free` before submitting. */
  requiredReservation(
    inst: LedgerInstrument,
    side: Side,
    price: number,
    size: number,
    reduceOnly: boolean,
  ): { asset: string; amount: number } {
    if (inst.marketType === "perp")
      return { asset: inst.quote, amount: reduceOnly ? 0 : (price * size) / inst.leverage };
    return side === "buy" ? { asset: inst.quote, amount: price * size } : { asset: inst.base, amount: size };
  }

  reserve(clId: string, inst: LedgerInstrument, side: Side, price: number, size: number, reduceOnly: boolean): void {
    const { asset, amount } = this.requiredReservation(inst, side, price, size, reduceOnly);
    this.reservations.set(clId, { asset, amount, remainingSize: size });
    this.balanceOf(asset).locked += amount;
  }

  /** What an order still holds reserved (initial margin for a perp, quote or base for spot). */
  reservation(clId: string): { asset: string; amount: number } | undefined {
    const r = this.reservations.get(clId);
    return r && { asset: r.asset, amount: r.amount };
  }

  /** Releases what is left of an order's reservation (terminal state); returns the asset it was in. */
  release(clId: string): string | undefined {
    const r = this.reservations.get(clId);
    if (!r) return undefined;
    this.balanceOf(r.asset).locked -= r.amount;
    this.reservations.delete(clId);
    return r.asset;
  }

  applyFill(clId: string, inst: LedgerInstrument, fill: LedgerFill): void {
    this.releaseProportion(clId, fill.size);
    const feeAsset = fill.feeCurrency === "" ? inst.quote : fill.feeCurrency;
    const feeInQuote = feeAsset === inst.base ? fill.feeAmount * fill.price : fill.feeAmount;
    const signed = fill.side === "buy" ? fill.size : -fill.size;
    const position = this.positionOf(inst);
    const marginBefore = this.positionMargin(position, inst);
    const realized = foldPosition(position, signed, fill.price);
    position.fees += feeInQuote;
    this.balanceOf(feeAsset).total -= fill.feeAmount;
    if (inst.marketType === "perp") {
      this.perpInstruments.set(inst.symbol, inst);
      this.balanceOf(inst.quote).total += realized;
      this.balanceOf(inst.quote).locked += this.positionMargin(position, inst) - marginBefore;
    } else {
      this.balanceOf(inst.base).total += signed;
      this.balanceOf(inst.quote).total -= signed * fill.price;
    }
  }

  balance(asset: string): Readonly<Balance> {
    return this.balances.get(asset) ?? { total: 0, locked: 0 };
  }

  free(asset: string): number {
    const b = this.balance(asset);
    return b.total - b.locked;
  }

  assets(): string[] {
    return [...this.balances.keys()];
  }

  position(symbol: string): Readonly<Position> | undefined {
    return this.positions.get(symbol);
  }

  allPositions(): readonly Readonly<Position>[] {
    return [...this.positions.values()];
  }

  unrealizedPnl(symbol: string, mark: number): number {
    const p = this.positions.get(symbol);
    return p ? p.qty * (mark - p.avgPrice) : 0;
  }

  /**
   * Balances valued at the marks (a spot base asset at its instrument's mark, every other asset at 1 as
   * quote cash) plus unrealised PnL of perp positions. `marks` is keyed by symbol.
   */
  equity(marks: ReadonlyMap<string, number>, spotInstruments: readonly LedgerInstrument[] = []): number {
    const baseMark = new Map<string, number>();
    for (const inst of spotInstruments) {
      const mark = marks.get(inst.symbol);
      if (mark !== undefined) baseMark.set(inst.base, mark);
    }
    let equity = 0;
    for (const [asset, b] of this.balances) equity += b.total * (baseMark.get(asset) ?? 1);
    for (const [symbol] of this.perpInstruments) {
      const mark = marks.get(symbol);
      if (mark !== undefined) equity += this.unrealizedPnl(symbol, mark);
    }
    return equity;
  }

  private releaseProportion(clId: string, filledSize: number): void {
    const r = this.reservations.get(clId);
    if (!r) return;
    const share = r.remainingSize > DUST ? Math.min(1, filledSize / r.remainingSize) : 1;
    const released = r.amount * share;
    r.amount -= released;
    r.remainingSize = Math.max(0, r.remainingSize - filledSize);
    this.balanceOf(r.asset).locked -= released;
  }

  private positionMargin(p: Position, inst: LedgerInstrument): number {
    return inst.marketType === "perp" ? (Math.abs(p.qty) * p.avgPrice) / inst.leverage : 0;
  }

  private balanceOf(asset: string): Balance {
    let b = this.balances.get(asset);
    if (!b) {
      b = { total: 0, locked: 0 };
      this.balances.set(asset, b);
    }
    return b;
  }

  private positionOf(inst: LedgerInstrument): Position {
    let p = this.positions.get(inst.symbol);
    if (!p) {
      p = { symbol: inst.symbol, marketType: inst.marketType, qty: 0, avgPrice: 0, realizedPnl: 0, fees: 0 };
      this.positions.set(inst.symbol, p);
    }
    return p;
  }
}

/**
 * Adds a signed fill to a position: adding moves the average price, reducing realises PnL against it,
 * crossing zero opens the remainder at the fill price. Returns the PnL realised by this fill.
 */
export function foldPosition(p: Position, signedSize: number, price: number): number {
  let realized = 0;
  if (p.qty === 0 || Math.sign(p.qty) === Math.sign(signedSize)) {
    const qty = p.qty + signedSize;
    p.avgPrice = (Math.abs(p.qty) * p.avgPrice + Math.abs(signedSize) * price) / Math.abs(qty);
    p.qty = qty;
  } else {
    const closing = Math.min(Math.abs(signedSize), Math.abs(p.qty));
    realized = closing * (price - p.avgPrice) * Math.sign(p.qty);
    const qty = p.qty + signedSize;
    if (Math.abs(qty) <= DUST) {
      p.qty = 0;
      p.avgPrice = 0;
    } else {
      if (Math.sign(qty) !== Math.sign(p.qty)) p.avgPrice = price;
      p.qty = qty;
    }
  }
  p.realizedPnl += realized;
  return realized;
}
