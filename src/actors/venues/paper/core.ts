import type { Execution, VenueBook } from "../matching/book.js";
import { crosses, walkLevels } from "../matching/book.js";
import {
  type EngineFrame,
  type MatchingRules,
  type RestingOrder,
  VenueCore,
  type VenueCoreConfig,
  type VenueState,
} from "../matching/core.js";

export { incarnationIdPrefix, type EngineFrame, type OpenOrderClaim } from "../matching/core.js";
export type PaperVenueConfig = VenueCoreConfig;
export type PaperVenueState = VenueState;

/**
 * The paper venue's rules: an arriving order walks the book up to its price, taking each level at its price; a
 * resting order fills at its own price, as the maker, against whatever a new book shows through it. Trades
 * do not move it: it knows no queue.
 */
export const paperMatching: MatchingRules = {
  take: (order, book, size) => (book ? walkLevels(book, order.side, order.price, size) : []),
  rested: () => {},
  removed: () => {},
  onBook: () => {},
  onTrade: () => {},
  bookReaches: (order, book) => crosses(book, order.place.side, order.place.price),
  tradeReaches: () => false,
  makerOnBook: (order: RestingOrder, book: VenueBook, size: number): Execution[] =>
    walkLevels(book, order.place.side, order.place.price, size).map((t) => ({
      price: order.place.price,
      size: t.size,
    })),
  makerOnTrade: () => [],
};

/** The paper venue (`execution.provider: paper`): the shared matching core with the paper rules. */
export class PaperVenueCore extends VenueCore {
  constructor(config: PaperVenueConfig, emit: (frame: EngineFrame) => void, restored?: PaperVenueState) {
    super(config, paperMatching, emit, restored);
  }
}
