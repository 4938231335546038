import type { Execution, Side, VenueBook } from "../matching/book.js";
import { midOf, walkLevels } from "../matching/book.js";

/** How a taker order of `size` up to `limit` executes against `book` (consuming what it takes). */
export interface SlippageModel {
  execute(side: Side, size: number, limit: number, book: VenueBook): Execution[];
}

export type ExecutionPricing = "book_vwap" | "mid";

/**
 * `slippage_mode: book_vwap`: the order walks the book up to its limit, one execution per level (the shared book
 * walk); the walk is the slippage, nothing is added. With `execution_pricing: mid` every level is priced from the
 * mid instead of the touch (price = level − touch + mid): the walk's impact without the half spread.
 */
export function bookWalkSlippage(pricing: ExecutionPricing): SlippageModel {
  return {
    execute(side, size, limit, book) {
      const mid = midOf(book);
      const touch = side === "buy" ? book.askPx[0] : book.bidPx[0];
      const walked = walkLevels(book, side, limit, size);
      if (pricing === "book_vwap" || mid === undefined) return walked;
      return walked.map((e) => ({ price: e.price - touch + mid, size: e.size }));
    },
  };
}

/**
 * `slippage_mode: bps_only`: the size the book holds up to the limit executes at one price, the reference moved
 * against the order by `slippage_bps`: reference × (1 ± bps / 10⁴), never past the limit. The reference is the
 * walk's volume-weighted price (`execution_pricing: book_vwap`) or the mid (`mid`).
 */
export function bpsSlippage(slippageBps: number, pricing: ExecutionPricing): SlippageModel {
  return {
    execute(side, size, limit, book) {
      const mid = midOf(book);
      const walked = walkLevels(book, side, limit, size);
      const filled = walked.reduce((sum, e) => sum + e.size, 0);
      if (filled <= 0) return [];
      const vwap = walked.reduce((sum, e) => sum + e.price * e.size, 0) / filled;
      const reference = pricing === "mid" && mid !== undefined ? mid : vwap;
      const sign = side === "buy" ? 1 : -1;
      const slipped = reference * (1 + (sign * slippageBps) / 10_000);
      return [{ price: side === "buy" ? Math.min(slipped, limit) : Math.max(slipped, limit), size: filled }];
    },
  };
}

/** The price a resting order is reported filled at. */
export interface MakerPricing {
  price(side: Side, limit: number, book: VenueBook | undefined): number;
}

/**
 * `adverse_selection_factor` α: a passive fill tends to come just before the price moves through it, so its
 * expected mark-out is charged at the fill: the limit moved against the order by α half spreads of the book at
 * the fill (buy: limit + α·(ask − bid)/2). α = 0 fills at the limit, as a venue prints it.
 */
export function adverseSelection(factor: number): MakerPricing {
  return {
    price(side, limit, book) {
      if (factor === 0 || !book || book.bidPx.length === 0 || book.askPx.length === 0) return limit;
      const halfSpread = Math.max(book.askPx[0] - book.bidPx[0], 0) / 2;
      return side === "buy" ? limit + factor * halfSpread : limit - factor * halfSpread;
    },
  };
}
