/** `risk:` — pre-trade limits, global and per portfolio, perp margin rules and per-strategy overrides. */
import { z } from "zod";
import { expected } from "../messages.js";
import { anyNumber, flag, nonNegativeNumber, positiveInt, positiveNumber, reportRule } from "./fields.js";

const globalLimits = {
  px_band_bp: positiveNumber(), // limit price within ± this many bp of mid
  max_notional_per_order: positiveNumber(),
  max_ord_rate_per_sec: positiveNumber(),
  max_open_orders: positiveInt(),
  reject_on_stale_data_ms: positiveInt(),
};

const perpLimits = {
  max_leverage: positiveNumber(),
  max_order_notional_usd: positiveNumber(),
  maintenance_buffer_bps: nonNegativeNumber(),
  taker_bps: nonNegativeNumber(),
  maker_bps: anyNumber(), // negative = rebate
};

const inventoryBandSchema = z.strictObject({ min: anyNumber(), max: anyNumber() }).superRefine((band, ctx) => {
  if (band.min > band.max) reportRule(ctx, ["min"], band.min, expected.atMostField("max"));
});

const inventoryBands = z.record(z.string().min(1), inventoryBandSchema);

const globalSchema = z.strictObject({
  px_band_bp: globalLimits.px_band_bp.default(100),
  max_notional_per_order: globalLimits.max_notional_per_order.default(10000),
  max_ord_rate_per_sec: globalLimits.max_ord_rate_per_sec.default(10),
  max_open_orders: globalLimits.max_open_orders.default(100),
  reject_on_stale_data_ms: globalLimits.reject_on_stale_data_ms.default(500),
});

const portfolioSchema = z.strictObject({
  max_gross_usd: positiveNumber().default(60000),
  inventory_bands: inventoryBands.default({}), // per symbol, in base units
});

const perpsSchema = z.strictObject({
  max_leverage: perpLimits.max_leverage.default(10),
  max_order_notional_usd: perpLimits.max_order_notional_usd.default(100000),
  maintenance_buffer_bps: perpLimits.maintenance_buffer_bps.default(50),
  taker_bps: perpLimits.taker_bps.default(5.0),
  maker_bps: perpLimits.maker_bps.default(2.5),
});

/** Per-strategy overrides: any subset of the limits above, no defaults (absent = inherit). */
const riskOverrideSchema = z.strictObject({
  global: z.strictObject(globalLimits).partial().optional(),
  portfolio: z.strictObject({ max_gross_usd: positiveNumber(), inventory_bands: inventoryBands }).partial().optional(),
  perps: z.strictObject(perpLimits).partial().optional(),
});

/**
 * leadlag-only: the daily drawdown circuit breaker (docs/orders.md). Drawdown is measured from the
 * equity at the start of the UTC day; past `reduce_at_*` only reducing orders pass (REDUCING), past
 * `halt_at_*` nothing does and open orders are canceled (HALTED) until an operator resets it. A USD and
 * a pct threshold may both be set: whichever is reached first trips.
 */
const circuitBreakerSchema = z
  .strictObject({
    enabled: flag().default(true),
    reduce_at_drawdown_usd: positiveNumber().optional(),
    halt_at_drawdown_usd: positiveNumber().optional(),
    reduce_at_drawdown_pct: positiveNumber().default(3), // % of start-of-day equity
    halt_at_drawdown_pct: positiveNumber().default(5),
  })
  .superRefine((cb, ctx) => {
    if (cb.reduce_at_drawdown_pct > cb.halt_at_drawdown_pct) {
      reportRule(
        ctx,
        ["reduce_at_drawdown_pct"],
        cb.reduce_at_drawdown_pct,
        expected.atMostField("halt_at_drawdown_pct"),
      );
    }
    if (
      cb.reduce_at_drawdown_usd !== undefined &&
      cb.halt_at_drawdown_usd !== undefined &&
      cb.reduce_at_drawdown_usd > cb.halt_at_drawdown_usd
    ) {
      reportRule(
        ctx,
        ["reduce_at_drawdown_usd"],
        cb.reduce_at_drawdown_usd,
        expected.atMostField("halt_at_drawdown_usd"),
      );
    }
  });

/**
 * leadlag-only: reconciliation with the venue's account snapshots (docs/account-sync.md). A difference
 * worth more than its tolerance is a mismatch; mismatches in `trip_after_snapshots` consecutive snapshots
 * halt the circuit breaker. Balances are compared from the second snapshot on (the first replaces
 * `initial_balance`).
 */
const reconciliationSchema = z.strictObject({
  balance_tolerance_usd: nonNegativeNumber().default(10), // per asset, |leadlag − venue| valued in USD
  position_tolerance_usd: nonNegativeNumber().default(50), // per symbol, |leadlag − venue| qty × mark
  trip_after_snapshots: positiveInt().default(2),
});

export const riskSchema = z.strictObject({
  global: globalSchema.prefault({}),
  portfolio: portfolioSchema.prefault({}),
  perps: perpsSchema.prefault({}),
  profiles: z.record(z.string().min(1), riskOverrideSchema).default({}), // keyed by strategy name or type
  circuit_breaker: circuitBreakerSchema.prefault({}),
  reconciliation: reconciliationSchema.prefault({}),
});
