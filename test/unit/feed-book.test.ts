import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ASK, BID, BookRebuilder } from "../../src/actors/feed/book.js";

type Event =
  | { kind: "ckpt"; seqStep: number; bids: [number, number][]; asks: [number, number][] }
  | { kind: "delta"; seqStep: number; changes: [side: 0 | 1, px: number, sz: number][] };

const bidPrice = fc.integer({ min: 0, max: 19 }).map((i) => 100 - i * 0.5);
const askPrice = fc.integer({ min: 0, max: 19 }).map((i) => 100.5 + i * 0.5);
const size = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 50 }).map((n) => n / 10),
);
const seqStep = fc.oneof(
  { weight: 8, arbitrary: fc.constant(1) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 3 }) },
  { weight: 1, arbitrary: fc.constant(0) },
);

const event: fc.Arbitrary<Event> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("ckpt" as const),
      seqStep,
      bids: fc.uniqueArray(
        fc.tuple(
          bidPrice,
          size.filter((s) => s > 0),
        ),
        { selector: (l) => l[0], maxLength: 10 },
      ),
      asks: fc.uniqueArray(
        fc.tuple(
          askPrice,
          size.filter((s) => s > 0),
        ),
        { selector: (l) => l[0], maxLength: 10 },
      ),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("delta" as const),
      seqStep,
      changes: fc.array(
        fc.oneof(fc.tuple(fc.constant(0 as const), bidPrice, size), fc.tuple(fc.constant(1 as const), askPrice, size)),
        { maxLength: 8 },
      ),
    }),
  },
);

/** The brute-force reference: price → size maps and the seq rules of wire doc §1.9, written the slow, obvious way. */
class ModelBook {
  valid = false;
  lastSeq = 0;
  sides = [new Map<number, number>(), new Map<number, number>()];
  apply(e: Event, seq: number): void {
    if (seq <= this.lastSeq) return;
    const contiguous = seq === this.lastSeq + 1;
    this.lastSeq = seq;
    if (e.kind === "ckpt") {
      this.sides = [new Map(e.bids), new Map(e.asks)];
      this.valid = true;
      return;
    }
    if (!this.valid) return;
    if (!contiguous) {
      this.valid = false;
      return;
    }
    for (const [side, px, sz] of e.changes) {
      if (sz === 0) this.sides[side].delete(px);
      else this.sides[side].set(px, sz);
    }
  }
  levels(side: 0 | 1): [number, number][] {
    return [...this.sides[side].entries()].sort((a, b) => (side === 0 ? b[0] - a[0] : a[0] - b[0]));
  }
}

function levelsOf(rebuilder: BookRebuilder, side: 0 | 1): [number, number][] {
  const b = rebuilder.book;
  const n = side === BID ? b.bidCount : b.askCount;
  const px = side === BID ? b.bidPx : b.askPx;
  const sz = side === BID ? b.bidSz : b.askSz;
  return Array.from({ length: n }, (_, i) => [px[i], sz[i]] as [number, number]);
}

describe("book rebuild", () => {
  it("equals a brute-force book on random delta streams with checkpoints, gaps and duplicates (property)", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 80 }), (events) => {
        const rebuilder = new BookRebuilder();
        const model = new ModelBook();
        let seq = 0;
        for (const e of events) {
          seq += e.seqStep;
          model.apply(e, seq);
          if (e.kind === "ckpt") {
            rebuilder.checkpoint(
              seq,
              e.bids.map((l) => l[0]),
              e.bids.map((l) => l[1]),
              e.asks.map((l) => l[0]),
              e.asks.map((l) => l[1]),
            );
          } else {
            rebuilder.delta(
              seq,
              e.changes.map((c) => c[0]),
              e.changes.map((c) => c[1]),
              e.changes.map((c) => c[2]),
            );
          }
          expect(rebuilder.valid).toBe(model.valid);
          if (model.valid) {
            expect(levelsOf(rebuilder, BID)).toEqual(model.levels(0));
            expect(levelsOf(rebuilder, ASK)).toEqual(model.levels(1));
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("rebuilds the doc's checkpoint and delta into the snapshot example's book and features", () => {
    const r = new BookRebuilder();
    expect(
      r.delta(1, [0, 0, 0, 1, 1, 1], [96998, 96999, 97000, 97001, 97002, 97003], [2, 0.5, 1.2345, 0.8, 1.1, 3]),
    ).toBe("awaiting_checkpoint");
    expect(r.checkpoint(2, [97000, 96999, 96998], [1.2345, 0.5, 2], [97001, 97002, 97003], [0.8, 1.1, 3])).toBe(
      "applied",
    );
    expect(r.delta(3, [0, 0, 0, 1], [96997, 96998, 97000, 97002], [0.7, 0, 1, 1.5])).toBe("applied");
    expect(levelsOf(r, BID)).toEqual([
      [97000, 1],
      [96999, 0.5],
      [96997, 0.7],
    ]);
    expect(levelsOf(r, ASK)).toEqual([
      [97001, 0.8],
      [97002, 1.5],
      [97003, 3],
    ]);
    const f = r.features;
    expect(f.mid).toBe(97000.5);
    expect(f.relativeSpread).toBeCloseTo(0.00001030922521017933, 18);
    expect(f.imbalance).toBeCloseTo(0.11111111111111108, 15);
    expect(f.bidDepth).toBeCloseTo(213397.4, 6);
    expect(f.askDepth).toBeCloseTo(514112.8, 6);
    // Two samples: (1.2345 − 0.8) from empty, then (1.0 − 1.2345) − (0.8 − 0.8).
    expect(f.ofi).toBeCloseTo((0.4345 + -0.2345) / 2, 12);
    expect(f.windowSize).toBe(2);
    expect(f.midVolatility).toBe(0);
  });

  it("invalidates on a seq gap and recovers on the next checkpoint", () => {
    const r = new BookRebuilder();
    r.checkpoint(10, [100], [1], [101], [1]);
    expect(r.delta(12, [0], [100], [2])).toBe("gap");
    expect(r.valid).toBe(false);
    expect(r.delta(13, [0], [100], [3])).toBe("awaiting_checkpoint");
    expect(r.checkpoint(14, [100], [4], [101], [1])).toBe("applied");
    expect(r.valid).toBe(true);
    expect(r.delta(14, [0], [100], [5])).toBe("stale");
  });

  it("adds no feature sample for a checkpoint that repeats the state just reached", () => {
    const r = new BookRebuilder();
    r.checkpoint(1, [100], [1], [101], [1]);
    r.delta(2, [1], [101], [2]);
    expect(r.checkpoint(3, [100], [1], [101], [2])).toBe("unchanged");
    expect(r.features.windowSize).toBe(2);
  });

  it("keeps mid volatility as the population std of the last 20 mids", () => {
    const r = new BookRebuilder();
    const mids: number[] = [];
    r.checkpoint(1, [100], [1], [102], [1]);
    mids.push(101);
    for (let i = 0; i < 30; i++) {
      const bid = 100 + (i % 7);
      r.checkpoint(i + 2, [bid], [1], [bid + 2], [1]);
      mids.push(bid + 1);
    }
    const last = mids.slice(-20);
    const mean = last.reduce((a, b) => a + b, 0) / 20;
    const std = Math.sqrt(last.reduce((a, b) => a + (b - mean) ** 2, 0) / 20);
    expect(r.features.midVolatility).toBeCloseTo(std, 12);
    expect(r.features.windowSize).toBe(20);
  });
});
