import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { collateralAsset } from "../../src/model/collateral.js";
import type { AccountSnapshot } from "../../src/protocol/account.js";
import { RiskCore, type RiskInstrument } from "../../src/actors/risk/core.js";
import { ETH_PERP, MS, T0, newOrderManager, submitOrder } from "../../bench/order-harness.js";

/** Only what reconciliation reads of an instrument (no orders are proposed here). */
const ETH = {
  symbol: "ETH-USDT-PERP",
  marketType: "perp",
  base: "ETH",
  quote: "USD",
  lotSize: 0.001,
} as RiskInstrument;
/** The venue spells ETH its own way; both spellings are one instrument. */
const instrumentKey = (symbol: string) => (symbol === "ETH-USDC-PERP" || symbol === ETH.symbol ? "ETH" : symbol);

function snapshot(seq: number, over: Partial<AccountSnapshot> = {}): AccountSnapshot {
  return {
    type: "AccountSnapshot",
    accountId: "main",
    seq,
    balances: [{ asset: "USDC", total: 100_000, available: 100_000 }],
    positions: [],
    marginUsed: 0,
    marginAvailable: 5_000,
    tsNs: T0 + BigInt(seq) * 1000n * MS,
    recvNs: T0 + BigInt(seq) * 1000n * MS,
    ...over,
  };
}

function riskCore(position = 0): RiskCore {
  const core = new RiskCore({
    limits: () => ({ inventoryBands: {} }),
    breaker: { enabled: true, haltAtDrawdownPct: 50 },
    instrument: (s) => (instrumentKey(s) === "ETH" ? ETH : undefined),
    reconcile: { balanceUsd: 10, positionUsd: 50, tripAfter: 2 },
    instrumentKey,
  });
  core.onAccount({ type: "AccountUpdated", accountId: "main", asset: "USD", total: 100_000, locked: 0, tsNs: T0 });
  core.onBook(ETH.symbol, 3000, T0);
  const p = { type: "PositionChanged", symbol: ETH.symbol, marketType: "perp", avgPrice: 3000 } as const;
  if (position !== 0) core.onPosition({ ...p, qty: position, realizedPnl: 0, fees: 0, tsNs: T0 });
  return core;
}

describe("risk core: account snapshots", () => {
  it("matches the venue's spelling of a position to leadlag's: no difference, no halt", () => {
    const core = riskCore(0.5);
    const venue = [{ symbol: "ETH-USDC-PERP", qty: 0.5, entryPrice: 3000 }];
    for (const seq of [1, 2, 3]) {
      const { outcome, change } = core.onAccountSnapshot(snapshot(seq, { positions: venue }), T0);
      expect(outcome?.differences.filter((d) => d.kind === "position")).toEqual([]);
      expect(change).toBeNull();
    }
  });

  it("halts the breaker and cancels every order when a position differs past tolerance in 2 snapshots in a row", () => {
    const core = riskCore(0.5);
    const venue = [{ symbol: "ETH-USDC-PERP", qty: 0.6, entryPrice: 3000 }]; // 0.1 ETH × 3000 = 300 USD > 50
    const first = core.onAccountSnapshot(snapshot(1, { positions: venue }), T0);
    expect(first.outcome?.mismatchStreak).toBe(1);
    expect(first.change).toBeNull();
    expect(core.breakerState).toBe("ACTIVE");
    const second = core.onAccountSnapshot(snapshot(2, { positions: venue }), T0 + MS);
    expect(second.change?.transition).toEqual({
      from: "ACTIVE",
      to: "HALTED",
      reason: "account mismatch in 2 consecutive snapshots: position ETH ours 0.5, venue 0.6 (300.00 USD > 50 USD)",
    });
    expect(second.change?.cancelAll).toMatchObject({ type: "RequestCancel", strategy: "", clId: "" });
    expect(core.breakerState).toBe("HALTED");
    // An operator's reset starts the streak again: one more mismatch alone does not halt.
    core.resetBreaker();
    expect(core.onAccountSnapshot(snapshot(3, { positions: venue }), T0 + 2n * MS).change).toBeNull();
    expect(core.onAccountSnapshot(snapshot(4, { positions: venue }), T0 + 3n * MS).change?.transition.to).toBe(
      "HALTED",
    );
  });

  it("compares balances from the second snapshot on, in collateral terms (USDC and USDT are USD)", () => {
    const core = riskCore();
    // The first replaces the declared 100 000: not held against it.
    const first = [{ asset: "USDC", total: 5_000, available: 5_000 }];
    expect(core.onAccountSnapshot(snapshot(1, { balances: first }), T0).outcome?.differences).toEqual([]);
    // As the order manager does on adopting it.
    core.onAccount({ type: "AccountUpdated", accountId: "main", asset: "USD", total: 5_000, locked: 0, tsNs: T0 });
    const split = [
      { asset: "USDC", total: 3_000, available: 3_000 },
      { asset: "USDT", total: 2_004, available: 2_004 },
    ];
    const { outcome } = core.onAccountSnapshot(snapshot(2, { balances: split }), T0);
    expect(outcome?.differences).toMatchObject([
      { kind: "balance", key: "USD", ours: 5_000, venue: 5_004, beyond: false },
    ]);
  });

  it("compares nothing before the order manager's account has arrived (a start): no streak toward a halt", () => {
    const core = new RiskCore({
      limits: () => ({ inventoryBands: {} }),
      breaker: { enabled: true },
      instrument: () => ETH,
      reconcile: { balanceUsd: 0, positionUsd: 0, tripAfter: 1 },
    });
    const venue = [{ symbol: ETH.symbol, qty: 2, entryPrice: 3000 }];
    expect(core.onAccountSnapshot(snapshot(1, { positions: venue }), T0)).toEqual({ outcome: undefined, change: null });
    expect(core.breakerState).toBe("ACTIVE");
    core.onAccount({ type: "AccountUpdated", accountId: "main", asset: "USD", total: 100_000, locked: 0, tsNs: T0 });
    expect(core.onAccountSnapshot(snapshot(2, { positions: venue }), T0).change?.transition.to).toBe("HALTED");
  });

  it("keeps the venue's margin for /risk", () => {
    const core = riskCore();
    expect(core.venueAccount()).toBeUndefined();
    core.onAccountSnapshot(snapshot(7, { marginUsed: 120, marginAvailable: 4_880 }), T0);
    expect(core.venueAccount()).toEqual({ seq: 7, tsNs: T0 + 7000n * MS, marginUsed: 120, marginAvailable: 4_880 });
  });
});

describe("order manager core: account snapshots", () => {
  it("replaces declared capital with the venue's balances; an asset the venue does not hold goes to 0", () => {
    const core = newOrderManager();
    core.apply({ type: "BalanceSet", asset: "USD", amount: 100_000, tsNs: T0 }, 1n);
    core.apply({ type: "BalanceSet", asset: "BTC", amount: 1, tsNs: T0 }, 2n);
    const balances = [
      { asset: "USDC", total: 4_000, available: 4_000 },
      { asset: "USDT", total: 1_000, available: 1_000 },
    ];
    const events = core.onAccountSnapshot(snapshot(1, { balances }), T0 + MS);
    expect(events).toEqual([
      { type: "BalanceSet", asset: "USD", amount: 5_000, tsNs: T0 + MS },
      { type: "BalanceSet", asset: "BTC", amount: 0, tsNs: T0 + MS },
    ]);
    events.forEach((e, i) => core.apply(e, 3n + BigInt(i)));
    expect(core.ledger.balance("USD").total).toBe(5_000);
    expect(core.onAccountSnapshot(snapshot(2, { balances }), T0 + 2n * MS)).toEqual([]);
  });
});

describe("order manager core: a snapshot that leaves less than the margin in use", () => {
  it("still admits reduce-only exits (they reserve nothing) and refuses entries, naming the negative free balance", () => {
    const core = newOrderManager();
    core.apply({ type: "BalanceSet", asset: "USDC", amount: 1_000, tsNs: T0 }, 1n);
    const entry = core.onSubmit(submitOrder({ symbol: ETH_PERP.symbol, tif: "GTC", price: 3000, size: 1 }), T0);
    if (!entry.ok) throw new Error(entry.detail);
    core.apply(entry.event, 2n); // 300 USDC of initial margin reserved at leverage 10
    // The venue says 1 USDC is left (a snapshot's BalanceSet): free is now 1 − 300.
    core.apply({ type: "BalanceSet", asset: "USDC", amount: 1, tsNs: T0 + MS }, 3n);
    expect(core.ledger.free("USDC")).toBe(-299);

    for (const role of ["exit", "sl", "tp"] as const) {
      const exit = submitOrder({ symbol: ETH_PERP.symbol, side: "sell", reduceOnly: true, role, size: 0.5 });
      expect(core.onSubmit(exit, T0 + 2n * MS).ok, role).toBe(true);
    }
    const another = core.onSubmit(submitOrder({ symbol: ETH_PERP.symbol, price: 3000, size: 0.01 }), T0 + 2n * MS);
    expect(another).toEqual({ ok: false, reason: "insufficient_balance", detail: "needs 3 USDC, free -299" });
  });
});

describe("order manager core: adoption (property)", () => {
  const asset = fc.constantFrom("USD", "USDC", "USDT", "BTC", "ETH");
  const amount = fc.double({ min: 0, max: 1e7, noNaN: true });
  const balances = fc.array(fc.record({ asset, total: amount, available: amount }), { maxLength: 6 });

  it("leaves the ledger holding exactly the venue's balances in collateral terms, and a repeat changes nothing", () => {
    fc.assert(
      fc.property(fc.dictionary(asset, amount, { maxKeys: 5 }), balances, (declared, venue) => {
        const core = newOrderManager();
        let seq = 0n;
        for (const [a, total] of Object.entries(declared))
          core.apply({ type: "BalanceSet", asset: collateralAsset(a), amount: total, tsNs: T0 }, ++seq);
        for (const e of core.onAccountSnapshot(snapshot(1, { balances: venue }), T0)) core.apply(e, ++seq);
        const expected = new Map<string, number>();
        for (const b of venue)
          expected.set(collateralAsset(b.asset), (expected.get(collateralAsset(b.asset)) ?? 0) + b.total);
        for (const a of core.ledger.assets()) expect(core.ledger.balance(a).total).toBe(expected.get(a) ?? 0);
        for (const [a, total] of expected) expect(core.ledger.balance(a).total).toBe(total);
        expect(core.onAccountSnapshot(snapshot(2, { balances: venue }), T0)).toEqual([]);
      }),
    );
  });
});
