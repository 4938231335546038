import { describe, expect, it } from "vitest";
import { atrBracketBps, atrBrackets, WilderAtr } from "../../src/actors/strategy/atr.js";

function close(actual: number, expected: number): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(Math.max(1e-12, 1e-9 * Math.abs(expected)));
}

const seconds = (s: number): bigint => BigInt(Math.round(s * 1e9));
// Epoch-aligned bars: any base that is a multiple of 15 s behaves like t = 0.
const EPOCH_BASE = 1_764_000_000_000_000_000n;
const at = (s: number): bigint => EPOCH_BASE + seconds(s);

const ATR1_UPDATES: [number, number][] = [
  [0, 100],
  [5, 100.4],
  [9, 99.8],
  [14.9, 100.2],
  [15, 100.3],
  [20, 100.9],
  [29.999, 100.6],
  [31, 100.1],
  [44, 100.0],
  [61, 101.0],
  [70, 101.5],
  [75, 101.2],
  [89, 100.7],
];

describe("ATR on epoch-aligned mid bars (signal-math §4.3)", () => {
  it("ATR-1: 15 s bars, N = 3, read at T = 90 s", () => {
    const atr = new WilderAtr({ atrBarSeconds: 15, atrPeriod: 3 });
    for (const [t, mid] of ATR1_UPDATES) expect(atr.onMid(at(t), mid)).toBe(true);
    const reading = atr.readingAt(at(90));
    expect(reading.ready).toBe(true);
    expect(reading.closedBars).toBe(6);
    close(reading.atr, 0.7876543209876543);
  });

  it("ATR-1 step by step: seed after 3 bars, the flat bar, and Wilder smoothing", () => {
    const expected: [number, number][] = [
      [45, 0.6333333333333333],
      [60, 0.4222222222222222],
      [75, 0.7814814814814815],
      [90, 0.7876543209876543],
    ];
    const atr = new WilderAtr({ atrBarSeconds: 15, atrPeriod: 3 });
    let next = 0;
    for (const [t, mid] of ATR1_UPDATES) {
      while (next < expected.length && expected[next][0] <= t) {
        const reading = atr.readingAt(at(expected[next][0]));
        close(reading.atr, expected[next][1]);
        next++;
      }
      atr.onMid(at(t), mid);
    }
    close(atr.readingAt(at(90)).atr, 0.7876543209876543);
  });

  it("uses closed bars only: not ready just before the third bar ends, ready at its end", () => {
    const atr = new WilderAtr({ atrBarSeconds: 15, atrPeriod: 3 });
    for (const [t, mid] of ATR1_UPDATES.slice(0, 9)) atr.onMid(at(t), mid);
    const before = atr.readingAt(at(45) - 1n);
    expect(before).toMatchObject({ ready: false, closedBars: 2 });
    expect(Number.isNaN(before.atr)).toBe(true);
    expect(atr.readingAt(at(45))).toMatchObject({ ready: true, closedBars: 3 });
  });

  it("drops out-of-order updates and updates stamped in an already closed bar", () => {
    const atr = new WilderAtr({ atrBarSeconds: 15, atrPeriod: 1 });
    atr.onMid(at(1), 100);
    expect(atr.onMid(at(0.5), 200)).toBe(false);
    expect(atr.readingAt(at(30))).toMatchObject({ closedBars: 2, atr: 0 });
    expect(atr.onMid(at(29), 300)).toBe(false);
    expect(atr.onMid(at(31), 300)).toBe(true);
    expect(atr.readingAt(at(45))).toMatchObject({ closedBars: 3, atr: 200 });
    expect(atr.dropped).toBe(2);
  });
});

describe("ATR brackets", () => {
  it("clamp(mult · ATR / price · 1e4, floor, cap)", () => {
    close(atrBracketBps(6, 0.05, 100, 10, 120), 30);
    expect(atrBracketBps(6, 0.001, 100, 10, 120)).toBe(10);
    expect(atrBracketBps(8, 1, 100, 10, 120)).toBe(120);
    const brackets = atrBrackets(0.05, 100);
    close(brackets.slBps, 30);
    close(brackets.tpBps, 40);
  });
});
