/**
 * A venue's copy of one book: levels best-first, depleted by its own taker fills until the next market update
 * replaces them, so two orders in a row cannot both take the same liquidity. Shared by the paper and the
 * simulated venue: one book walk for both.
 */
export interface VenueBook {
  bidPx: number[];
  bidSz: number[];
  askPx: number[];
  askSz: number[];
}

export interface Execution {
  readonly price: number;
  readonly size: number;
}

export type Side = "buy" | "sell";

/** Below this a size is float residue, not liquidity. */
export const SIZE_DUST = 1e-12;

/**
 * Walks the opposite side up to `limit` (buy: asks ≤ limit; sell: bids ≥ limit) for at most `size`,
 * consuming what it takes. One execution per level, as a venue reports one fill per maker.
 */
export function walkLevels(book: VenueBook, side: Side, limit: number, size: number): Execution[] {
  const px = side === "buy" ? book.askPx : book.bidPx;
  const sz = side === "buy" ? book.askSz : book.bidSz;
  const out: Execution[] = [];
  let left = size;
  for (let i = 0; i < px.length && left > SIZE_DUST; i++) {
    const crosses = side === "buy" ? px[i] <= limit : px[i] >= limit;
    if (!crosses) break;
    const take = Math.min(left, sz[i]);
    if (take <= 0) continue;
    out.push({ price: px[i], size: take });
    sz[i] -= take;
    left -= take;
  }
  return out;
}

/** Would a `side` order at `price` take liquidity now? */
export function crosses(book: VenueBook | undefined, side: Side, price: number): boolean {
  if (!book) return false;
  return side === "buy"
    ? book.askPx.length > 0 && book.askPx[0] <= price
    : book.bidPx.length > 0 && book.bidPx[0] >= price;
}

/** Mid of the best levels, or undefined when a side is empty. */
export function midOf(book: VenueBook): number | undefined {
  if (book.bidPx.length === 0 || book.askPx.length === 0) return undefined;
  return (book.bidPx[0] + book.askPx[0]) / 2;
}

export function copyBook(book: Readonly<VenueBook>): VenueBook {
  return { bidPx: [...book.bidPx], bidSz: [...book.bidSz], askPx: [...book.askPx], askSz: [...book.askSz] };
}
