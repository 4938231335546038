import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_HY_PARAMS } from "../../src/actors/estimator/params.js";
import { applyLagGrid, LagGridError, MAX_SCAN_LAGS } from "../../src/backtest/scan/lag-grid.js";

const grids = fc.record({
  lagMinS: fc.double({ min: -600, max: -0.5, noNaN: true }),
  lagMaxS: fc.double({ min: 0.5, max: 600, noNaN: true }),
  lagStepS: fc.double({ min: 1e-4, max: 0.5, noNaN: true }),
});

describe("the scan's lag grid cap", () => {
  it("accepts a grid of at most 2001 lags, and a refused grid names a step that fits and is at most 1 % coarser", () => {
    fc.assert(
      fc.property(grids, (grid) => {
        const overrides = { ...grid, excludeLowS: -0.3, excludeHighS: 0.3 };
        try {
          const { grid: built } = applyLagGrid(DEFAULT_HY_PARAMS, overrides);
          expect(built.lagsNs.length).toBeLessThanOrEqual(MAX_SCAN_LAGS);
        } catch (err) {
          expect(err).toBeInstanceOf(LagGridError);
          const suggested = Number(/widen lag-step-s to at least (\S+)$/.exec((err as Error).message)![1]);
          const minimum = (grid.lagMaxS - grid.lagMinS) / (MAX_SCAN_LAGS - 1);
          expect(suggested).toBeGreaterThanOrEqual(minimum * (1 - 1e-9));
          expect(suggested).toBeLessThanOrEqual(minimum * 1.01);
          const { grid: built } = applyLagGrid(DEFAULT_HY_PARAMS, { ...overrides, lagStepS: suggested });
          expect(built.lagsNs.length).toBeLessThanOrEqual(MAX_SCAN_LAGS);
        }
      }),
      { numRuns: 500 },
    );
  });
});
