import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accumulateInterval } from "../../src/actors/estimator/accumulate.js";
import { buildLagGrid, DEFAULT_HY_PARAMS } from "../../src/actors/estimator/params.js";
import { ObservationSeries } from "../../src/actors/estimator/series.js";

const MS = 1_000_000;

/**
 * The per-lag walk accumulateInterval replaced, kept literally: at every lag both pointers are stepped from the
 * previous lag's, and every lag is visited (those that pair with nothing add a zero term, which is skipped).
 */
function referenceAccumulate(
  sums: Float64Array,
  compensations: Float64Array,
  lagsNs: Float64Array,
  increment: number,
  from: number,
  to: number,
  other: ObservationSeries,
  limit: number,
  isLeaderInterval: boolean,
): void {
  const last = limit - 1;
  if (increment === 0 || last <= other.start) return;
  const count = lagsNs.length;
  const step = isLeaderInterval ? 1 : -1;
  let k = isLeaderInterval ? 0 : count - 1;
  let prev = other.lastAtOrBefore(from + step * lagsNs[k], limit);
  let next = other.firstAtOrAfter(to + step * lagsNs[k], limit);
  for (let visited = 0; visited < count; visited++, k += step) {
    const u = from + step * lagsNs[k];
    const v = to + step * lagsNs[k];
    while (prev < last && other.times[prev + 1] <= u) prev++;
    if (prev === last) break;
    while (next < last && other.times[next] < v) next++;
    const term = increment * (other.values[next] - other.values[prev]);
    if (term === 0) continue;
    const sum = sums[k];
    const total = sum + term;
    const virtualTerm = total - sum;
    compensations[k] += sum - (total - virtualTerm) + (term - virtualTerm);
    sums[k] = total;
  }
}

const grids = [
  buildLagGrid(DEFAULT_HY_PARAMS),
  buildLagGrid({
    ...DEFAULT_HY_PARAMS,
    lagMinS: -0.5,
    lagMaxS: 0.7,
    lagStepS: 0.1,
    excludeLowS: -0.1,
    excludeHighS: 0.1,
  }),
];

const scenario = fc.record({
  grid: fc.integer({ min: 0, max: grids.length - 1 }),
  // Whole-millisecond times put query points exactly on observations (the boundary cases); jitter takes them off.
  jitter: fc.boolean(),
  // Gaps between the other series' observations: tick-dense, lag-spaced and seconds apart, with repeated values.
  gapsMs: fc.array(fc.oneof(fc.integer({ min: 1, max: 60 }), fc.constant(50), fc.integer({ min: 1, max: 5000 })), {
    minLength: 100,
    maxLength: 300,
  }),
  moves: fc.array(
    fc.oneof(
      fc.constant(0),
      fc.integer({ min: -1000, max: 1000 }).map((n) => n * 1.37e-6),
    ),
    {
      minLength: 300,
      maxLength: 300,
    },
  ),
  evicted: fc.nat(),
  cut: fc.nat(),
  intervals: fc.array(
    fc.record({
      // Near an observation of the other series (by index), up to beyond the lag range on either side.
      near: fc.nat(),
      offsetMs: fc.integer({ min: -15_000, max: 15_000 }),
      lengthMs: fc.integer({ min: 1, max: 3000 }),
      increment: fc.oneof(fc.constant(0), fc.double({ min: -1e-2, max: 1e-2, noNaN: true, noDefaultInfinity: true })),
      leader: fc.boolean(),
    }),
    { minLength: 1, maxLength: 20 },
  ),
});

describe("accumulateInterval", () => {
  it("adds bit for bit what the per-lag walk adds, at every lag, for any series, window and interval", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const lagsNs = grids[s.grid].lagsNs;
        const other = new ObservationSeries(4);
        let time = 0;
        let value = 0;
        s.gapsMs.forEach((gap, i) => {
          time += gap * MS + (s.jitter ? i % 7 : 0);
          value += s.moves[i];
          other.push(time, value);
        });
        other.start = s.evicted % other.size;
        const limit = other.start + 1 + (s.cut % (other.end - other.start));
        const fast = { sums: new Float64Array(lagsNs.length), compensations: new Float64Array(lagsNs.length) };
        const reference = { sums: new Float64Array(lagsNs.length), compensations: new Float64Array(lagsNs.length) };
        for (const interval of s.intervals) {
          const from = Math.floor(other.times[interval.near % other.end] / MS) * MS + interval.offsetMs * MS;
          const to = from + interval.lengthMs * MS;
          for (const [target, accumulate] of [
            [fast, accumulateInterval],
            [reference, referenceAccumulate],
          ] as const)
            accumulate(
              target.sums,
              target.compensations,
              lagsNs,
              interval.increment,
              from,
              to,
              other,
              limit,
              interval.leader,
            );
        }
        for (let k = 0; k < lagsNs.length; k++) {
          expect(Object.is(fast.sums[k], reference.sums[k]), `sum at lag ${k}`).toBe(true);
          expect(Object.is(fast.compensations[k], reference.compensations[k]), `compensation at lag ${k}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
