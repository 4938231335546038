import { describe, expect, it } from "vitest";
import { CoJumpFilter } from "../../src/actors/jumps/co-jump.js";
import { LeeMyklandDetector, type JumpDetection } from "../../src/actors/jumps/lee-mykland.js";
import { JumpMonitor } from "../../src/actors/jumps/monitor.js";
import { leeMyklandConstants, type JumpParams } from "../../src/actors/jumps/params.js";

function close(actual: number, expected: number): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(
    Math.max(1e-12, 1e-9 * Math.abs(expected)),
  );
}

const seconds = (s: number): bigint => BigInt(Math.round(s * 1e9));
const K5: JumpParams = { windowK: 5, alpha: 0.01, coJumpThreshold: 3, coJumpWindowS: 1 };

function feed(detector: LeeMyklandDetector, ticks: [number, number][]): (JumpDetection | null)[] {
  return ticks.map(([t, px]) => detector.onTick(seconds(t), px));
}

/** signal-math LM-3: six observations, one of them a zero return, before the tested tick at t = 6 s. */
const LM3_WARM_UP: [number, number][] = [
  [0, 100],
  [1, 100.01],
  [2, 99.99],
  [3, 99.99],
  [4, 100.005],
  [5, 99.995],
];

describe("Lee–Mykland (signal-math §3.6)", () => {
  it("LM-1: constants", () => {
    const a = leeMyklandConstants(50, 1e-4);
    close(a.cN, 2.943653731522679);
    close(a.sN, 0.44806832184363393);
    close(a.betaStar, 9.210290369892835);
    close(a.criticalL, 7.070493081253145);
    const b = leeMyklandConstants(5, 0.01);
    close(b.cN, 1.6825454646940696);
    close(b.sN, 0.6985666156192928);
    close(b.betaStar, 4.600149226776579);
    close(b.criticalL, 4.896056141387091);
    expect(() => leeMyklandConstants(2, 0.01)).toThrow(RangeError);
  });

  it("LM-2: one test with K = 5 flags an 11.99 bp move", () => {
    const prices = [100, 100.01, 99.99, 100.005, 99.995, 100.115];
    const results = feed(
      new LeeMyklandDetector("BTC", K5),
      prices.map((px, t) => [t, px]),
    );
    expect(results.slice(0, 5)).toEqual([null, null, null, null, null]);
    const jump = results[5]!;
    expect(jump.tsNs).toBe(seconds(5));
    close(jump.r, 0.001199340506562994);
    close(jump.sigmaHat, 0.00014719615637911676);
    close(jump.L, 8.14790641322173);
    close(jump.xi, 9.255181687713481);
    close(jump.jumpBps, 11.99340506562994);
  });

  it("LM-2: the same history ending at 100.045 is no jump", () => {
    const history: [number, number][] = [100, 100.01, 99.99, 100.005, 99.995].map((px, t) => [t, px]);
    const detector = new LeeMyklandDetector("BTC", K5);
    feed(detector, history);
    expect(detector.onTick(seconds(5), 100.045)).toBeNull();
    // alpha close to 1 puts beta* far below zero, so every tested return is reported with its statistics.
    const reportsAll = new LeeMyklandDetector("BTC", { ...K5, alpha: 0.999999999 });
    feed(reportsAll, history);
    const statistics = reportsAll.onTick(seconds(5), 100.045)!;
    close(statistics.L, 3.3961486678969197);
    close(statistics.xi, 2.453027620971706);
  });

  it("LM-3: zero return skipped, warm-up, same-timestamp re-test, one report per observation", () => {
    const detector = new LeeMyklandDetector("BTC", K5);
    const warmUp = feed(detector, LM3_WARM_UP);
    expect(warmUp.every((r) => r === null)).toBe(true);
    expect(detector.onTick(seconds(6), 100.03)).toBeNull();
    const jump = detector.onTick(seconds(6), 100.07)!;
    close(jump.L, 5.09358656338702);
    close(jump.xi, 4.882914560222716);
    close(jump.jumpBps, 7.497563643148837);
    expect(jump.tsNs).toBe(seconds(6));
    expect(detector.onTick(seconds(6), 100.115)).toBeNull();
    expect(detector.onTick(seconds(7), 100.12)).toBeNull();
    expect(detector.onTick(seconds(6.5), 120)).toBeNull();
    expect(detector.dropped).toBe(1);
  });

  it("LM-3 statistics of the non-jumps", () => {
    const everything = new LeeMyklandDetector("BTC", { ...K5, alpha: 0.999999999 });
    feed(everything, LM3_WARM_UP);
    const first = everything.onTick(seconds(6), 100.03)!;
    close(first.L, 2.3774823178011557);
    close(first.xi, 0.9948039851446538);
    everything.onTick(seconds(6), 100.115);
    const later = everything.onTick(seconds(7), 100.12)!;
    close(later.sigmaHat, 0.00023447471504137009);
    close(later.L, 0.2129923431272127);
  });

  it("warm-up needs K − 1 non-zero returns: zero returns do not count", () => {
    const detector = new LeeMyklandDetector("BTC", K5);
    const flatThenJump = feed(detector, [
      [0, 100],
      [1, 100],
      [2, 100],
      [3, 100.01],
      [4, 100],
      [5, 100.01],
      [6, 110],
    ]);
    // The 10 % move at t = 6 is only the 4th non-zero return: the window holds 3, so it is not tested.
    expect(flatThenJump.every((r) => r === null)).toBe(true);
    expect(detector.onTick(seconds(7), 121)).not.toBeNull();
  });
});

describe("co-jump filter (signal-math §3.5)", () => {
  const jump = (symbol: string, t: number): JumpDetection => ({
    tsNs: seconds(t),
    symbol,
    r: 0.003,
    jumpBps: 30,
    sigmaHat: 1e-4,
    L: 30,
    xi: 60,
  });

  function leaderJump(solAt: number) {
    const filter = new CoJumpFilter({ coJumpThreshold: 3, coJumpWindowS: 0.5 });
    for (const [symbol, t] of [
      ["ETH", 9.8],
      ["SOL", solAt],
      ["XRP", 9.4],
      ["DOGE", 10.0],
      ["ETH", 9.9],
      ["BTC", 9.7],
    ] as const) {
      filter.classify(jump(symbol, t));
    }
    return filter.classify(jump("BTC", 10.0));
  }

  it("CJ-1: ETH once, SOL and DOGE count; XRP is too early and BTC is the leader → systematic", () => {
    expect(leaderJump(9.6)).toMatchObject({ coJumpCount: 3, systematic: true, symbol: "BTC", jumpBps: 30 });
  });

  it("CJ-2: SOL at 9.45 falls out of the window → not systematic", () => {
    expect(leaderJump(9.45)).toMatchObject({ coJumpCount: 2, systematic: false });
  });

  it("the window is inclusive at both ends and looks backwards only", () => {
    const filter = new CoJumpFilter({ coJumpThreshold: 1, coJumpWindowS: 0.5 });
    filter.classify(jump("ETH", 9.5));
    filter.classify(jump("SOL", 10.0000001));
    expect(filter.classify(jump("BTC", 10))).toMatchObject({ coJumpCount: 1, systematic: true });
  });

  it("the monitor runs one detector per symbol and classifies every detection", () => {
    const monitor = new JumpMonitor({ windowK: 5, alpha: 0.01, coJumpThreshold: 1, coJumpWindowS: 1 });
    const history = [100, 100.01, 99.99, 100.005, 99.995];
    for (const symbol of ["ETH", "BTC"])
      history.forEach((px, t) => expect(monitor.onTick(symbol, seconds(t), px)).toBeNull());
    expect(monitor.onTick("ETH", seconds(5), 100.115)).toMatchObject({
      symbol: "ETH",
      coJumpCount: 0,
      systematic: false,
    });
    expect(monitor.onTick("BTC", seconds(5.5), 100.115)).toMatchObject({
      symbol: "BTC",
      coJumpCount: 1,
      systematic: true,
    });
    monitor.onTick("BTC", seconds(1), 1);
    expect(monitor.droppedTicks("BTC")).toBe(1);
  });
});
