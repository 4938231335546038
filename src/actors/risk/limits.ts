import type { RiskConfig } from "../../config/index.js";
import type { ReconcileTolerance } from "./reconcile.js";

/**
 * The limits one strategy's orders are checked against: the `risk:` section with that strategy's profile
 * merged over it. An absent limit is disabled.
 */
export interface RiskLimits {
  readonly pxBandBp?: number;
  readonly maxNotionalPerOrder?: number;
  readonly maxOrdRatePerSec?: number;
  readonly maxOpenOrders?: number;
  readonly rejectOnStaleDataMs?: number;
  readonly maxGrossUsd?: number;
  /** Per symbol, signed base units, open orders included. */
  readonly inventoryBands: Readonly<Record<string, { readonly min: number; readonly max: number }>>;
  readonly maxLeverage?: number;
  readonly maxOrderNotionalUsd?: number;
  readonly maintenanceBufferBps?: number;
}

export interface CircuitBreakerLimits {
  readonly enabled: boolean;
  readonly reduceAtDrawdownUsd?: number;
  readonly haltAtDrawdownUsd?: number;
  readonly reduceAtDrawdownPct?: number;
  readonly haltAtDrawdownPct?: number;
}

/** Limits for `strategy`: its profile (by name) overrides the global, portfolio and perps sections key by key. */
export function limitsFor(config: RiskConfig, strategy: string): RiskLimits {
  const profile = config.profiles[strategy] ?? {};
  const global = { ...config.global, ...profile.global };
  const portfolio = { ...config.portfolio, ...profile.portfolio };
  const perps = { ...config.perps, ...profile.perps };
  return {
    pxBandBp: global.px_band_bp,
    maxNotionalPerOrder: global.max_notional_per_order,
    maxOrdRatePerSec: global.max_ord_rate_per_sec,
    maxOpenOrders: global.max_open_orders,
    rejectOnStaleDataMs: global.reject_on_stale_data_ms,
    maxGrossUsd: portfolio.max_gross_usd,
    inventoryBands: { ...config.portfolio.inventory_bands, ...profile.portfolio?.inventory_bands },
    maxLeverage: perps.max_leverage,
    maxOrderNotionalUsd: perps.max_order_notional_usd,
    maintenanceBufferBps: perps.maintenance_buffer_bps,
  };
}

/** `risk.reconciliation`: what a difference with the venue's account snapshot may be worth. */
export function reconcileToleranceFrom(config: RiskConfig): ReconcileTolerance {
  const r = config.reconciliation;
  return {
    balanceUsd: r.balance_tolerance_usd,
    positionUsd: r.position_tolerance_usd,
    tripAfter: r.trip_after_snapshots,
  };
}

export function breakerLimitsFrom(config: RiskConfig): CircuitBreakerLimits {
  const cb = config.circuit_breaker;
  return {
    enabled: cb.enabled,
    reduceAtDrawdownUsd: cb.reduce_at_drawdown_usd,
    haltAtDrawdownUsd: cb.halt_at_drawdown_usd,
    reduceAtDrawdownPct: cb.reduce_at_drawdown_pct,
    haltAtDrawdownPct: cb.halt_at_drawdown_pct,
  };
}
