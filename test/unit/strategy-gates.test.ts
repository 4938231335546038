import { describe, expect, it } from "vitest";
import { GATES } from "../../src/actors/strategy/gates.js";
import {
  pushed,
  book,
  booksAt,
  BTC,
  ETH,
  jump,
  jumpAndAnswer,
  MS,
  S,
  scan,
  SOL,
  strategyHarness,
  T0,
} from "../fixtures/strategy.js";

/** Two passing features on ETH: strength 0.8/0.4 + 0.7/0.4 = 3.75 with default weights. */
const STRONG = [scan(ETH.id, "trade", 0.8), scan(ETH.id, "mid", 0.7)];

describe("strategy gates, in their fixed order", () => {
  it("runs the gates in the documented order", () => {
    expect(GATES.map(([name]) => name)).toEqual([
      "hy_not_passing",
      "entry_threshold",
      "active_executor",
      "hazard_window",
      "max_concurrent_positions",
      "max_total_notional",
      "dust_position",
      "book_stale_or_invalid",
      "atr_not_ready",
      "fee_gate",
    ]);
  });

  it("enters when every gate passes", () => {
    const h = strategyHarness();
    booksAt(h, T0);
    const orders = jumpAndAnswer(h, T0, 50, STRONG);
    expect(orders).toHaveLength(1);
    expect(h.port.last).toMatchObject({
      outcome: "entered",
      leader: BTC.symbol,
      lagger: ETH.symbol,
      passingScans: 2,
      strength: 3.75,
    });
  });

  it("records a jump of a symbol that leads no pair as not_leader and scans nothing", () => {
    const h = strategyHarness();
    h.core.setArtifacts({ ...defaultsWithPairs([{ leader: BTC.id, lagger: ETH.id }]) });
    expect(h.core.onJump(jump(ETH.id, T0, 50), T0)).toEqual([]);
    expect(h.core.scansInFlight).toBe(0);
    expect(h.port.last).toMatchObject({ outcome: "not_leader", leader: ETH.symbol, lagger: "" });
  });

  it("stops a systematic jump before any scan, recording each lagger", () => {
    const h = strategyHarness();
    expect(h.core.onJump(jump(BTC.id, T0, 50, { systematic: true, coJumpCount: 3 }), T0)).toEqual([]);
    expect(h.core.scansInFlight).toBe(0);
    expect(h.port.decisions).toHaveLength(1);
    expect(h.port.last).toMatchObject({ outcome: "systematic_jump", lagger: ETH.symbol });
  });

  it("refuses when no feature scan passes the HY gates", () => {
    const h = strategyHarness();
    booksAt(h, T0);
    expect(
      jumpAndAnswer(h, T0, 50, [
        scan(ETH.id, "trade", 0.3, { passes: false }),
        scan(ETH.id, "mid", 0, { status: "expired", passes: false }),
      ]),
    ).toEqual([]);
    expect(h.port.last.outcome).toBe("hy_not_passing");
  });

  it("refuses when the strength is below entry_threshold", () => {
    const h = strategyHarness({ entry_threshold: 4 });
    booksAt(h, T0);
    expect(jumpAndAnswer(h, T0, 50, STRONG)).toEqual([]);
    expect(h.port.last).toMatchObject({ outcome: "entry_threshold", reason: "strength 3.75 < entry_threshold 4" });
  });

  it("refuses a second entry on a lagger with an active executor unless stacking is allowed", () => {
    const h = strategyHarness({ hazard_window_seconds: 0 });
    booksAt(h, T0);
    jumpAndAnswer(h, T0, 50, STRONG);
    booksAt(h, T0 + S);
    expect(jumpAndAnswer(h, T0 + S, 50, STRONG)).toEqual([]);
    expect(h.port.last.outcome).toBe("active_executor");

    const stacking = strategyHarness({ hazard_window_seconds: 0, allow_stacking: true });
    booksAt(stacking, T0);
    jumpAndAnswer(stacking, T0, 50, STRONG);
    booksAt(stacking, T0 + S);
    expect(jumpAndAnswer(stacking, T0 + S, 50, STRONG)).toHaveLength(1);
  });

  it("refuses an entry on a lagger within hazard_window_seconds of the last one", () => {
    const h = strategyHarness({ allow_stacking: true, hazard_window_seconds: 12 });
    booksAt(h, T0);
    jumpAndAnswer(h, T0, 50, STRONG);
    booksAt(h, T0 + 5n * S);
    expect(jumpAndAnswer(h, T0 + 5n * S, 50, STRONG)).toEqual([]);
    expect(h.port.last).toMatchObject({
      outcome: "hazard_window",
      reason: "last entry on the lagger 5 s ago < hazard_window_seconds 12",
    });
    booksAt(h, T0 + 12n * S);
    expect(jumpAndAnswer(h, T0 + 12n * S, 50, STRONG)).toHaveLength(1);
  });

  it("refuses past max_concurrent_positions", () => {
    const h = strategyHarness({ max_concurrent_positions: 1 }, [BTC, ETH, SOL]);
    booksAt(h, T0, [BTC, ETH, SOL]);
    h.core.onJump(jump(BTC.id, T0, 50), T0);
    const orders = h.core.onPairsScanned(pushed([...STRONG, scan(SOL.id, "trade", 0.8), scan(SOL.id, "mid", 0.7)]), T0);
    expect(orders.map((o) => o.symbol)).toEqual([ETH.symbol]);
    expect(h.port.last).toMatchObject({ lagger: SOL.symbol, outcome: "max_concurrent_positions" });
  });

  it("refuses when the notional in use leaves less than the min notional under max_total_notional_usd", () => {
    const h = strategyHarness({ max_total_notional_usd: 485, max_single_position_usd: 485 }, [BTC, ETH, SOL]);
    booksAt(h, T0, [BTC, ETH, SOL]);
    h.core.onJump(jump(BTC.id, T0, 50), T0);
    h.core.onPairsScanned(pushed([...STRONG, scan(SOL.id, "trade", 0.8)]), T0);
    expect(h.port.decisions.map((d) => d.outcome)).toEqual(["entered", "max_total_notional"]);
  });

  it("refuses while the lagger carries an untracked dust position", () => {
    const h = strategyHarness();
    booksAt(h, T0);
    h.core.onPosition(
      {
        type: "PositionChanged",
        symbol: ETH.symbol,
        marketType: "perp",
        qty: 0.001,
        avgPrice: 3000,
        realizedPnl: 0,
        fees: 0,
        tsNs: T0,
      },
      T0,
    );
    expect(jumpAndAnswer(h, T0, 50, STRONG)).toEqual([]);
    expect(h.port.last.outcome).toBe("dust_position");
  });

  it("treats an untracked position at or above min notional as an active one", () => {
    const h = strategyHarness();
    booksAt(h, T0);
    h.core.onPosition(
      {
        type: "PositionChanged",
        symbol: ETH.symbol,
        marketType: "perp",
        qty: 0.5,
        avgPrice: 3000,
        realizedPnl: 0,
        fees: 0,
        tsNs: T0,
      },
      T0,
    );
    expect(jumpAndAnswer(h, T0, 50, STRONG)).toEqual([]);
    expect(h.port.last.outcome).toBe("active_executor");
  });

  it("refuses on a stale, invalid or missing lagger book", () => {
    const stale = strategyHarness();
    booksAt(stale, T0);
    expect(jumpAndAnswer(stale, T0 + 501n * MS, 50, STRONG)).toEqual([]);
    expect(stale.port.last).toMatchObject({
      outcome: "book_stale_or_invalid",
      reason: "lagger book is 501 ms old > 500 ms",
    });

    const invalid = strategyHarness();
    booksAt(invalid, T0);
    invalid.core.onBook(book(ETH.id, T0, 3000, { valid: false }), T0);
    jumpAndAnswer(invalid, T0, 50, STRONG);
    expect(invalid.port.last.outcome).toBe("book_stale_or_invalid");

    const missing = strategyHarness();
    jumpAndAnswer(missing, T0, 50, STRONG);
    expect(missing.port.last).toMatchObject({ outcome: "book_stale_or_invalid", reason: "no lagger book yet" });
  });

  it("refuses while the lagger's ATR is not ready, unless atr_require_ready is off", () => {
    const h = strategyHarness({ atr_enabled: true });
    booksAt(h, T0);
    expect(jumpAndAnswer(h, T0, 50, STRONG)).toEqual([]);
    expect(h.port.last.outcome).toBe("atr_not_ready");

    const relaxed = strategyHarness({ atr_enabled: true, atr_require_ready: false });
    booksAt(relaxed, T0);
    expect(jumpAndAnswer(relaxed, T0, 50, STRONG)).toHaveLength(1);
  });

  it("refuses when expected move × tp_hit_probability does not exceed entry + exit fee + slippage + buffer", () => {
    // Market entry at taker 5; exit 0.45 × maker 2.5 + 0.55 × taker 5 = 3.875; cost 5 + 3.875 + 2 + 3 = 13.875 bps.
    // Expected move with no baseline and no RLS: |rho*| × |jump| × 1.
    const h = strategyHarness();
    booksAt(h, T0);
    // 0.8 × 38 = 30.4 bps; × 0.45 = 13.68 <= 13.875.
    expect(jumpAndAnswer(h, T0, 38, STRONG)).toEqual([]);
    expect(h.port.last.expectedMoveBps).toBeCloseTo(30.4, 9);
    expect(h.port.last).toMatchObject({
      outcome: "fee_gate",
      reason:
        "expected move 30.4 bps × tp_hit_probability 0.45 = 13.68 <= cost 13.875 bps (fees: entry 5 + exit 3.875)",
    });
    // 0.8 × 39 = 31.2 bps; × 0.45 = 14.04 > 13.875.
    booksAt(h, T0 + S);
    expect(jumpAndAnswer(h, T0 + S, 39, STRONG)).toHaveLength(1);

    const off = strategyHarness({ enable_fee_gate: false });
    booksAt(off, T0);
    expect(jumpAndAnswer(off, T0, 5, STRONG)).toHaveLength(1);
  });

  it("charges a limit entry at maker: the same move that a market entry's cost refuses passes", () => {
    // Limit entry at maker 2.5: cost 2.5 + 3.875 + 2 + 3 = 11.375 bps; 0.8 × 38 × 0.45 = 13.68 > 11.375.
    const passes = strategyHarness({ entry_order_type: "limit" });
    booksAt(passes, T0);
    expect(jumpAndAnswer(passes, T0, 38, STRONG)).toHaveLength(1);
    // 0.8 × 31 × 0.45 = 11.16 <= 11.375.
    const refused = strategyHarness({ entry_order_type: "limit" });
    booksAt(refused, T0);
    expect(jumpAndAnswer(refused, T0, 31, STRONG)).toEqual([]);
    expect(refused.port.last.reason).toContain("<= cost 11.375 bps (fees: entry 2.5 + exit 3.875)");
  });

  it("refuses a size below the lagger's min notional", () => {
    const h = strategyHarness({ base_position_size_usd: 5 });
    booksAt(h, T0);
    expect(jumpAndAnswer(h, T0, 50, STRONG)).toEqual([]);
    expect(h.port.last.outcome).toBe("min_notional");
  });
});

function defaultsWithPairs(pairs: { leader: number; lagger: number }[]) {
  return {
    source: "files" as const,
    pairs: pairs.map((p) => ({ ...p, weight: 1, expectedTauS: null })),
    featureWeights: new Map([["trade", 1] as const, ["mid", 1] as const]),
    baselines: new Map(),
  };
}
