import type { Feature, PairScan } from "../../protocol/signals.js";
import type { PairBaseline } from "./artifacts.js";
import { blendExpectedMove, type RlsExpectedMove } from "./rls.js";

/**
 * Decision aggregation (docs/strategy.md): the per-feature scans of one (leader, lagger) become one signed
 * strength, and the expected lagger move in bps. Positive = the lagger is expected to rise (buy it).
 */

export interface AggregationParams {
  /** `simple_mode`: only the top-ranked feature counts. */
  readonly simpleMode: boolean;
  readonly scoringMode: "sum" | "max";
  /** `correlation_threshold`: a feature's score is |rho*| in multiples of it. */
  readonly correlationThreshold: number;
}

export interface Aggregate {
  /** Signed: sign(jumpBps)·sign(rho*) per feature, weighted, summed or the largest. 0 when nothing passes. */
  readonly strength: number;
  readonly direction: 1 | -1 | 0;
  /** The passing scan with the largest |score|: its tau*, rho* and LLS drive the expected move and the record. */
  readonly dominant: PairScan | null;
  readonly passingScans: number;
}

/**
 * score_f = weight_f × (|rho*_f| / correlation_threshold) × sign(jumpBps) × sign(rho*_f), passing scans only,
 * so one passing feature of weight 1 scores at least 1 (the default `entry_threshold`). The pair weight of
 * `top_pairs.json` multiplies the result.
 */
export function aggregateScans(
  scans: readonly PairScan[],
  jumpBps: number,
  featureWeights: ReadonlyMap<Feature, number>,
  pairWeight: number,
  params: AggregationParams,
): Aggregate {
  const topFeature = featureWeights.keys().next().value;
  const unit = params.correlationThreshold > 0 ? params.correlationThreshold : 1;
  let total = 0;
  let dominant: PairScan | null = null;
  let dominantScore = 0;
  let passingScans = 0;
  for (const scan of scans) {
    if (!scan.passes) continue;
    if (params.simpleMode && scan.feature !== topFeature) continue;
    const weight = featureWeights.get(scan.feature) ?? 0;
    const score = weight * (Math.abs(scan.rhoStar) / unit) * Math.sign(jumpBps) * Math.sign(scan.rhoStar);
    passingScans++;
    total += score;
    if (dominant === null || Math.abs(score) > Math.abs(dominantScore)) {
      dominant = scan;
      dominantScore = score;
    }
  }
  const strength = pairWeight * (params.scoringMode === "sum" ? total : dominantScore);
  return { strength, direction: strength > 0 ? 1 : strength < 0 ? -1 : 0, dominant, passingScans };
}

export interface ExpectedMoveParams {
  /** `expmove_cap_bps` */
  readonly capBps: number;
  /** `expmove_blend_k` */
  readonly blendK: number;
}

export type ExpectedMoveSource = "rls" | "baseline" | "blend" | "volatility_ratio";

export interface ExpectedMove {
  /** Signed lagger move in bps. */
  readonly bps: number;
  readonly source: ExpectedMoveSource;
}

/**
 * The expected lagger move, signed. The RLS learns the move with the sign of rho* folded in (signal-math §5.1),
 * so its prediction is turned back by sign(rho*). The baseline move is a magnitude, signed by the direction.
 * With both: blended and capped (`blendExpectedMove`); with neither: |rho*|·|jumpBps|·(lagger vol / leader vol),
 * in the direction, capped; the caller picks the volatilities (the pair's baseline ones, else live estimates).
 */
export function expectedMove(
  jumpBps: number,
  rhoStar: number,
  direction: 1 | -1 | 0,
  rls: RlsExpectedMove | null,
  baseline: PairBaseline | null,
  volatilityRatio: number,
  params: ExpectedMoveParams,
): ExpectedMove {
  const absRho = Math.abs(rhoStar);
  const rlsBps = rls !== null && rls.ready ? rls.predict(jumpBps, absRho) * Math.sign(rhoStar) : null;
  const baselineBps = baseline?.expectedMoveBps == null ? null : direction * baseline.expectedMoveBps;
  const blended = blendExpectedMove(rlsBps, baselineBps, params);
  if (blended !== null) {
    const source = rlsBps !== null && baselineBps !== null ? "blend" : rlsBps !== null ? "rls" : "baseline";
    return { bps: blended, source };
  }
  const raw = direction * absRho * Math.abs(jumpBps) * volatilityRatio;
  return { bps: Math.min(params.capBps, Math.max(-params.capBps, raw)), source: "volatility_ratio" };
}
