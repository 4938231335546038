import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  type AccountSide,
  compareAccounts,
  Reconciler,
  type ReconcileTolerance,
  withinTolerance,
} from "../../src/actors/risk/reconcile.js";

const tolerance: ReconcileTolerance = { balanceUsd: 10, positionUsd: 50, tripAfter: 2 };
const side = (balances: Record<string, number>, positions: Record<string, number> = {}): AccountSide => ({
  balances: new Map(Object.entries(balances)),
  positions: new Map(Object.entries(positions)),
});
/** BTC at 100 000 USD, everything else at 1. */
const price = (_kind: string, key: string) => (key === "BTC" ? 100_000 : 1);

const amount = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
const positiveUsd = fc.double({ min: 0, max: 1e4, noNaN: true, noDefaultInfinity: true });
const keys = fc.constantFrom("USD", "BTC", "ETH", "SOL");
const account = fc.record({
  balances: fc.dictionary(keys, amount, { maxKeys: 4 }),
  positions: fc.dictionary(keys, amount, { maxKeys: 4 }),
});

describe("account reconciliation (compareAccounts)", () => {
  it("finds no difference between an account and itself, whatever it holds", () => {
    fc.assert(
      fc.property(account, (a) => {
        expect(compareAccounts(side(a.balances, a.positions), side(a.balances, a.positions), price, tolerance)).toEqual(
          [],
        );
      }),
    );
  });

  it("calls a difference beyond exactly when its USD value exceeds the tolerance", () => {
    fc.assert(
      fc.property(amount, amount, positiveUsd, (ours, venue, limit) => {
        fc.pre(ours !== venue);
        const [d] = compareAccounts(side({ USD: ours }), side({ USD: venue }), price, {
          ...tolerance,
          balanceUsd: limit,
        });
        if (d === undefined) return; // float residue of one number (relative 1e-9): no difference
        expect(d.diffUsd).toBeCloseTo(Math.abs(ours - venue), 6);
        expect(d.beyond).toBe(Math.abs(ours - venue) > limit);
      }),
    );
  });

  it("values a difference at the key's price, positions against their own tolerance", () => {
    const [d] = compareAccounts(side({}, { BTC: 0.01 }), side({}, { BTC: 0.0105 }), price, tolerance);
    expect(d).toMatchObject({ kind: "position", key: "BTC", ours: 0.01, venue: 0.0105, toleranceUsd: 50 });
    expect(d.diffUsd).toBeCloseTo(50, 9);
    expect(withinTolerance(d.diffUsd, 50.000001)).toBe(true);
    const [far] = compareAccounts(side({}, { BTC: 0.01 }), side({}, { BTC: 0.011 }), price, tolerance);
    expect(far.diffUsd).toBeCloseTo(100, 9);
    expect(far.beyond).toBe(true);
  });

  it("is symmetric: swapping the sides swaps ours and venue, same value and verdict", () => {
    fc.assert(
      fc.property(account, account, (a, b) => {
        const forward = compareAccounts(side(a.balances, a.positions), side(b.balances, b.positions), price, tolerance);
        const back = compareAccounts(side(b.balances, b.positions), side(a.balances, a.positions), price, tolerance);
        const key = (d: { kind: string; key: string }) => `${d.kind} ${d.key}`;
        const backByKey = new Map(back.map((d) => [key(d), d]));
        expect(back).toHaveLength(forward.length);
        for (const d of forward) {
          const other = backByKey.get(key(d))!;
          expect([other.ours, other.venue, other.diffUsd, other.beyond]).toEqual([
            d.venue,
            d.ours,
            d.diffUsd,
            d.beyond,
          ]);
        }
      }),
    );
  });

  it("counts an asset or a symbol held on one side only as a difference against 0", () => {
    const differences = compareAccounts(
      side({ USD: 100 }, {}),
      side({ USD: 100, BTC: 0.5 }, { ETH: -2 }),
      price,
      tolerance,
    );
    expect(differences.map((d) => [d.kind, d.key, d.ours, d.venue])).toEqual([
      ["balance", "BTC", 0, 0.5],
      ["position", "ETH", 0, -2],
    ]);
  });
});

describe("Reconciler (consecutive mismatches halt)", () => {
  const clean = side({ USD: 1000 }, { BTC: 0.01 });
  const mismatched = side({ USD: 1000 }, { BTC: 0.02 }); // 1000 USD of position difference

  it("replaces balances on the first snapshot instead of comparing them; positions are compared from the first", () => {
    const r = new Reconciler(tolerance);
    const first = r.onSnapshot(side({ USD: 100_000 }, { BTC: 0.01 }), side({ USD: 5000 }, { BTC: 0.01 }), price);
    expect(first).toMatchObject({ differences: [], balancesCompared: false, mismatchStreak: 0, halt: undefined });
    const second = r.onSnapshot(side({ USD: 100_000 }), side({ USD: 5000 }), price);
    expect(second.balancesCompared).toBe(true);
    expect(second.differences.map((d) => [d.key, d.beyond])).toEqual([["USD", true]]);
  });

  it("halts when, and only when, the last tripAfter snapshots all had a mismatch", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 4 }), (bad, n) => {
        const r = new Reconciler({ ...tolerance, tripAfter: n });
        r.onSnapshot(clean, clean, price);
        bad.forEach((isBad, i) => {
          const outcome = r.onSnapshot(clean, isBad ? mismatched : clean, price);
          const recent = bad.slice(Math.max(0, i + 1 - n), i + 1);
          const shouldHalt = recent.length === n && recent.every(Boolean);
          expect(outcome.halt !== undefined).toBe(shouldHalt);
        });
      }),
    );
  });

  it("names every mismatch with its values and the limit in the halt reason", () => {
    const r = new Reconciler({ ...tolerance, tripAfter: 1 });
    const { halt } = r.onSnapshot(clean, mismatched, price);
    expect(halt).toBe(
      "account mismatch in 1 consecutive snapshots: position BTC ours 0.01, venue 0.02 (1000.00 USD > 50 USD)",
    );
  });

  it("reports differences within tolerance without counting them toward a halt", () => {
    const r = new Reconciler({ ...tolerance, tripAfter: 1 });
    const outcome = r.onSnapshot(clean, side({ USD: 1000 }, { BTC: 0.0101 }), price);
    expect(outcome.differences).toHaveLength(1);
    expect(outcome.differences[0].beyond).toBe(false);
    expect(outcome).toMatchObject({ mismatchStreak: 0, halt: undefined });
  });
});
