import type { Execution, Side, VenueBook } from "../matching/book.js";
import { crosses, walkLevels } from "../matching/book.js";
import type { MarketTrade, MatchingRules, RestingOrder } from "../matching/core.js";
import type { FillModel } from "./fill.js";
import { EMPTY_QUEUE, type QueueModel, type QueuePosition } from "./queue.js";
import type { MakerPricing, SlippageModel } from "./slippage.js";

/** The models the simulated venue trades by; each is swapped without touching the venue. */
export interface SimulationModels {
  readonly slippage: SlippageModel;
  readonly queue: QueueModel;
  readonly fill: FillModel;
  readonly makerPricing: MakerPricing;
  /** Lot size per symbol (fills are whole lots). */
  readonly lotOf: (symbol: string) => number;
}

interface Standing {
  position: QueuePosition;
  /** What trades since the last match offered the order (beyond its queue), not yet given. */
  offered: number;
}

/**
 * The simulated venue's matching rules. A taker order: the fill model decides how much of its size trades,
 * the slippage model at what prices. A resting order: it fills when the book crosses it (as on paper) or when
 * trades at its price have consumed the queue ahead of it (queue model); the fill model decides how much of
 * that it gets, the maker pricing at what price.
 */
export class SimulatedMatching implements MatchingRules {
  private readonly standings = new Map<string, Standing>();

  constructor(private readonly models: SimulationModels) {}

  take(order: RestingOrder["place"], book: VenueBook | undefined, size: number): Execution[] {
    if (!book || !crosses(book, order.side, order.price)) return [];
    const wanted = this.models.fill.fillSize(size, this.models.lotOf(order.symbol));
    return wanted > 0 ? this.models.slippage.execute(order.side, wanted, order.price, book) : [];
  }

  rested(order: RestingOrder, book: VenueBook | undefined): void {
    const depth = book ? (visibleDepth(book, order.place.side, order.place.price) ?? 0) : 0;
    this.standings.set(order.place.clId, {
      position: this.models.queue.apply(EMPTY_QUEUE, { kind: "join", depth }).position,
      offered: 0,
    });
  }

  removed(clId: string): void {
    this.standings.delete(clId);
  }

  onBook(symbol: string, book: VenueBook, resting: ReadonlyMap<string, RestingOrder>): void {
    for (const order of resting.values()) {
      const standing = this.standings.get(order.place.clId);
      if (order.place.symbol !== symbol || !standing) continue;
      const depth = visibleDepth(book, order.place.side, order.place.price);
      if (depth === undefined) continue; // our level is deeper than the book shows: no news about it
      if (depth === standing.position.depth && standing.position.traded === 0) continue; // unchanged: no news
      standing.position = this.models.queue.apply(standing.position, { kind: "depth", depth }).position;
    }
  }

  onTrade(symbol: string, trade: MarketTrade, resting: ReadonlyMap<string, RestingOrder>): void {
    for (const order of resting.values()) {
      const standing = this.standings.get(order.place.clId);
      const { side, price } = order.place;
      // Sell aggressors hit the bids our buys rest on, and the other way round.
      if (order.place.symbol !== symbol || !standing || trade.aggressor === side) continue;
      const through = side === "buy" ? trade.price < price : trade.price > price;
      if (through) {
        // Our whole level traded away: nothing of the queue is left ahead of us.
        standing.position = { ...standing.position, ahead: 0 };
        standing.offered = Number.POSITIVE_INFINITY;
      } else if (trade.price === price) {
        const step = this.models.queue.apply(standing.position, { kind: "trade", size: trade.size });
        standing.position = step.position;
        standing.offered += step.offered;
      }
    }
  }

  bookReaches(order: RestingOrder, book: VenueBook): boolean {
    return crosses(book, order.place.side, order.place.price);
  }

  tradeReaches(order: RestingOrder): boolean {
    return (this.standings.get(order.place.clId)?.offered ?? 0) > 0;
  }

  makerOnBook(order: RestingOrder, book: VenueBook, size: number): Execution[] {
    const { side, price, symbol } = order.place;
    const available = walkLevels(copyOfSide(book, side), side, price, size).reduce((sum, e) => sum + e.size, 0);
    const filled = this.models.fill.fillSize(available, this.models.lotOf(symbol));
    if (filled <= 0) return [];
    const taken = walkLevels(book, side, price, filled).reduce((sum, e) => sum + e.size, 0);
    return [{ price: this.models.makerPricing.price(side, price, book), size: taken }];
  }

  makerOnTrade(order: RestingOrder, _trade: MarketTrade, size: number, book: VenueBook | undefined): Execution[] {
    const standing = this.standings.get(order.place.clId);
    if (!standing) return [];
    const offered = Math.min(standing.offered, size);
    standing.offered = 0;
    const filled = this.models.fill.fillSize(offered, this.models.lotOf(order.place.symbol));
    if (filled <= 0) return [];
    return [{ price: this.models.makerPricing.price(order.place.side, order.place.price, book), size: filled }];
  }
}

/**
 * The depth displayed at `price` on the side a `side` order rests on: 0 when the level is inside the shown range
 * but empty, undefined when it lies beyond the last level shown (a top-N book says nothing about it).
 */
export function visibleDepth(book: VenueBook, side: Side, price: number): number | undefined {
  const px = side === "buy" ? book.bidPx : book.askPx;
  const sz = side === "buy" ? book.bidSz : book.askSz;
  const i = px.indexOf(price);
  if (i >= 0) return sz[i];
  const last = px.at(-1);
  const beyond = last === undefined || (side === "buy" ? price < last : price > last);
  return beyond ? undefined : 0;
}

/** The opposite side only, copied: to measure what a walk would take without consuming it. */
function copyOfSide(book: VenueBook, side: Side): VenueBook {
  return side === "buy"
    ? { bidPx: [], bidSz: [], askPx: book.askPx, askSz: [...book.askSz] }
    : { bidPx: book.bidPx, bidSz: [...book.bidSz], askPx: [], askSz: [] };
}
