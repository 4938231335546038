import type { DecisionRecord } from "./records.js";

/** How many of the newest decisions the strategy publishes with its status (the live status page shows them). */
export const LAST_DECISIONS = 20;

/** One decision as the status page shows it: JSON-safe, the gate that stopped it (`outcome`) and why. */
export interface DecisionSummary {
  /** ISO time of the decision. */
  at: string;
  leader: string;
  lagger: string;
  jump_bps: number | null;
  /** `entered`, or the gate (or timeout) that stopped it. */
  outcome: string;
  reason: string;
  side: string;
  size: number;
  notional_usd: number | null;
}

export function decisionSummary(r: DecisionRecord): DecisionSummary {
  return {
    at: new Date(Number(r.tsNs / 1_000_000n)).toISOString(), // whole ms: epoch ns as a double loses the last one
    leader: r.leader,
    lagger: r.lagger,
    jump_bps: finite(r.jumpBps),
    outcome: r.outcome,
    reason: r.reason,
    side: r.side,
    size: r.size,
    notional_usd: finite(r.notionalUsd),
  };
}

/** NaN (not computed) and infinities are not JSON. */
function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
