import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ASK, BID, type BookSide, OrderBook } from "../../src/actors/feed/order-book.js";

/** The side's levels as the book holds them. */
function levels(book: OrderBook, side: BookSide): number[][] {
  const count = side === BID ? book.bidCount : book.askCount;
  const px = side === BID ? book.bidPx : book.askPx;
  const sz = side === BID ? book.bidSz : book.askSz;
  return Array.from({ length: count }, (_, i) => [px[i], sz[i]]);
}

// Mostly what a snapshot holds (distinct prices, positive sizes), with repeats, zero or negative sizes and NaN.
const price = fc.oneof(
  { arbitrary: fc.integer({ min: 90, max: 110 }), weight: 9 },
  { arbitrary: fc.constant(Number.NaN), weight: 1 },
);
const size = fc.oneof(
  { arbitrary: fc.double({ min: 0.001, max: 3, noNaN: true }), weight: 8 },
  { arbitrary: fc.integer({ min: -1, max: 5 }), weight: 2 },
);

describe("OrderBook.replaceSide", () => {
  it("holds what inserting the levels one by one into an empty side holds, sorted input or not", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<BookSide>(BID, ASK),
        fc.array(fc.tuple(price, size), { maxLength: 12 }),
        fc.boolean(),
        fc.array(fc.tuple(fc.integer({ min: 90, max: 110 }), fc.integer({ min: 1, max: 5 })), { maxLength: 8 }),
        (side, input, sortBestFirst, before) => {
          const rows = sortBestFirst ? [...input].sort((a, b) => (side === BID ? b[0] - a[0] : a[0] - b[0])) : input;
          const prices = rows.map((r) => r[0]);
          const sizes = rows.map((r) => r[1]);
          const replaced = new OrderBook(6);
          for (const [p, s] of before) replaced.setLevel(side, p, s);
          const replacedOk = replaced.replaceSide(side, prices, sizes);
          const inserted = new OrderBook(6);
          let insertedOk = true;
          for (let i = 0; i < prices.length && insertedOk; i++)
            insertedOk = inserted.setLevel(side, prices[i], sizes[i]);
          expect(replacedOk).toBe(insertedOk);
          if (insertedOk) expect(levels(replaced, side)).toEqual(levels(inserted, side));
        },
      ),
      { numRuns: 500 },
    );
  });
});
