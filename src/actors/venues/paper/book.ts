/**
 * The paper venue's copy of one book: levels best-first, depleted by its own taker fills until the next
 * market update replaces them, so two orders in a row cannot both take the same liquidity.
 */
export interface PaperBook {
  bidPx: number[];
  bidSz: number[];
  askPx: number[];
  askSz: number[];
}

export interface Execution {
  readonly price: number;
  readonly size: number;
}

/**
 * Walks the opposite side up to `limit` (buy: asks ≤ limit; sell: bids ≥ limit) for at most `size`,
 * consuming what it takes. One execution per level, as a venue reports one fill per maker.
 */
export function walkLevels(book: PaperBook, side: "buy" | "sell", limit: number, size: number): Execution[] {
  const px = side === "buy" ? book.askPx : book.bidPx;
  const sz = side === "buy" ? book.askSz : book.bidSz;
  const out: Execution[] = [];
  let left = size;
  for (let i = 0; i < px.length && left > 1e-12; i++) {
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
export function crosses(book: PaperBook | undefined, side: "buy" | "sell", price: number): boolean {
  if (!book) return false;
  return side === "buy"
    ? book.askPx.length > 0 && book.askPx[0] <= price
    : book.bidPx.length > 0 && book.bidPx[0] >= price;
}
