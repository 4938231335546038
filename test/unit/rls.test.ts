import { describe, expect, it } from "vitest";
import { blendExpectedMove, expectedMoveFeatures, RlsExpectedMove } from "../../src/actors/strategy/rls.js";
import { seededRandom, standardNormal } from "../../bench/synthetic-ticks.js";

function close(actual: number, expected: number, relative = 1e-9): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(
    Math.max(1e-12, relative * Math.abs(expected)),
  );
}

/** (λ^n δ I + Σ λ^{n−i} x xᵀ)⁻¹ Σ λ^{n−i} x y, solved by Gaussian elimination with partial pivoting. */
function closedForm(samples: [number, number, number][], lambda: number, ridge: number): number[] {
  const n = samples.length;
  const a = Array.from({ length: 4 }, (_, r) =>
    Array.from({ length: 5 }, (_, c) => (r === c ? lambda ** n * ridge : 0)),
  );
  samples.forEach(([j, rho, y], i) => {
    const x = expectedMoveFeatures(j, rho);
    const weight = lambda ** (n - 1 - i);
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) a[r][c] += weight * x[r] * x[c];
      a[r][4] += weight * x[r] * y;
    }
  });
  for (let col = 0; col < 4; col++) {
    const pivot = a
      .slice(col)
      .reduce((best, row, i) => (Math.abs(row[col]) > Math.abs(a[best][col]) ? col + i : best), col);
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = 0; r < 4; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let c = col; c < 5; c++) a[r][c] -= f * a[col][c];
    }
  }
  return a.map((row, r) => row[4] / row[r]);
}

describe("RLS expected move (signal-math §5.4)", () => {
  it("RLS-1: one update from the initial state", () => {
    const rls = new RlsExpectedMove();
    expect(rls.update(20, 0.6, 8)).toBe(true);
    const w = [0.014669182700434808, 0.29338365400869615, 0.008801509620260885, 0.1760301924052177];
    w.forEach((value, i) => close(rls.weights[i], value));
    const diagonal = [1008.2488405681269, 269.233196947737, 1009.4342290691721, 743.3885973658319];
    diagonal.forEach((value, i) => close(rls.covariance[i * 5], value));
    close(rls.covariance[1], -37.04339065766366);
    close(rls.covariance[4], -37.04339065766366);
    close(rls.predict(20, 0.6), 7.999985477509126);
    expect(rls.ready).toBe(false);
    expect(rls.samples).toBe(1);
  });

  it("RLS-2: three updates, prediction and the closed form", () => {
    const samples: [number, number, number][] = [
      [20, 0.6, 8],
      [-15, 0.7, -9],
      [30, 0.5, 10],
    ];
    const rls = new RlsExpectedMove();
    for (const [j, a, y] of samples) rls.update(j, a, y);
    const w = [-0.695337782604968, -0.057341881859109184, -0.45086410524662673, 0.8427404367127652];
    w.forEach((value, i) => close(rls.weights[i], value));
    closedForm(samples, 0.99, 0.001).forEach((value, i) => close(value, w[i], 1e-8));
    close(rls.predict(25, 0.65), 11.27258559908943);
    expect(rls.samples).toBe(3);
    expect(rls.ready).toBe(false);
  });

  it("equals the closed-form weighted ridge after a few hundred random samples", () => {
    const random = seededRandom(3);
    const samples: [number, number, number][] = [];
    for (let i = 0; i < 300; i++) {
      const j = 30 * standardNormal(random);
      const a = 0.4 + 0.5 * random();
      samples.push([j, a, 1 + 0.3 * j + 2 * a + 0.4 * j * a + standardNormal(random)]);
    }
    const rls = new RlsExpectedMove();
    for (const [j, a, y] of samples) rls.update(j, a, y);
    const reference = closedForm(samples, 0.99, 0.001);
    reference.forEach((value, i) => close(rls.weights[i], value, 1e-8));
    for (let r = 0; r < 4; r++)
      for (let c = 0; c < 4; c++) expect(rls.covariance[r * 4 + c]).toBe(rls.covariance[c * 4 + r]);
  });

  it("becomes ready at exactly expmove_min_samples updates", () => {
    const rls = new RlsExpectedMove({ expmoveLambda: 0.99, expmoveRidge: 0.001, expmoveMinSamples: 5 });
    for (let i = 1; i <= 5; i++) {
      expect(rls.ready).toBe(false);
      rls.update(10 * i, 0.5, i);
    }
    expect(rls.ready).toBe(true);
  });

  it("skips the update and resets P after a numerical breakdown", () => {
    const rls = new RlsExpectedMove();
    expect(rls.update(Infinity, 0.5, 1)).toBe(false);
    expect(rls.samples).toBe(0);
    expect(rls.resets).toBe(1);
    expect(rls.covariance[0]).toBe(1000);
    expect(Array.from(rls.weights)).toEqual([0, 0, 0, 0]);
  });
});

describe("expected move blend", () => {
  const params = { capBps: 50, blendK: 0.7 };
  it("blends k·rls + (1 − k)·baseline when both exist", () => {
    close(blendExpectedMove(20, 10, params)!, 17);
  });
  it("uses the one that exists, and null when neither does", () => {
    expect(blendExpectedMove(null, -12, params)).toBe(-12);
    expect(blendExpectedMove(15, null, params)).toBe(15);
    expect(blendExpectedMove(null, null, params)).toBeNull();
  });
  it("caps each input to ±cap before blending", () => {
    expect(blendExpectedMove(-400, null, params)).toBe(-50);
    close(blendExpectedMove(400, 10, params)!, 0.7 * 50 + 0.3 * 10);
  });
});
