import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { entryFeeBps, exitFeeBps, feeGateCostBps } from "../../src/actors/strategy/gates.js";
import { strategyParams } from "../fixtures/strategy.js";

const fees = (overrides: Record<string, unknown>) => strategyParams({ symbols: ["ETH-USDT-PERP"], ...overrides });

describe("fee gate cost, as trading_core charges it", () => {
  it("takes the entry fee by order type and the exit as p·maker + (1 − p)·taker", () => {
    const market = fees({ taker_fee_bps: 4.5, maker_fee_bps: 1.5, tp_hit_probability: 0.4 });
    expect(entryFeeBps(market)).toBe(4.5);
    expect(exitFeeBps(market)).toBeCloseTo(0.4 * 1.5 + 0.6 * 4.5, 12); // 3.3
    expect(feeGateCostBps(market)).toBeCloseTo(4.5 + 3.3 + 2 + 3, 12);

    const limit = fees({ taker_fee_bps: 4.5, maker_fee_bps: 1.5, tp_hit_probability: 0.4, entry_order_type: "limit" });
    expect(entryFeeBps(limit)).toBe(1.5);
    expect(feeGateCostBps(limit)).toBeCloseTo(1.5 + 3.3 + 2 + 3, 12);

    // A maker rebate lowers the cost: Hyperliquid-like −0.2 bps maker, 3.5 bps taker, p = 0.5.
    const rebate = fees({
      taker_fee_bps: 3.5,
      maker_fee_bps: -0.2,
      tp_hit_probability: 0.5,
      entry_order_type: "limit",
    });
    expect(entryFeeBps(rebate) + exitFeeBps(rebate)).toBeCloseTo(-0.2 + 1.65, 12);
  });

  it("lies between all-maker and all-taker fees for any fees, probability and entry type", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.double({ min: -10, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom("market", "limit"),
        fc.double({ min: 0, max: 20, noNaN: true }),
        fc.double({ min: 0, max: 20, noNaN: true }),
        (taker, maker, p, type, slippage, buffer) => {
          const params = fees({
            taker_fee_bps: taker,
            maker_fee_bps: maker,
            tp_hit_probability: p,
            entry_order_type: type,
            expected_slippage_bps_total: slippage,
            arb_gate_buffer_bps: buffer,
          });
          const fee = feeGateCostBps(params) - slippage - buffer;
          const tolerance = 1e-9 * (1 + Math.abs(taker) + Math.abs(maker));
          expect(fee).toBeGreaterThanOrEqual(2 * Math.min(maker, taker) - tolerance);
          expect(fee).toBeLessThanOrEqual(2 * Math.max(maker, taker) + tolerance);
          // The gate uses the entry and exit fees it reports, nothing else.
          expect(fee).toBeCloseTo(entryFeeBps(params) + exitFeeBps(params), 9);
        },
      ),
    );
  });
});
