import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  batchEstimate,
  hyCurve,
  hyDoubleSum,
  hyTelescoping,
  type Observations,
} from "../../src/actors/estimator/batch.js";
import { OnlineHyEstimator } from "../../src/actors/estimator/online.js";
import { buildLagGrid, DEFAULT_HY_PARAMS, type HyParams } from "../../src/actors/estimator/params.js";
import { secondsToNsNumber } from "../../src/model/time.js";
import type { HyResult } from "../../src/actors/estimator/scan.js";

const MS = 1_000_000;

function near(actual: number, expected: number, what: string): void {
  if (!Number.isFinite(expected)) {
    expect(actual, what).toBe(expected);
    return;
  }
  const tolerance = Math.max(1e-12, 1e-9 * Math.abs(expected));
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

function expectSameResult(online: HyResult, reference: HyResult, what: string): void {
  expect(online.status, what).toBe(reference.status);
  expect(online.nLeader, what).toBe(reference.nLeader);
  expect(online.nLagger, what).toBe(reference.nLagger);
  expect(online.tauStarNs, what).toBe(reference.tauStarNs);
  near(online.rhoStar, reference.rhoStar, `${what} rho*`);
  if (Number.isNaN(reference.lls)) expect(online.lls, what).toBeNaN();
  else near(online.lls, reference.lls, `${what} LLS`);
  // A gate fed a value equal to its threshold up to rounding may go either way; elsewhere both must agree.
  const onEdge = (value: number, threshold: number) =>
    Math.abs(value - threshold) <= 1e-9 * Math.max(1, Math.abs(threshold));
  if (!onEdge(reference.lls, DEFAULT_LLS_THRESHOLD) && !onEdge(Math.abs(reference.rhoStar), CORRELATION_THRESHOLD)) {
    expect(online.passes, what).toBe(reference.passes);
  }
}

/** Arrival-order cleaning of §1.3, kept literally for the reference. */
class CleanedSeries {
  readonly times: number[] = [];
  readonly values: number[] = [];

  add(time: number, value: number): void {
    const last = this.times.length - 1;
    if (last >= 0 && time < this.times[last]) return;
    if (last >= 0 && time === this.times[last]) this.values[last] = value;
    else {
      this.times.push(time);
      this.values.push(value);
    }
  }
}

type Event =
  | { kind: "tick"; leader: boolean; stepMs: number; late: boolean; value: number }
  | { kind: "evaluate"; behindMs: number };

const eventArbitrary: fc.Arbitrary<Event> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("tick" as const),
      leader: fc.boolean(),
      // 0 re-prints at the same timestamp; multiples of 50 ms make shifted endpoints coincide exactly.
      stepMs: fc.oneof(fc.constant(0), fc.constantFrom(50, 100, 250), fc.integer({ min: 1, max: 400 })),
      late: fc.integer({ min: 0, max: 9 }).map((draw) => draw === 0),
      value: fc.oneof(
        fc.integer({ min: -3, max: 3 }),
        fc.integer({ min: -1000, max: 1000 }).map((v) => v / 997),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("evaluate" as const), behindMs: fc.integer({ min: 0, max: 500 }) }),
  },
);

const CORRELATION_THRESHOLD = 0.2;
const DEFAULT_LLS_THRESHOLD = DEFAULT_HY_PARAMS.llsThreshold;

function hyParams(lookbackS: number): HyParams {
  return {
    ...DEFAULT_HY_PARAMS,
    inferenceLookbackSeconds: lookbackS,
    lagMinS: -0.5,
    lagMaxS: 0.5,
    lagStepS: 0.05,
    excludeLowS: -0.1,
    excludeHighS: 0.1,
    correlationThreshold: CORRELATION_THRESHOLD,
  };
}

describe("online HY equals the double sum on the window (signal-math §2.8.3)", () => {
  it("for random streams with re-prints, late ticks and random evaluation times", () => {
    fc.assert(
      fc.property(
        fc.array(eventArbitrary, { minLength: 1, maxLength: 250 }),
        fc.constantFrom(1, 2, 3.3),
        (events, lookbackS) => {
          const params = hyParams(lookbackS);
          const grid = buildLagGrid(params);
          const estimator = new OnlineHyEstimator(params, { baseNs: 0n });
          const leader = new CleanedSeries();
          const lagger = new CleanedSeries();
          const clock = { leader: 0, lagger: 0 };
          let lastEnd = -Infinity;
          for (const [index, event] of events.entries()) {
            if (event.kind === "tick") {
              const key = event.leader ? "leader" : "lagger";
              const time = event.late ? clock[key] - event.stepMs * MS - 1 : clock[key] + event.stepMs * MS;
              if (!event.late) clock[key] = time;
              (event.leader ? leader : lagger).add(time, event.value);
              if (event.leader) estimator.onLeaderRelative(time, event.value);
              else estimator.onLaggerRelative(time, event.value);
              continue;
            }
            const end = Math.max(lastEnd, Math.max(clock.leader, clock.lagger) - event.behindMs * MS);
            lastEnd = end;
            const online = estimator.evaluateRelative(end);
            const reference = batchEstimate(leader, lagger, end, grid, params, { method: hyDoubleSum });
            const what = `event ${index} at T = ${end}`;
            expectSameResult(online, reference, what);
            const windowed = referenceCurve(leader, lagger, end, secondsToNsNumber(lookbackS), grid);
            windowed.forEach((hy, k) => near(estimator.lastEvaluatedHy[k], hy, `${what} hy[${k}]`));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

function referenceCurve(
  leader: Observations,
  lagger: Observations,
  end: number,
  lookbackNs: number,
  grid: ReturnType<typeof buildLagGrid>,
): Float64Array {
  const inWindow = (s: Observations): Observations => {
    const keep = Array.from(s.times, (_t, i) => i).filter((i) => s.times[i] >= end - lookbackNs && s.times[i] <= end);
    return { times: keep.map((i) => s.times[i]), values: keep.map((i) => s.values[i]) };
  };
  return hyCurve(inWindow(leader), inWindow(lagger), grid, hyDoubleSum);
}

describe("telescoping equals the double sum (signal-math §2.8.2)", () => {
  const series = (minLength: number) =>
    fc
      .array(
        fc.record({
          gapMs: fc.integer({ min: 1, max: 300 }),
          value: fc.integer({ min: -1000, max: 1000 }).map((v) => v / 997),
        }),
        { minLength, maxLength: 60 },
      )
      .map((points) => {
        let t = 0;
        return { times: points.map((p) => (t += p.gapMs * MS)), values: points.map((p) => p.value) };
      });

  it("at every lag of a 50 ms grid on millisecond timestamps (coincident endpoints)", () => {
    const grid = buildLagGrid({ ...DEFAULT_HY_PARAMS, lagMinS: -1, lagMaxS: 1, lagStepS: 0.05 });
    fc.assert(
      fc.property(series(0), series(0), (x, y) => {
        const reference = hyCurve(x, y, grid, hyDoubleSum);
        const fast = hyCurve(x, y, grid, hyTelescoping);
        reference.forEach((hy, k) => near(fast[k], hy, `lag ${grid.lagsNs[k]}`));
      }),
      { numRuns: 300 },
    );
  });
});
