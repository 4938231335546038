import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { simulatedFees } from "../../src/actors/venues/simulated/fees.js";
import { probabilisticFill } from "../../src/actors/venues/simulated/fill.js";
import {
  EMPTY_QUEUE,
  linearAhead,
  powerLawAhead,
  probabilisticQueue,
  type QueueEvent,
} from "../../src/actors/venues/simulated/queue.js";
import { SeededRandom } from "../../src/model/random.js";

const size = fc.double({ min: 0.00001, max: 1000, noNaN: true });
const price = fc.double({ min: 0.0001, max: 1e6, noNaN: true });
const bps = fc.double({ min: -50, max: 50, noNaN: true });
const lot = fc.constantFrom(0.00001, 0.001, 0.01, 0.1, 1);
const unit = fc.double({ min: 0, max: 1, noNaN: true });

describe("fee model properties", () => {
  it("a fee has the sign of its rate and is additive over the pieces of a fill", () => {
    fc.assert(
      fc.property(fc.constantFrom("quote" as const, "base" as const), price, size, size, bps, (mode, p, a, b, rate) => {
        const fees = simulatedFees(mode, Math.abs(rate), rate);
        const whole = fees.fee(p, a + b, "maker");
        expect(Math.sign(whole) === Math.sign(rate) || whole === 0).toBe(true);
        expect(whole).toBeCloseTo(fees.fee(p, a, "maker") + fees.fee(p, b, "maker"), 6);
        expect(fees.fee(p, a, "taker")).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it("base mode does not depend on the price", () => {
    fc.assert(
      fc.property(price, price, size, bps, (p, q, s, rate) => {
        const fees = simulatedFees("base", 5, rate);
        expect(fees.fee(p, s, "maker")).toBe(fees.fee(q, s, "maker"));
      }),
    );
  });
});

describe("fill model properties", () => {
  it("fills nothing, or whole lots from one lot up to what was offered", () => {
    fc.assert(
      fc.property(size, lot, unit, unit, unit, fc.integer(), (offered, step, p, partial, minRatio, seed) => {
        const model = probabilisticFill(
          { fillProbability: p, partialFillProbability: partial, minFillRatio: minRatio },
          new SeededRandom(seed),
        );
        const filled = model.fillSize(offered, step);
        if (filled === 0) return;
        expect(filled).toBeGreaterThanOrEqual(step);
        expect(filled).toBeLessThanOrEqual(offered + step * 1e-9);
        expect(Math.abs(filled / step - Math.round(filled / step))).toBeLessThan(1e-6);
      }),
    );
  });

  it("with fill_probability 1 and no partials it gives every whole lot offered", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), lot, (lots, step) => {
        const model = probabilisticFill(
          { fillProbability: 1, partialFillProbability: 0, minFillRatio: 0 },
          new SeededRandom(1),
        );
        expect(model.fillSize(lots * step, step)).toBeCloseTo(lots * step, 9);
      }),
    );
  });
});

const queueEvent: fc.Arbitrary<QueueEvent> = fc.oneof(
  fc.record({ kind: fc.constant("trade" as const), size: fc.double({ min: 0, max: 20, noNaN: true }) }),
  fc.record({ kind: fc.constant("depth" as const), depth: fc.double({ min: 0, max: 50, noNaN: true }) }),
);

describe("queue model invariants", () => {
  it.each([
    ["linear", probabilisticQueue(linearAhead)],
    ["power law n = 3", probabilisticQueue(powerLawAhead(3))],
  ])(
    "%s: the queue ahead is never negative, never grows, and a trade offers a fill only beyond the queue ahead",
    (_, model) => {
      fc.assert(
        fc.property(fc.double({ min: 0, max: 50, noNaN: true }), fc.array(queueEvent, { maxLength: 60 }), (d, evs) => {
          let position = model.apply(EMPTY_QUEUE, { kind: "join", depth: d }).position;
          expect(position.ahead).toBe(d);
          for (const event of evs) {
            const step = model.apply(position, event);
            expect(step.position.ahead).toBeGreaterThanOrEqual(0);
            expect(step.position.ahead).toBeLessThanOrEqual(position.ahead);
            if (event.kind === "trade") expect(step.offered).toBeCloseTo(Math.max(event.size - position.ahead, 0), 9);
            else expect(step.offered).toBe(0);
            if (step.offered > 0) expect(step.position.ahead).toBe(0);
            position = step.position;
          }
        }),
      );
    },
  );
});
