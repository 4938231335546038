import type { Side } from "../../protocol/orders.js";
import type { ExpectedMoveSource } from "./decision.js";
import type { ClosedBy } from "./executor.js";
import type { GateName } from "./gates.js";

/**
 * What the strategy core reports through its port: one record per evaluated decision (the decision-score
 * CSV), one summary per closed position, and anomalies to log.
 */

/** Gates that stop a jump before any scan. */
export type PreScanGate = "not_leader" | "systematic_jump";
/** Besides the gates: no answer before the scan timeout, no shard holding the pair, sizing below min notional. */
export type DecisionOutcome = "entered" | PreScanGate | GateName | "scan_timeout" | "not_scanned" | "min_notional";

export interface DecisionRecord {
  /** When the decision was taken. */
  readonly tsNs: bigint;
  readonly requestId: number;
  readonly leader: string;
  /** "" for a jump refused before choosing laggers (`not_leader`). */
  readonly lagger: string;
  readonly jumpTsNs: bigint;
  readonly jumpBps: number;
  readonly tauStarS: number;
  readonly rhoStar: number;
  readonly lls: number;
  readonly passingScans: number;
  readonly strength: number;
  readonly expectedMoveBps: number;
  readonly expectedMoveSource: ExpectedMoveSource | "";
  readonly outcome: DecisionOutcome;
  /** The refusing gate's reason with its numbers; "" when entered. */
  readonly reason: string;
  readonly side: Side | "";
  readonly size: number;
  readonly notionalUsd: number;
  readonly intentId: string;
}

/** What a decision fills in beyond its identity; the rest defaults to "not computed" (NaN, 0, ""). */
export type DecisionFields = Partial<DecisionRecord> & Pick<DecisionRecord, "outcome" | "reason">;

export function decisionRecord(
  tsNs: bigint,
  requestId: number,
  leader: string,
  lagger: string,
  jumpTsNs: bigint,
  jumpBps: number,
  fields: DecisionFields,
): DecisionRecord {
  return {
    tsNs,
    requestId,
    leader,
    lagger,
    jumpTsNs,
    jumpBps,
    tauStarS: NaN,
    rhoStar: NaN,
    lls: NaN,
    passingScans: 0,
    strength: 0,
    expectedMoveBps: NaN,
    expectedMoveSource: "",
    side: "",
    size: 0,
    notionalUsd: 0,
    intentId: "",
    ...fields,
  };
}

export interface ClosedPosition {
  readonly intentId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly closedBy: ClosedBy;
  readonly openedNs: bigint;
  readonly closedNs: bigint;
  /** Gross, quote units. */
  readonly realizedPnl: number;
  readonly estimatedFees: number;
}

export type StrategyAnomaly =
  | { readonly kind: "illegal_transition"; readonly intentId: string; readonly state: string; readonly trigger: string }
  | { readonly kind: "unknown_scan_answer"; readonly requestId: number; readonly shard: number }
  | { readonly kind: "unknown_intent"; readonly intentId: string };

/** A venue position this strategy found without an executor (after a restart) and now manages. */
export interface AdoptedPosition {
  readonly intentId: string;
  readonly symbol: string;
  readonly qty: number;
  readonly avgPrice: number;
  readonly slBps: number | null;
  readonly tpBps: number | null;
}

export interface StrategyPort {
  /**
   * `scanOpenedNs`: when the decision's scan was opened (the jump's arrival), none for a jump stopped before any scan.
   */
  decision(record: DecisionRecord, scanOpenedNs: bigint | undefined): void;
  positionClosed(position: ClosedPosition): void;
  positionAdopted(position: AdoptedPosition): void;
  anomaly(anomaly: StrategyAnomaly): void;
}
