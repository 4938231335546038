import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONFIRM_TRADES, MIN_SAMPLES, TradeOutlierFilter } from "../../src/actors/feed/outlier.js";

/** The band an oracle computes apart from the filter: two-pass mean and σ of the window's log prices. */
function bandOf(window: readonly number[], sigma: number, minBandBps: number) {
  if (window.length === 0) return { mean: 0, half: Number.POSITIVE_INFINITY };
  const logs = window.map(Math.log);
  const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
  const sd = Math.sqrt(logs.reduce((a, x) => a + (x - mean) ** 2, 0) / logs.length);
  return { mean, half: Math.max(sigma * sd, minBandBps / 1e4) };
}

const options = fc.record({
  sigma: fc.double({ min: 0.5, max: 12, noNaN: true }),
  window: fc.integer({ min: 1, max: 60 }),
  minBandBps: fc.double({ min: 1, max: 500, noNaN: true }),
});
/** A random walk of log returns up to ±30 bps per trade, from a price between 0.01 and 1e6. */
const walk = fc.record({
  start: fc.double({ min: 0.01, max: 1e6, noNaN: true }),
  steps: fc.array(fc.double({ min: -30e-4, max: 30e-4, noNaN: true }), { minLength: 1, maxLength: 150 }),
});

describe("trade-price outlier filter", () => {
  it("never rejects a price within the band of the accepted window (property)", () => {
    fc.assert(
      fc.property(options, walk, fc.double({ min: -1, max: 1, noNaN: true }), (o, w, where) => {
        const filter = new TradeOutlierFilter(o);
        // The accepted trades, the window starting again where a level was confirmed (the documented rule).
        let accepted: number[] = [];
        let rejectedInARow = 0;
        let price = w.start;
        for (const step of w.steps) {
          price *= Math.exp(step);
          const window = accepted.slice(-o.window);
          const { mean, half } = bandOf(window, o.sigma, o.minBandBps);
          const outside = Math.abs(Math.log(price) - mean) > half;
          if (filter.check(price).outlier) rejectedInARow++;
          else {
            const confirmed = outside && rejectedInARow === CONFIRM_TRADES - 1;
            accepted = confirmed ? [price] : [...accepted, price];
            rejectedInARow = 0;
          }
        }
        const window = accepted.slice(-o.window);
        const { mean, half } = bandOf(window, o.sigma, o.minBandBps);
        // Inside the band, a hair short of its edge for rounding between the two computations.
        const candidate = Math.exp(mean + where * half * (1 - 1e-6));
        expect(filter.check(candidate).outlier).toBe(false);
      }),
    );
  });

  it("rejects a price past the band once the window is warm, and with sigma 0 never", () => {
    const filter = new TradeOutlierFilter({ sigma: 4, window: 50, minBandBps: 100 });
    for (let i = 0; i < MIN_SAMPLES; i++) expect(filter.check(i % 2 ? 100 : 100.01).outlier).toBe(false);
    const verdict = filter.check(102); // +198 bps > 100 bps floor > 4σ (σ ≈ 0.5 bps)
    expect(verdict).toMatchObject({ outlier: true, bandBps: 100 });
    const off = new TradeOutlierFilter({ sigma: 0, window: 50, minBandBps: 100 });
    for (let i = 0; i < MIN_SAMPLES; i++) off.check(100);
    expect(off.check(1000).outlier).toBe(false);
  });

  it(`judges nothing before ${MIN_SAMPLES} accepted trades and takes a level held ${CONFIRM_TRADES} trades`, () => {
    const filter = new TradeOutlierFilter({ sigma: 4, window: 50, minBandBps: 100 });
    for (let i = 0; i < MIN_SAMPLES - 1; i++) filter.check(i === 0 ? 100 : 100 * (1 + i * 0.05));
    const warm = new TradeOutlierFilter({ sigma: 4, window: 50, minBandBps: 100 });
    for (let i = 0; i < MIN_SAMPLES; i++) warm.check(100);
    const verdicts = [200, 200, 200, 200].map((p) => warm.check(p).outlier);
    expect(verdicts).toEqual([true, true, false, false]);
    expect(warm.check(100).outlier).toBe(false); // the new window is one trade: not warm yet
  });
});
