import { describe, expect, it } from "vitest";
import { imbalanceFeature, midFeature, OfiLevel, tradeFeature } from "../../src/actors/estimator/features.js";

describe("estimator feature values", () => {
  it("trade and mid are log prices", () => {
    expect(tradeFeature(100)).toBe(Math.log(100));
    expect(midFeature(99, 101)).toBe(Math.log(100));
  });

  it("imbalance is the signed top-of-book size share, 0 on an empty book", () => {
    expect(imbalanceFeature(3, 1)).toBe(0.5);
    expect(imbalanceFeature(1, 3)).toBe(-0.5);
    expect(imbalanceFeature(0, 0)).toBe(0);
  });

  it("OFI accumulates Cont-Kukanov-Stoikov order-flow imbalance as a level", () => {
    const ofi = new OfiLevel();
    expect(ofi.update(100, 5, 101, 4)).toBe(0);
    // Same prices: bid size +2 adds 2, ask size −1 adds 1.
    expect(ofi.update(100, 7, 101, 3)).toBe(3);
    // Bid ticks up (new queue 1 counts), ask unchanged with size 3: +1.
    expect(ofi.update(100.5, 1, 101, 3)).toBe(4);
    // Bid ticks down (old queue 1 leaves), ask ticks down (new ask queue 2 sells): −1 − 2.
    expect(ofi.update(100, 6, 100.5, 2)).toBe(1);
  });
});
