import { describe, expect, it } from "vitest";
import { simulatedFees } from "../../src/actors/venues/simulated/fees.js";
import { probabilisticFill } from "../../src/actors/venues/simulated/fill.js";
import {
  EMPTY_QUEUE,
  instantQueue,
  linearAhead,
  powerLawAhead,
  probabilisticQueue,
} from "../../src/actors/venues/simulated/queue.js";
import { adverseSelection, bookWalkSlippage, bpsSlippage } from "../../src/actors/venues/simulated/slippage.js";
import { visibleDepth } from "../../src/actors/venues/simulated/matching.js";

/** A uniform source that plays the given draws. */
const draws = (...values: number[]) => ({ next: () => values.shift() ?? 0 });
const fill = (p: number, partial: number, minRatio: number, ...u: number[]) =>
  probabilisticFill({ fillProbability: p, partialFillProbability: partial, minFillRatio: minRatio }, draws(...u));
const book = () => ({ bidPx: [99, 98], bidSz: [1, 3], askPx: [100, 101], askSz: [1, 2] });

describe("fee model", () => {
  it("quote mode charges notional × bps: 2 ETH at 3000, 5 bp taker = 3 USDC", () => {
    expect(simulatedFees("quote", 5, -1).fee(3000, 2, "taker")).toBeCloseTo(3, 12);
  });

  it("a negative maker rate is a rebate: -1 bp on 6000 USDC = -0.6", () => {
    expect(simulatedFees("quote", 5, -1).fee(3000, 2, "maker")).toBeCloseTo(-0.6, 12);
  });

  it("base mode charges size × bps in the base asset: 2 ETH at 5 bp = 0.001 ETH, whatever the price", () => {
    const fees = simulatedFees("base", 5, 2);
    expect(fees.fee(3000, 2, "taker")).toBeCloseTo(0.001, 15);
    expect(fees.fee(9000, 2, "taker")).toBeCloseTo(0.001, 15);
    expect(fees.fee(3000, 2, "maker")).toBeCloseTo(0.0004, 15);
  });
});

describe("fill model", () => {
  it("misses when the first draw is at or above fill_probability", () => {
    expect(fill(0.9, 0.25, 0.1, 0.9, 0.5).fillSize(1, 0.01)).toBe(0);
  });

  it("fills all that is offered when the second draw is at or above partial_fill_probability", () => {
    expect(fill(0.9, 0.25, 0.1, 0.2, 0.25).fillSize(0.37, 0.01)).toBe(0.37);
  });

  it("a partial fill takes min_fill_ratio + (1 − min_fill_ratio)·u/p of the offer, in whole lots", () => {
    // u = 0.1, p = 0.25: ratio 0.1 + 0.9 × 0.4 = 0.46 → 0.46 of 1.0; of 0.37, 0.1702 → 0.17
    expect(fill(0.9, 0.25, 0.1, 0.2, 0.1).fillSize(1, 0.01)).toBe(0.46);
    expect(fill(0.9, 0.25, 0.1, 0.2, 0.1).fillSize(0.37, 0.01)).toBe(0.17);
  });

  it("a partial fill is never below one lot, and less than a lot offered is no fill", () => {
    expect(fill(1, 1, 0, 0, 0).fillSize(0.05, 0.01)).toBe(0.01);
    expect(fill(1, 0, 0, 0, 0.5).fillSize(0.004, 0.01)).toBe(0);
  });

  it("rounds float residue of summed sizes to the lot: 0.4 + 0.25 − 0.5 fills 0.15", () => {
    expect(fill(1, 0, 0, 0, 0.5).fillSize(0.4 + 0.25 - 0.5, 0.00001)).toBe(0.15);
  });
});

describe("queue model (probabilistic)", () => {
  const linear = probabilisticQueue(linearAhead);
  const at = (ahead: number, depth: number, traded = 0) => ({ ahead, depth, traded });

  it("joins behind the depth displayed at its price", () => {
    expect(linear.apply(EMPTY_QUEUE, { kind: "join", depth: 5 })).toEqual({ position: at(5, 5), offered: 0 });
  });

  it("trades at its price consume the queue ahead first and offer only what is beyond it", () => {
    const first = linear.apply(at(5, 5), { kind: "trade", size: 2 });
    expect(first).toEqual({ position: at(3, 5, 2), offered: 0 });
    expect(linear.apply(first.position, { kind: "trade", size: 4 })).toEqual({ position: at(0, 5, 6), offered: 1 });
  });

  it("a decrease the trades explain does not move the queue again", () => {
    expect(linear.apply(at(8, 10, 2), { kind: "depth", depth: 8 }).position).toEqual(at(8, 8));
  });

  it("linear: an unexplained decrease of 4 with 3 ahead and 7 behind takes 0.3 × 4 from ahead (3 → 1.8)", () => {
    expect(linear.apply(at(3, 10), { kind: "depth", depth: 6 }).position.ahead).toBeCloseTo(1.8, 12);
  });

  it("power law n = 2: p = 49 / 58, ahead 3 − (9 / 58) × 4 = 2.37931", () => {
    const power = probabilisticQueue(powerLawAhead(2));
    expect(power.apply(at(3, 10), { kind: "depth", depth: 6 }).position.ahead).toBeCloseTo(3 - (9 / 58) * 4, 12);
  });

  it("a decrease larger than the queue behind comes off the front: ahead 3 of 4, depth to 0 → 0", () => {
    expect(linear.apply(at(3, 4), { kind: "depth", depth: 0 }).position.ahead).toBe(0);
  });

  it("an increase queues behind: ahead unchanged", () => {
    expect(linear.apply(at(3, 4), { kind: "depth", depth: 9 }).position).toEqual(at(3, 9));
  });

  it("instant: every trade at its price is offered in full", () => {
    expect(instantQueue.apply(at(0, 0), { kind: "trade", size: 0.7 }).offered).toBe(0.7);
    expect(instantQueue.apply(EMPTY_QUEUE, { kind: "join", depth: 5 }).position.ahead).toBe(0);
  });

  it("the depth at a price beyond the levels a top-N book shows is unknown, inside them an empty level is 0", () => {
    expect(visibleDepth(book(), "buy", 98)).toBe(3);
    expect(visibleDepth(book(), "buy", 98.5)).toBe(0);
    expect(visibleDepth(book(), "buy", 97)).toBeUndefined();
    expect(visibleDepth(book(), "sell", 102)).toBeUndefined();
  });
});

describe("slippage model", () => {
  it("book_vwap walks the levels up to the limit, one execution per level", () => {
    expect(bookWalkSlippage("book_vwap").execute("buy", 2, 101, book())).toEqual([
      { price: 100, size: 1 },
      { price: 101, size: 1 },
    ]);
  });

  it("book_vwap priced from the mid: each level − touch + mid (99.5, 100.5)", () => {
    expect(bookWalkSlippage("mid").execute("buy", 2, 101, book())).toEqual([
      { price: 99.5, size: 1 },
      { price: 100.5, size: 1 },
    ]);
  });

  it("bps_only: one execution at the walk's VWAP moved 10 bp against the order (100.5 × 1.001)", () => {
    expect(bpsSlippage(10, "book_vwap").execute("buy", 2, 101, book())).toEqual([{ price: 100.5 * 1.001, size: 2 }]);
  });

  it("bps_only from the mid: a sell at 99.5 × (1 − 0.001)", () => {
    expect(bpsSlippage(10, "mid").execute("sell", 1, 98, book())).toEqual([{ price: 99.5 * (1 - 0.001), size: 1 }]);
  });

  it("bps_only never prices past the limit: 100 + 1 % capped at 100.5", () => {
    expect(bpsSlippage(100, "book_vwap").execute("buy", 1, 100.5, book())).toEqual([{ price: 100.5, size: 1 }]);
  });

  it("takes nothing when the book does not reach the limit", () => {
    expect(bpsSlippage(10, "book_vwap").execute("buy", 1, 99.9, book())).toEqual([]);
  });
});

describe("adverse selection", () => {
  it("moves a maker fill α half spreads against the order: α 0.5, spread 99/101 → buy 100.5, sell 99.5", () => {
    const wide = { bidPx: [99], bidSz: [1], askPx: [101], askSz: [1] };
    expect(adverseSelection(0.5).price("buy", 100, wide)).toBe(100.5);
    expect(adverseSelection(0.5).price("sell", 100, wide)).toBe(99.5);
    expect(adverseSelection(0).price("buy", 100, wide)).toBe(100);
  });
});
