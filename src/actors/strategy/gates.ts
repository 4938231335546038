import type { LeadLagStrategyParams } from "../../config/schema/index.js";
import { nsToMs, nsToSeconds } from "../../model/time.js";

/**
 * Entry gates: small functions returning null (pass) or a reason naming the value and the limit. They run
 * in `GATES` order and the first refusal is the decision's outcome (docs/strategy.md lists the order). The
 * jump gates (not a leader, systematic) run earlier, in `StrategyCore.onJump`: such jumps trigger no scan.
 */

export interface GateContext {
  readonly nowNs: bigint;
  readonly passingScans: number;
  /** Signed strength of the aggregated scans. */
  readonly strength: number;
  /** An executor (pending or open) already holds the lagger, or an untracked position at or above min notional. */
  readonly laggerActive: boolean;
  /** Time of the last entry on the lagger, if any. */
  readonly lastEntryNs: bigint | null;
  readonly openExecutors: number;
  readonly usedNotionalUsd: number;
  readonly laggerMinNotional: number;
  /** Venue position in the lagger not owned by any executor, and its |notional|. */
  readonly untrackedQty: number;
  readonly untrackedNotionalUsd: number;
  /** Lagger book: null when none received yet. */
  readonly bookValid: boolean | null;
  readonly bookAgeNs: bigint;
  readonly staleBookNs: bigint;
  readonly atrReady: boolean;
  /** Expected move in the trade's direction, bps (negative when the predictor disagrees with the direction). */
  readonly favourableMoveBps: number;
}

export type Gate = (c: GateContext, p: LeadLagStrategyParams) => string | null;

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/\.?0+$/, ""));

type FeeParams = Pick<
  LeadLagStrategyParams,
  "entry_order_type" | "maker_fee_bps" | "taker_fee_bps" | "tp_hit_probability"
>;

/** The entry's fee by its order type, as trading_core charges it: limit → maker, market → taker. */
export function entryFeeBps(p: FeeParams): number {
  return p.entry_order_type === "limit" ? p.maker_fee_bps : p.taker_fee_bps;
}

/**
 * The exit's expected fee as trading_core charges it: the take-profit (hit with `tp_hit_probability`) at
 * maker, the stop or time limit otherwise at taker. docs/strategy.md §5 says where leadlag's exits differ.
 */
export function exitFeeBps(p: FeeParams): number {
  return p.tp_hit_probability * p.maker_fee_bps + (1 - p.tp_hit_probability) * p.taker_fee_bps;
}

/** Round-trip cost the expected move must beat, bps: entry and expected exit fee, slippage, buffer. */
export function feeGateCostBps(p: LeadLagStrategyParams): number {
  return entryFeeBps(p) + exitFeeBps(p) + p.expected_slippage_bps_total + p.arb_gate_buffer_bps;
}

export const GATES = [
  [
    "hy_not_passing",
    (c) => (c.passingScans === 0 ? "no feature scan passes the HY gates (tau* > 0, |rho*|, LLS)" : null),
  ],
  [
    "entry_threshold",
    (c, p) =>
      Math.abs(c.strength) >= p.entry_threshold
        ? null
        : `strength ${fmt(Math.abs(c.strength))} < entry_threshold ${fmt(p.entry_threshold)}`,
  ],
  [
    "active_executor",
    (c, p) =>
      c.laggerActive && !p.allow_stacking
        ? "the lagger already has an open or pending position and allow_stacking is false"
        : null,
  ],
  [
    "hazard_window",
    (c, p) => {
      if (c.lastEntryNs === null) return null;
      const sinceS = nsToSeconds(c.nowNs - c.lastEntryNs);
      return sinceS < p.hazard_window_seconds
        ? `last entry on the lagger ${fmt(sinceS)} s ago < hazard_window_seconds ${fmt(p.hazard_window_seconds)}`
        : null;
    },
  ],
  [
    "max_concurrent_positions",
    (c, p) =>
      c.openExecutors >= p.max_concurrent_positions
        ? `open positions ${c.openExecutors} >= max_concurrent_positions ${p.max_concurrent_positions}`
        : null,
  ],
  [
    "max_total_notional",
    (c, p) => {
      const room = p.max_total_notional_usd - c.usedNotionalUsd;
      return room < c.laggerMinNotional
        ? `notional in use ${fmt(c.usedNotionalUsd)} leaves ${fmt(room)} USD of max_total_notional_usd ` +
            `${fmt(p.max_total_notional_usd)}, below min notional ${fmt(c.laggerMinNotional)}`
        : null;
    },
  ],
  [
    "dust_position",
    (c) =>
      c.untrackedQty !== 0 && c.untrackedNotionalUsd < c.laggerMinNotional
        ? `untracked lagger position ${fmt(c.untrackedQty)} (${fmt(c.untrackedNotionalUsd)} USD) is dust below min ` +
          `notional ${fmt(c.laggerMinNotional)}`
        : null,
  ],
  [
    "book_stale_or_invalid",
    (c) => {
      if (c.bookValid === null) return "no lagger book yet";
      if (!c.bookValid) return "the lagger book is invalid (gap in the delta stream)";
      return c.bookAgeNs > c.staleBookNs
        ? `lagger book is ${fmt(nsToMs(c.bookAgeNs))} ms old > ${fmt(nsToMs(c.staleBookNs))} ms`
        : null;
    },
  ],
  [
    "atr_not_ready",
    (c, p) =>
      p.atr_enabled && p.atr_require_ready && !c.atrReady
        ? `lagger ATR not ready (needs atr_period ${p.atr_period} closed bars)`
        : null,
  ],
  [
    "fee_gate",
    (c, p) => {
      if (!p.enable_fee_gate) return null;
      const edge = c.favourableMoveBps * p.tp_hit_probability;
      const cost = feeGateCostBps(p);
      return edge > cost
        ? null
        : `expected move ${fmt(c.favourableMoveBps)} bps × tp_hit_probability ${fmt(p.tp_hit_probability)} = ` +
            `${fmt(edge)} <= cost ${fmt(cost)} bps (fees: entry ${fmt(entryFeeBps(p))} + exit ${fmt(exitFeeBps(p))})`;
    },
  ],
] as const satisfies readonly (readonly [string, Gate])[];

export type GateName = (typeof GATES)[number][0];

export interface GateRefusal {
  readonly gate: GateName;
  readonly reason: string;
}

export function firstRefusal(context: GateContext, params: LeadLagStrategyParams): GateRefusal | null {
  for (const [gate, check] of GATES) {
    const reason = check(context, params);
    if (reason !== null) return { gate, reason };
  }
  return null;
}
