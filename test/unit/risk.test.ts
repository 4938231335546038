import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { OrderStatusChanged, ProposeOrder } from "../../src/protocol/orders.js";
import { riskSchema } from "../../src/config/schema/risk.js";
import { RiskCore, type RiskInstrument } from "../../src/actors/risk/core.js";
import { CircuitBreaker } from "../../src/actors/risk/circuit-breaker.js";
import { BreakerStore, breakerFileFor } from "../../src/actors/risk/breaker-store.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  breakerLimitsFrom,
  limitsFor,
  type CircuitBreakerLimits,
  type RiskLimits,
} from "../../src/actors/risk/limits.js";
import { MS, T0 } from "../../bench/order-harness.js";
import { roundToLot } from "../../src/model/rounding.js";
import { priceRulesOf } from "../../src/model/instruments.js";

const ETH: RiskInstrument = {
  ...{ id: 1, symbol: "ETH-USDC-PERP", marketType: "perp", base: "ETH", quote: "USDC", lotSize: 0.001 },
  priceRules: priceRulesOf("hyperliquid", "perpetual", 0.01, 3),
};
const LOT = ETH.lotSize;
const noBreaker = { enabled: false };

function propose(over: Partial<ProposeOrder> = {}): ProposeOrder {
  return {
    type: "ProposeOrder",
    strategy: "leadlag",
    intentId: "i1",
    instrument: 1,
    symbol: ETH.symbol,
    marketType: "perp",
    side: "buy",
    orderType: "limit",
    tif: "IOC",
    price: 3000,
    size: 1,
    reduceOnly: false,
    role: "entry",
    tsNs: T0,
    ...over,
  };
}

function risk(
  limits: RiskLimits,
  state: { equity?: number; position?: number; avg?: number; mid?: number; bookAgeMs?: number } = {},
  breaker: CircuitBreakerLimits = noBreaker,
): RiskCore {
  const core = new RiskCore({ limits: () => limits, breaker, instrument: (s) => (s === ETH.symbol ? ETH : undefined) });
  core.onAccount({
    type: "AccountUpdated",
    accountId: "a",
    asset: "USDC",
    total: state.equity ?? 100_000,
    locked: 0,
    tsNs: T0,
  });
  core.onBook(ETH.symbol, state.mid ?? 3000, T0 - BigInt(state.bookAgeMs ?? 0) * MS);
  if (state.position)
    core.onPosition({
      type: "PositionChanged",
      symbol: ETH.symbol,
      marketType: "perp",
      qty: state.position,
      avgPrice: state.avg ?? 3000,
      realizedPnl: 0,
      fees: 0,
      tsNs: T0,
    });
  return core;
}

const unlimited: RiskLimits = { inventoryBands: {} };

describe("risk rules", () => {
  it("modifies an order over max notional down to whole lots, naming value and limit", () => {
    const d = risk({ ...unlimited, maxNotionalPerOrder: 1000 }).onPropose(propose({ size: 0.5 }), T0);
    expect(d).toMatchObject({
      kind: "submit",
      message: {
        decision: "modified",
        size: 0.333,
        reason: "MaxNotional: notional 1500 > max 1000; size 0.5 -> 0.333",
      },
    });
  });

  it("rejects stale data with the age and the limit", () => {
    const d = risk({ ...unlimited, rejectOnStaleDataMs: 500 }, { bookAgeMs: 750 }).onPropose(propose(), T0);
    expect(d).toEqual({
      kind: "deny",
      message: {
        type: "OrderDenied",
        strategy: "leadlag",
        intentId: "i1",
        symbol: ETH.symbol,
        rule: "StaleData",
        reason: "book age 750 ms > max 500 ms",
        tsNs: T0,
      },
    });
  });

  it("pulls an aggressive price back into the band and refuses a passive entry outside it", () => {
    const core = risk({ ...unlimited, pxBandBp: 100 });
    expect(core.onPropose(propose({ price: 3100 }), T0)).toMatchObject({
      kind: "submit",
      message: { price: 3030, decision: "modified" },
    });
    expect(core.onPropose(propose({ price: 2900 }), T0)).toMatchObject({
      kind: "deny",
      message: { rule: "PriceBand" },
    });
  });

  it("counts open orders, approved but unacknowledged ones included, against inventory bands", () => {
    const core = risk({ ...unlimited, inventoryBands: { [ETH.symbol]: { min: -1, max: 1 } } }, { position: 0.4 });
    expect(core.onPropose(propose({ size: 0.5 }), T0)).toMatchObject({
      kind: "submit",
      message: { size: 0.5, decision: "approved" },
    });
    expect(core.onPropose(propose({ size: 0.5, intentId: "i2" }), T0)).toMatchObject({
      kind: "submit",
      message: { size: 0.1, decision: "modified" },
    });
    expect(core.onPropose(propose({ size: 0.5, intentId: "i3" }), T0)).toMatchObject({
      kind: "deny",
      message: {
        rule: "InventoryBands",
        reason: "projected position 1.5 > max 1 (ETH-USDC-PERP, open orders included)",
      },
    });
  });

  it("limits the order rate over a sliding second", () => {
    const core = risk({ ...unlimited, maxOrdRatePerSec: 2 });
    expect(core.onPropose(propose(), T0).kind).toBe("submit");
    expect(core.onPropose(propose(), T0 + 100n * MS).kind).toBe("submit");
    expect(core.onPropose(propose(), T0 + 200n * MS)).toMatchObject({ kind: "deny", message: { rule: "OrderRate" } });
    expect(core.onPropose(propose(), T0 + 1000n * MS).kind).toBe("submit");
  });

  it("evaluates a proposal as onPropose decides it without recording it: rehearsals use no rate or inventory", () => {
    const core = risk({ ...unlimited, maxOrdRatePerSec: 1, inventoryBands: { [ETH.symbol]: { min: -1, max: 1 } } });
    for (let i = 0; i < 5; i++)
      expect(core.evaluate(propose({ size: 0.8 }), T0 + BigInt(i) * MS)).toMatchObject({
        kind: "submit",
        message: { size: 0.8, decision: "approved" },
      });
    expect(core.onPropose(propose({ size: 0.8 }), T0 + 10n * MS)).toMatchObject({
      kind: "submit",
      message: { size: 0.8 },
    });
    expect(core.evaluate(propose({ size: 0.8, intentId: "i2" }), T0 + 11n * MS)).toMatchObject({
      kind: "deny",
      message: { rule: "OrderRate" },
    });
    expect(core.onPropose(propose({ size: 0.8, intentId: "i2" }), T0 + 1200n * MS)).toMatchObject({
      kind: "submit",
      message: { size: 0.2, decision: "modified" },
    });
  });

  it("an open order leaves the count when the order manager reports it terminal", () => {
    const core = risk({ ...unlimited, maxOpenOrders: 1 });
    expect(core.onPropose(propose(), T0).kind).toBe("submit");
    const status: OrderStatusChanged = {
      type: "OrderStatusChanged",
      clId: "0xa",
      strategy: "leadlag",
      intentId: "i1",
      symbol: ETH.symbol,
      side: "buy",
      status: "pending_new",
      price: 3000,
      size: 1,
      filledSize: 0,
      avgFillPrice: 0,
      tsNs: T0,
    };
    core.onOrderStatus(status);
    expect(core.openOrderCount()).toBe(1);
    expect(core.onPropose(propose({ intentId: "i2" }), T0)).toMatchObject({
      kind: "deny",
      message: { rule: "MaxOpenOrders", reason: "open orders 1 >= max 1" },
    });
    core.onOrderStatus({ ...status, status: "filled", filledSize: 1 });
    expect(core.openOrderCount()).toBe(0);
  });

  it("an approval the order manager never confirms stops counting as open after 10 s", () => {
    const core = risk({ ...unlimited, maxOpenOrders: 1 });
    expect(core.onPropose(propose(), T0).kind).toBe("submit");
    expect(core.onPropose(propose({ intentId: "i2" }), T0 + 1000n * MS).kind).toBe("deny");
    expect(core.onPropose(propose({ intentId: "i3" }), T0 + 10_001n * MS).kind).toBe("submit");
  });

  it("per-strategy profiles override the global limits key by key", () => {
    const config = riskSchema.parse({
      global: { max_notional_per_order: 10_000 },
      profiles: { scalper: { global: { max_notional_per_order: 500 } } },
    });
    expect(limitsFor(config, "scalper")).toMatchObject({ maxNotionalPerOrder: 500, pxBandBp: 100, maxLeverage: 10 });
    expect(limitsFor(config, "leadlag")).toMatchObject({ maxNotionalPerOrder: 10_000 });
    expect(breakerLimitsFrom(config)).toEqual({
      enabled: true,
      reduceAtDrawdownUsd: undefined,
      haltAtDrawdownUsd: undefined,
      reduceAtDrawdownPct: 3,
      haltAtDrawdownPct: 5,
    });
  });
});

describe("circuit breaker", () => {
  it("escalates ACTIVE → REDUCING → HALTED on daily drawdown and only an operator resets it", () => {
    const b = new CircuitBreaker({ enabled: true, reduceAtDrawdownUsd: 1000, haltAtDrawdownPct: 5 });
    expect(b.onEquity(100_000, T0)).toBeNull();
    expect(b.onEquity(98_900, T0 + MS)).toEqual({
      from: "ACTIVE",
      to: "REDUCING",
      reason: "daily drawdown 1100.00 USD (1.10 %) >= reduce 1000 USD",
    });
    expect(b.onEquity(100_000, T0 + 2n * MS)).toBeNull(); // recovering does not un-trip
    expect(b.state).toBe("REDUCING");
    expect(b.onEquity(94_000, T0 + 3n * MS)?.to).toBe("HALTED");
    expect(b.reset(94_000)).toEqual({ from: "HALTED", to: "ACTIVE", reason: "operator reset" });
    expect(b.onEquity(93_500, T0 + 4n * MS)).toBeNull(); // measured afresh from the reset
  });

  it("REDUCING lets only reducing orders through; HALTED cancels everything, refuses entries and closes positions", () => {
    const core = new RiskCore({
      limits: () => unlimited,
      breaker: { enabled: true, reduceAtDrawdownUsd: 100, haltAtDrawdownUsd: 200 },
      instrument: () => ETH,
    });
    core.onAccount({ type: "AccountUpdated", accountId: "a", asset: "USDC", total: 10_000, locked: 0, tsNs: T0 });
    core.onBook(ETH.symbol, 3000, T0);
    core.onPosition({
      type: "PositionChanged",
      symbol: ETH.symbol,
      marketType: "perp",
      qty: 1,
      avgPrice: 3000,
      realizedPnl: 0,
      fees: 0,
      tsNs: T0,
    });
    expect(core.markToMarket(T0)).toBeNull();
    core.onBook(ETH.symbol, 2850, T0 + MS);
    expect(core.markToMarket(T0 + MS)).toMatchObject({ transition: { to: "REDUCING" }, cancelAll: undefined });
    expect(core.onPropose(propose({ price: 2850 }), T0 + MS)).toMatchObject({
      kind: "deny",
      message: { rule: "CircuitBreaker" },
    });
    expect(core.onPropose(propose({ side: "sell", price: 2850, size: 0.5 }), T0 + MS).kind).toBe("submit");
    core.onBook(ETH.symbol, 2750, T0 + 2n * MS);
    expect(core.markToMarket(T0 + 2n * MS)).toMatchObject({
      transition: { to: "HALTED" },
      cancelAll: { type: "RequestCancel", clId: "", strategy: "" },
    });
    expect(core.onPropose(propose({ side: "buy", price: 2750, size: 0.1 }), T0 + 2n * MS)).toMatchObject({
      kind: "deny",
      message: { rule: "CircuitBreaker" },
    });
    // The sell of 0.5 approved while REDUCING is still in flight: nothing more goes out for ETH until it is done.
    expect(core.flattening).toBe(true);
    expect(core.flattenOrders(T0 + 2n * MS).orders).toEqual([]);
    const sold = { type: "OrderStatusChanged", clId: "c1", strategy: "leadlag", intentId: "i1" } as const;
    const status = { ...sold, symbol: ETH.symbol, side: "sell", price: 2850, size: 0.5, avgFillPrice: 2850 } as const;
    core.onOrderStatus({ ...status, status: "filled", filledSize: 0.5, tsNs: T0 + 2n * MS });
    core.onPosition({ ...position(0.5), tsNs: T0 + 2n * MS });
    const { orders, skipped } = core.flattenOrders(T0 + 3n * MS);
    expect(skipped).toEqual([]);
    // A reduce-only IOC sell of the whole position, protected 50 bp under the mid and snapped up to the venue's rules.
    expect(orders).toMatchObject([
      { symbol: ETH.symbol, side: "sell", size: 0.5, reduceOnly: true, tif: "IOC", orderType: "market", role: "exit" },
    ]);
    expect(orders[0].price).toBe(2736.3); // 2750 × 0.995 = 2736.25: 6 significant figures, a sell snaps up
    expect(core.flattenOrders(T0 + 3n * MS).orders).toEqual([]); // in flight: not sent twice
  });

  it("a stopping daemon refuses entries and lets exits out; flattening names what it cannot close", () => {
    const core = new RiskCore({
      limits: () => unlimited,
      breaker: noBreaker,
      instrument: () => ETH,
      flattenBandBps: 10,
    });
    core.onAccount({ type: "AccountUpdated", accountId: "a", asset: "USDC", total: 10_000, locked: 0, tsNs: T0 });
    core.onPosition({ ...position(-0.3), tsNs: T0 });
    core.stopEntries("the daemon is stopping");
    expect(core.onPropose(propose({ side: "sell", size: 0.1 }), T0)).toMatchObject({
      kind: "deny",
      message: { rule: "Shutdown", reason: "entries stopped: the daemon is stopping" },
    });
    expect(core.flattening).toBe(false);
    core.requestFlatten();
    expect(core.flattenOrders(T0 + MS).skipped).toEqual([
      { symbol: ETH.symbol, qty: -0.3, reason: "no book: no protection price" },
    ]);
    core.onBook(ETH.symbol, 3000.003, T0 + MS);
    expect(core.onPropose(propose({ side: "buy", size: 0.1, reduceOnly: true, role: "exit" }), T0).kind).toBe("submit");
    expect(core.flattenOrders(T0 + 2n * MS).orders).toEqual([]); // the exit approved above is not confirmed yet
    core.onOrderStatus({
      ...{ type: "OrderStatusChanged", clId: "c1", strategy: "leadlag", intentId: "i1", symbol: ETH.symbol },
      ...{ side: "buy", status: "canceled", price: 3000, size: 0.1, filledSize: 0, avgFillPrice: 0, tsNs: T0 + MS },
    });
    const { orders } = core.flattenOrders(T0 + 3n * MS);
    // 3000.003 × 1.001 = 3003.003003: a buy snaps down to 5 significant figures.
    expect(orders).toMatchObject([{ side: "buy", size: 0.3, price: 3003, reduceOnly: true, strategy: "risk" }]);
  });
});

function position(qty: number) {
  return {
    type: "PositionChanged",
    symbol: ETH.symbol,
    marketType: "perp",
    qty,
    avgPrice: 3000,
    realizedPnl: 0,
    fees: 0,
  } as const;
}

describe("venue prices", () => {
  it("snaps every approved price once, protectively: buys down, sells up, to the instrument's rules", () => {
    const core = new RiskCore({ limits: () => unlimited, breaker: noBreaker, instrument: () => ETH });
    core.onAccount({ type: "AccountUpdated", accountId: "a", asset: "USDC", total: 1e6, locked: 0, tsNs: T0 });
    const buy = core.onPropose(propose({ price: 3110.2276500000003 }), T0);
    const sell = core.onPropose(propose({ side: "sell", price: 3110.2276500000003, intentId: "i2" }), T0);
    expect(buy).toMatchObject({ kind: "submit", message: { price: 3110.2, decision: "approved" } });
    expect(sell).toMatchObject({ kind: "submit", message: { price: 3110.3, decision: "approved" } });
    expect(core.onPropose(propose({ price: 0.001 }), T0)).toMatchObject({
      kind: "deny",
      message: { rule: "VenuePrice" },
    });
  });
});

describe("circuit breaker across restarts", () => {
  const limits = { enabled: true, reduceAtDrawdownUsd: 1000, haltAtDrawdownUsd: 3000 };

  it("a breaker rebuilt from its memory keeps its state and measures the day from the same equity", () => {
    const before = new CircuitBreaker(limits);
    before.onEquity(100_000, T0);
    before.onEquity(98_800, T0 + MS);
    const after = new CircuitBreaker(limits, before.memory());
    expect(after.state).toBe("REDUCING");
    // 3100 below the day's 100 000 halts; a breaker that had forgotten the day would see 1900 below 98 800.
    expect(after.onEquity(96_900, T0 + 2n * MS)?.to).toBe("HALTED");
  });

  it("does not feed the breaker before the order manager's balances arrive (equity 0 is no drawdown)", () => {
    const restored = { state: "ACTIVE" as const, day: String(T0 / 86_400_000_000_000n), dayStartEquity: 10_000 };
    const core = new RiskCore({
      limits: () => unlimited,
      breaker: limits,
      instrument: () => ETH,
      restoredBreaker: restored,
    });
    expect(core.markToMarket(T0)).toBeNull();
    expect(core.breakerState).toBe("ACTIVE");
    core.onAccount({ type: "AccountUpdated", accountId: "a", asset: "USDC", total: 8_800, locked: 0, tsNs: T0 });
    expect(core.markToMarket(T0 + MS)).toMatchObject({ transition: { from: "ACTIVE", to: "REDUCING" } });
  });
});

describe("breaker store", () => {
  const dir = () => mkdtempSync(path.join(tmpdir(), "leadlag-breaker-"));

  it("round-trips the memory through a file, and reports a corrupt file instead of guessing", () => {
    const file = path.join(dir(), "risk-breaker-paper-1.json");
    const store = new BreakerStore(file);
    expect(store.load()).toEqual({ ok: true, memory: undefined });
    const memory = { state: "HALTED" as const, day: "20417", dayStartEquity: 12_345.5 };
    store.save(memory);
    expect(new BreakerStore(file).load()).toEqual({ ok: true, memory });
    writeFileSync(file, '{"state":"MAYBE","day":"1","dayStartEquity":1}');
    expect(new BreakerStore(file).load()).toMatchObject({ ok: false });
    writeFileSync(file, "{not json");
    expect(new BreakerStore(file).load()).toMatchObject({ ok: false });
  });

  it("keeps one file per account next to the journal", () => {
    expect(breakerFileFor("./data/journal.log", "paper/1")).toBe(path.join("data", "risk-breaker-paper_1.json"));
  });
});

// ─── properties ───────────────────────────────────────────────────────────────────────────────────

const optional = (arb: fc.Arbitrary<number>) => fc.option(arb, { nil: undefined });
const limitsArb: fc.Arbitrary<RiskLimits> = fc.record({
  pxBandBp: optional(fc.integer({ min: 1, max: 500 })),
  maxNotionalPerOrder: optional(fc.integer({ min: 100, max: 50_000 })),
  maxOrdRatePerSec: optional(fc.integer({ min: 1, max: 20 })),
  maxOpenOrders: optional(fc.integer({ min: 1, max: 10 })),
  rejectOnStaleDataMs: optional(fc.integer({ min: 100, max: 1000 })),
  maxGrossUsd: optional(fc.integer({ min: 1000, max: 200_000 })),
  inventoryBands: fc
    .option(
      fc.record({
        min: fc.double({ min: -20, max: 0, noNaN: true }),
        max: fc.double({ min: 0, max: 20, noNaN: true }),
      }),
      { nil: undefined },
    )
    .map((b): RiskLimits["inventoryBands"] => (b ? { [ETH.symbol]: b } : {})),
  maxLeverage: optional(fc.integer({ min: 1, max: 20 })),
  maxOrderNotionalUsd: optional(fc.integer({ min: 100, max: 100_000 })),
  maintenanceBufferBps: optional(fc.integer({ min: 0, max: 500 })),
});

const stateArb = fc.record({
  equity: fc.integer({ min: 1_000, max: 200_000 }),
  position: fc.double({ min: -10, max: 10, noNaN: true }),
  mid: fc.integer({ min: 1000, max: 5000 }),
  bookAgeMs: fc.integer({ min: 0, max: 1500 }),
  openOrders: fc.array(
    fc.record({
      side: fc.constantFrom("buy" as const, "sell" as const),
      size: fc.double({ min: 0.001, max: 3, noNaN: true }),
    }),
    { maxLength: 4 },
  ),
});

const orderArb = fc.record({
  side: fc.constantFrom("buy" as const, "sell" as const),
  size: fc.double({ min: 0.001, max: 30, noNaN: true }),
  priceOffsetBp: fc.integer({ min: -800, max: 800 }),
});

type State = {
  equity: number;
  position: number;
  mid: number;
  bookAgeMs: number;
  openOrders: { side: "buy" | "sell"; size: number }[];
};

function setup(limits: RiskLimits, s: State, breaker: CircuitBreakerLimits = noBreaker) {
  const core = risk(
    limits,
    { equity: s.equity, position: s.position, avg: s.mid, mid: s.mid, bookAgeMs: s.bookAgeMs },
    breaker,
  );
  s.openOrders.forEach((o, i) =>
    core.onOrderStatus({
      type: "OrderStatusChanged",
      clId: `0x${i}`,
      strategy: "x",
      intentId: `o${i}`,
      symbol: ETH.symbol,
      side: o.side,
      status: "accepted",
      price: s.mid,
      size: o.size,
      filledSize: 0,
      avgFillPrice: 0,
      tsNs: T0,
    }),
  );
  return core;
}

describe("risk properties", () => {
  it("no approved entry violates an enabled limit", () => {
    fc.assert(
      fc.property(limitsArb, stateArb, orderArb, (limits, s, o) => {
        const core = setup(limits, s);
        const price = s.mid * (1 + o.priceOffsetBp / 10_000);
        const d = core.onPropose(propose({ side: o.side, size: o.size, price }), T0);
        const reduces =
          (s.position > 0 && o.side === "sell" && o.size <= s.position + 1e-12) ||
          (s.position < 0 && o.side === "buy" && o.size <= -s.position + 1e-12);
        if (d.kind === "deny" || reduces) return;
        const { price: px, size } = d.message;
        const tol = 1 + 1e-9;
        const notional = px * size;
        const openBuy = s.openOrders.filter((x) => x.side === "buy").reduce((a, x) => a + x.size, 0);
        const openSell = s.openOrders.filter((x) => x.side === "sell").reduce((a, x) => a + x.size, 0);
        const gross = Math.abs(s.position) * s.mid + (openBuy + openSell) * s.mid;
        expect(size).toBeGreaterThanOrEqual(LOT - 1e-12);
        expect(Math.abs(size / LOT - Math.round(size / LOT))).toBeLessThan(1e-6);
        if (limits.rejectOnStaleDataMs !== undefined)
          expect(s.bookAgeMs).toBeLessThanOrEqual(limits.rejectOnStaleDataMs);
        if (limits.pxBandBp !== undefined) {
          expect(px).toBeLessThanOrEqual(s.mid * (1 + limits.pxBandBp / 10_000) * tol);
          expect(px).toBeGreaterThanOrEqual((s.mid * (1 - limits.pxBandBp / 10_000)) / tol);
        }
        if (limits.maxNotionalPerOrder !== undefined)
          expect(notional).toBeLessThanOrEqual(limits.maxNotionalPerOrder * tol);
        if (limits.maxOpenOrders !== undefined) expect(s.openOrders.length).toBeLessThan(limits.maxOpenOrders);
        const band = limits.inventoryBands[ETH.symbol];
        if (band && o.side === "buy") expect(s.position + openBuy + size).toBeLessThanOrEqual(band.max + 1e-9);
        if (band && o.side === "sell") expect(s.position - openSell - size).toBeGreaterThanOrEqual(band.min - 1e-9);
        if (limits.maxGrossUsd !== undefined) expect(gross + notional).toBeLessThanOrEqual(limits.maxGrossUsd * tol);
        if (limits.maxOrderNotionalUsd !== undefined)
          expect(notional).toBeLessThanOrEqual(limits.maxOrderNotionalUsd * tol);
        if (limits.maxLeverage !== undefined)
          expect((gross + notional) / s.equity).toBeLessThanOrEqual(limits.maxLeverage * tol);
        if (limits.maxLeverage !== undefined && limits.maintenanceBufferBps !== undefined) {
          expect(
            (gross + notional) * (1 / limits.maxLeverage + limits.maintenanceBufferBps / 10_000),
          ).toBeLessThanOrEqual(s.equity * tol);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("reducing exits always pass, whatever the exposure limits and however stale the data", () => {
    fc.assert(
      fc.property(
        limitsArb,
        stateArb,
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.integer({ min: -800, max: 800 }),
        fc.boolean(),
        (limits, s, fraction, offsetBp, reducing) => {
          fc.pre(Math.abs(s.position) >= 0.01);
          const core = setup(limits, s, reducing ? { enabled: true, reduceAtDrawdownUsd: 1 } : noBreaker);
          if (reducing) {
            // drive the breaker into REDUCING: exits must still pass
            core.markToMarket(T0);
            core.onAccount({
              type: "AccountUpdated",
              accountId: "a",
              asset: "USDC",
              total: s.equity - 2,
              locked: 0,
              tsNs: T0,
            });
            expect(core.markToMarket(T0)?.transition.to).toBe("REDUCING");
          }
          const side = s.position > 0 ? "sell" : "buy";
          const size = Math.abs(s.position) * fraction;
          fc.pre(size >= LOT);
          const d = core.onPropose(
            propose({ side, size, price: s.mid * (1 + offsetBp / 10_000), reduceOnly: true, role: "sl" }),
            T0,
          );
          expect(d.kind).toBe("submit");
          if (d.kind === "submit") expect(d.message.size).toBe(roundToLot(size, LOT));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
