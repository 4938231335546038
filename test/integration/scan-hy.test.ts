import { describe, expect, it } from "vitest";
import { batchEstimate, hyDoubleSum } from "../../src/actors/estimator/batch.js";
import { buildLagGrid, DEFAULT_HY_PARAMS, type HyParams } from "../../src/actors/estimator/params.js";
import type { SharedSeries } from "../../src/backtest/scan/history.js";
import { computeCurves, curveKey, symmetricGrid, type CurveRequest } from "../../src/backtest/scan/hy-pool.js";
import { applyLagGrid } from "../../src/backtest/scan/lag-grid.js";
import { pairFeatureResult } from "../../src/backtest/scan/rank.js";
import { leadLagPair } from "../../bench/synthetic-ticks.js";

const S = 1e9;

function series(times: number[], values: number[]): SharedSeries {
  return { times: Float64Array.from(times), values: Float64Array.from(values) };
}

/** Three symbols: B follows A 0.6 s later, C follows A 1.2 s later (sparser); ms timestamps make endpoint ties common. */
function threeSymbols(): SharedSeries[] {
  const ab = leadLagPair({ seed: 3, durationS: 60, leaderTicksPerS: 6, laggerTicksPerS: 3, delayS: 0.6 });
  const ac = leadLagPair({ seed: 3, durationS: 60, leaderTicksPerS: 6, laggerTicksPerS: 2, delayS: 1.2 });
  return [
    series(ab.leader.times, ab.leader.logPrices),
    series(ab.lagger.times, ab.lagger.logPrices),
    series(ac.lagger.times, ac.lagger.logPrices),
  ];
}

function allOrdered(n: number): CurveRequest[] {
  const requests: CurveRequest[] = [];
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) if (a !== b) requests.push({ leader: a, lagger: b, feature: "trade" });
  return requests;
}

function expectClose(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

describe("the scan's HY curves on the worker pool", () => {
  for (const [name, grid] of [
    ["symmetric grid (reverse orders derived)", { lagMinS: -2, lagMaxS: 2, lagStepS: 0.1 }],
    ["asymmetric grid (every order computed)", { lagMinS: -1, lagMaxS: 3, lagStepS: 0.25 }],
  ] as const) {
    it(`equals the brute-force double sum at every lag of every ordered pair: ${name}`, async () => {
      const data = threeSymbols();
      const { params, grid: lagGrid } = applyLagGrid(DEFAULT_HY_PARAMS, grid);
      expect(symmetricGrid(lagGrid)).toBe(grid.lagMinS === -grid.lagMaxS);
      const requests = allOrdered(3);
      const curves = await computeCurves(requests, (i) => data[i], lagGrid, 2);
      expect(curves.size).toBe(6);
      for (const r of requests) {
        const curve = curves.get(curveKey(r.leader, r.lagger, "trade"))!;
        lagGrid.lagsNs.forEach((lag, k) => expectClose(curve[k], hyDoubleSum(data[r.leader], data[r.lagger], lag)));
        // The whole result: the batch estimator with the double sum on a window holding every tick.
        const ours = pairFeatureResult(
          { leader: "x", lagger: "y", feature: "trade" },
          data[r.leader],
          data[r.lagger],
          curve,
          lagGrid,
          params,
        );
        const reference = batchEstimate(
          data[r.leader],
          data[r.lagger],
          61 * S,
          lagGrid,
          { ...params, inferenceLookbackSeconds: 1000 },
          { method: hyDoubleSum },
        );
        expect(ours.result.tauStarNs).toBe(reference.tauStarNs);
        expectClose(ours.result.rhoStar, reference.rhoStar);
        expectClose(ours.result.lls, reference.lls);
        expect(ours.result.passes).toBe(reference.passes);
      }
      // The planted lags are found in the right direction.
      const ab = pairFeatureResult(
        { leader: "A", lagger: "B", feature: "trade" },
        data[0],
        data[1],
        curves.get(curveKey(0, 1, "trade"))!,
        lagGrid,
        params,
      );
      expect(Math.abs(ab.result.tauStarS - 0.6)).toBeLessThanOrEqual(grid.lagStepS);
    });
  }

  it("reproduces signal-math's worked example HY-3 exactly (tau* 1 s, rho* sqrt(22/24), LLR 600/63)", async () => {
    const leader = series(
      [0, 0.4, 1.0, 1.7, 2.1, 3.0, 3.6, 4.2].map((t) => t * S),
      [0, 1, -1, 2, 3, 1, 2, 0],
    );
    const lagger = series(
      [1.0, 2.0, 3.1, 4.0, 5.2].map((t) => t * S),
      [0, -1, 3, 1, 0],
    );
    const params: HyParams = { ...DEFAULT_HY_PARAMS, lagMinS: -2, lagMaxS: 2, lagStepS: 0.5 };
    const grid = buildLagGrid(params);
    const curves = await computeCurves(allOrdered(2), (i) => [leader, lagger][i], grid, 1);
    const curve = curves.get(curveKey(0, 1, "trade"))!;
    expect([...curve]).toEqual([-7, -3, 1, -2, 0, 10, 22, 4, 0]);
    const { result } = pairFeatureResult(
      { leader: "X", lagger: "Y", feature: "trade" },
      leader,
      lagger,
      curve,
      grid,
      params,
    );
    expect(result.tauStarS).toBe(1);
    expect(result.rhoStar).toBe(0.9574271077563381);
    expect(result.lls).toBe(9.523809523809524);
    expect([...curves.get(curveKey(1, 0, "trade"))!]).toEqual([0, 4, 22, 10, 0, -2, 1, -3, -7]);
  });

  it("flags an optimum at the grid's edge when the planted lag lies outside the grid, and not on a grid holding it", async () => {
    const far = leadLagPair({ seed: 7, durationS: 600, leaderTicksPerS: 10, laggerTicksPerS: 0.5, delayS: 14 });
    const data = [series(far.leader.times, far.leader.logPrices), series(far.lagger.times, far.lagger.logPrices)];
    const scan = async (grid: { lagMinS: number; lagMaxS: number; lagStepS: number }) => {
      const { params, grid: lagGrid } = applyLagGrid(DEFAULT_HY_PARAMS, grid);
      const curves = await computeCurves([{ leader: 0, lagger: 1, feature: "trade" }], (i) => data[i], lagGrid, 1);
      return pairFeatureResult(
        { leader: "A", lagger: "B", feature: "trade" },
        data[0],
        data[1],
        curves.get(curveKey(0, 1, "trade"))!,
        lagGrid,
        params,
      );
    };
    const narrow = await scan({ lagMinS: -12, lagMaxS: 12, lagStepS: 0.05 });
    expect(narrow.edge).toBe(true);
    expect(narrow.result.tauStarS).toBeGreaterThan(11.5);
    const wide = await scan({ lagMinS: -30, lagMaxS: 30, lagStepS: 0.1 });
    expect(wide.edge).toBe(false);
    expect(Math.abs(wide.result.tauStarS - 14)).toBeLessThanOrEqual(0.1);
  });
});
