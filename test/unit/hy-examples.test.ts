import { describe, expect, it } from "vitest";
import {
  batchEstimate,
  hyCurve,
  hyDoubleSum,
  hyTelescoping,
  realizedVariance,
  windowOf,
  type Observations,
} from "../../src/actors/estimator/batch.js";
import { OnlineHyEstimator } from "../../src/actors/estimator/online.js";
import { buildLagGrid, DEFAULT_HY_PARAMS, type HyParams } from "../../src/actors/estimator/params.js";

const SEC = 1e9;

function close(actual: number, expected: number): void {
  const tolerance = Math.max(1e-12, 1e-9 * Math.abs(expected));
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

function obs(timesS: number[], values: number[]): Observations {
  return { times: timesS.map((t) => Math.round(t * SEC)), values };
}

function params(overrides: Partial<HyParams>): HyParams {
  return { ...DEFAULT_HY_PARAMS, ...overrides };
}

function online(p: HyParams, leader: Observations, lagger: Observations): OnlineHyEstimator {
  const estimator = new OnlineHyEstimator(p, { baseNs: 0n });
  const ticks = [
    ...Array.from(leader.times, (t, i) => ({ t, v: leader.values[i], leader: true })),
    ...Array.from(lagger.times, (t, i) => ({ t, v: lagger.values[i], leader: false })),
  ].sort((a, b) => a.t - b.t);
  for (const tick of ticks) {
    if (tick.leader) estimator.onLeaderRelative(tick.t, tick.v);
    else estimator.onLaggerRelative(tick.t, tick.v);
  }
  return estimator;
}

describe("HY worked examples (signal-math §2.11)", () => {
  it("HY-1: synchronous observations at lag 0 count only the diagonal", () => {
    const x = obs([0, 1, 2, 3], [0, 1, 3, 2]);
    const y = obs([0, 1, 2, 3], [0, 2, 1, 3]);
    expect(hyDoubleSum(x, y, 0)).toBe(-2);
    expect(hyTelescoping(x, y, 0)).toBe(-2);
    expect(realizedVariance(x)).toBe(6);
    expect(realizedVariance(y)).toBe(9);
    close(hyTelescoping(x, y, 0) / Math.sqrt(54), -0.2721655269759087);
  });

  describe("HY-2: asynchronous observations", () => {
    const x = obs([0, 1, 2, 3, 4], [0, 2, 1, 4, 3]);
    const y = obs([0.5, 2.0, 3.5], [0, 1, 3]);
    const table: [number, number, number][] = [
      [-1, 0, 0],
      [0, 5, 0.5773502691896257],
      [0.5, 5, 0.5773502691896257],
      [1, 6, 0.6928203230275508],
    ];
    it.each(table)("θ = %s s", (lagS, hy, rho) => {
      for (const method of [hyDoubleSum, hyTelescoping]) {
        expect(method(x, y, lagS * SEC)).toBe(hy);
        close(method(x, y, lagS * SEC) / Math.sqrt(realizedVariance(x) * realizedVariance(y)), rho);
      }
      expect(realizedVariance(x)).toBe(15);
      expect(realizedVariance(y)).toBe(5);
    });

    it("windowing at T = 3.5 s with W = 2.5 s keeps leader 1, 2, 3 and lagger 2.0, 3.5", () => {
      const wx = windowOf(x, 3.5 * SEC, 2.5 * SEC);
      const wy = windowOf(y, 3.5 * SEC, 2.5 * SEC);
      expect(Array.from(wx.times)).toEqual([1, 2, 3].map((t) => t * SEC));
      expect(Array.from(wy.times)).toEqual([2, 3.5].map((t) => t * SEC));
      expect(hyTelescoping(wx, wy, 0)).toBe(6);
      expect(realizedVariance(wx)).toBe(10);
      expect(realizedVariance(wy)).toBe(4);
      const estimator = online(params({ inferenceLookbackSeconds: 2.5, lagMinS: -1, lagMaxS: 1, lagStepS: 1 }), x, y);
      estimator.evaluateRelative(3.5 * SEC);
      expect(estimator.lastEvaluatedHy[1]).toBe(6);
      expect(estimator.lastEvaluatedWindow).toMatchObject({ nLeader: 3, nLagger: 2, rvLeader: 10, rvLagger: 4 });
    });
  });

  describe("HY-3: full scan of a lagger delayed by 1 s", () => {
    const x = obs([0, 0.4, 1.0, 1.7, 2.1, 3.0, 3.6, 4.2], [0, 1, -1, 2, 3, 1, 2, 0]);
    const y = obs([1.0, 2.0, 3.1, 4.0, 5.2], [0, -1, 3, 1, 0]);
    const p = params({ lagMinS: -2, lagMaxS: 2, lagStepS: 0.5 });
    const grid = buildLagGrid(p);
    const expectedHy = [-7, -3, 1, -2, 0, 10, 22, 4, 0];
    const expectedRho = [
      -0.3046358979224712, -0.13055824196677338, 0.04351941398892446, -0.08703882797784893, 0, 0.4351941398892446,
      0.9574271077563381, 0.17407765595569785, 0,
    ];

    it("batch: every lag, tau*, rho*, LLR", () => {
      expect(Array.from(grid.excluded)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0]);
      expect(Array.from(hyCurve(x, y, grid, hyDoubleSum))).toEqual(expectedHy);
      expect(Array.from(hyCurve(x, y, grid, hyTelescoping))).toEqual(expectedHy);
      const result = batchEstimate(x, y, 5.2 * SEC, grid, p, { withCurve: true });
      expectedRho.forEach((rho, k) => close(result.rhoByLag![k], rho));
      expect(result).toMatchObject({ status: "ok", tauStarNs: 1e9, tauStarS: 1, nLeader: 8, nLagger: 5, passes: true });
      close(result.rhoStar, 0.9574271077563381);
      close(result.lls, 9.523809523809524);
    });

    it("online: the same numbers from the rolling state", () => {
      const estimator = online(p, x, y);
      const result = estimator.evaluateRelative(5.2 * SEC, true);
      expect(Array.from(estimator.lastEvaluatedHy)).toEqual(expectedHy);
      expect(estimator.lastEvaluatedWindow).toMatchObject({ rvLeader: 24, rvLagger: 22 });
      expect(result.tauStarS).toBe(1);
      close(result.rhoStar, 0.9574271077563381);
      close(result.lls, 9.523809523809524);
    });
  });

  describe("HY-4: ties and degenerate windows", () => {
    const p = params({ lagMinS: -1, lagMaxS: 1, lagStepS: 0.5 });
    const grid = buildLagGrid(p);

    it("ties go to the smallest |θ|, then the positive one", () => {
      const x = obs([0, 1], [0, 1]);
      const result = batchEstimate(x, x, 1 * SEC, grid, p, { withCurve: true });
      expect(Array.from(result.rhoByLag!)).toEqual([0, 1, 1, 1, 0]);
      expect(result).toMatchObject({ status: "ok", tauStarS: 0.5, rhoStar: 1, lls: 1 });
      const rolling = online(p, x, x).evaluateRelative(1 * SEC);
      expect(rolling).toMatchObject({ status: "ok", tauStarS: 0.5, rhoStar: 1, lls: 1 });
    });

    it("a flat leader is zero_variance, a single leader observation is insufficient_data, neither has NaN rho", () => {
      const y = obs([0, 1], [0, 1]);
      const flat = batchEstimate(obs([0, 1], [0, 0]), y, 1 * SEC, grid, p);
      expect(flat).toMatchObject({ status: "zero_variance", rhoStar: 0, passes: false });
      const single = batchEstimate(obs([1], [0]), y, 1 * SEC, grid, p);
      expect(single).toMatchObject({ status: "insufficient_data", rhoStar: 0, nLeader: 1, passes: false });
      expect(online(p, obs([0, 1], [0, 0]), y).evaluateRelative(1 * SEC).status).toBe("zero_variance");
      expect(online(p, obs([1], [0]), y).evaluateRelative(1 * SEC).status).toBe("insufficient_data");
    });

    it("an empty window on either side is insufficient_data, with finite numbers", () => {
      const estimator = new OnlineHyEstimator(p, { baseNs: 0n });
      const empty = estimator.evaluate(5n * 1_000_000_000n);
      expect(empty).toMatchObject({
        status: "insufficient_data",
        nLeader: 0,
        nLagger: 0,
        rhoStar: 0,
        tauStarNs: 0,
        passes: false,
      });
      estimator.onLeader(1n, 0);
      estimator.onLeader(2n, 1);
      const oneSided = estimator.evaluate(3n);
      expect(oneSided).toMatchObject({ status: "insufficient_data", nLeader: 2, nLagger: 0, rhoStar: 0 });
      expect(Number.isNaN(oneSided.rhoStar)).toBe(false);
    });
  });

  it("HY-5: online trace with eviction, row by row", () => {
    const p = params({ inferenceLookbackSeconds: 2.5, lagMinS: -1, lagMaxS: 1, lagStepS: 1 });
    const estimator = new OnlineHyEstimator(p, { baseNs: 0n });
    const rows: [leader: boolean, t: number, value: number, hy: number[], rvX: number, rvY: number][] = [
      [true, 0.0, 0, [0, 0, 0], 0, 0],
      [false, 0.5, 0, [0, 0, 0], 0, 0],
      [true, 1.0, 2, [0, 0, 0], 4, 0],
      [true, 2.0, 1, [0, 0, 0], 5, 0],
      [false, 2.0, 1, [-1, 1, 2], 5, 1],
      [true, 3.0, 4, [2, -1, 0], 10, 1],
      [false, 3.5, 3, [0, 6, 4], 10, 4],
      [true, 4.0, 3, [-2, 4, 6], 10, 4],
    ];
    for (const [isLeader, t, value, hy, rvX, rvY] of rows) {
      const ts = BigInt(t * SEC);
      if (isLeader) estimator.onLeader(ts, value);
      else estimator.onLagger(ts, value);
      estimator.evaluate(ts);
      expect(Array.from(estimator.lastEvaluatedHy), `after t = ${t}`).toEqual(hy);
      expect(estimator.lastEvaluatedWindow).toMatchObject({ rvLeader: rvX, rvLagger: rvY });
    }
    expect(estimator.lastEvaluatedWindow).toMatchObject({ nLeader: 3, nLagger: 2 });
  });
});

describe("lag grid", () => {
  it("has 481 lags with 13 excluded by default, in exact integer ns", () => {
    const grid = buildLagGrid(DEFAULT_HY_PARAMS);
    expect(grid.lagsNs.length).toBe(481);
    expect(grid.excluded.reduce((a, b) => a + b, 0)).toBe(13);
    expect(grid.lagsNs[0]).toBe(-12e9);
    expect(grid.lagsNs[240]).toBe(0);
    expect(grid.lagsNs[241]).toBe(50_000_000);
    expect(grid.lagsNs[480]).toBe(12e9);
  });
});
