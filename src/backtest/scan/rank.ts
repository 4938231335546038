/**
 * From HY curves to the artifact files' contents (docs/artifacts.md, "How `leadlag scan` computes them"): each
 * ordered pair and feature scanned over the whole scan span as one window (signal-math §2.5–2.7), pairs that pass
 * the config's gates with at least one feature ranked by their best |rho*| then LLS, features weighted by their
 * mean |rho*| over the ranked pairs.
 */
import type { HyParams, LagGrid } from "../../actors/estimator/params.js";
import { scanHy, type HyResult } from "../../actors/estimator/scan.js";
import { realizedVariance } from "../../actors/estimator/batch.js";
import type { Feature } from "../../protocol/signals.js";
import type { SharedSeries } from "./history.js";
import { optimumAtEdge } from "./lag-grid.js";

export interface PairFeatureResult {
  readonly leader: string;
  readonly lagger: string;
  readonly feature: Feature;
  readonly result: HyResult;
  /** tau* is the grid's first or last lag. */
  readonly edge: boolean;
}

export interface RankedPair {
  readonly leader: string;
  readonly lagger: string;
  /** The passing feature with the largest |rho*|. */
  readonly best: PairFeatureResult;
}

function nonZeroIncrements(series: SharedSeries): number {
  let count = 0;
  for (let i = 1; i < series.values.length; i++) if (series.values[i] !== series.values[i - 1]) count++;
  return count;
}

/** The HY scan of one ordered pair and feature from its curve. */
export function pairFeatureResult(
  names: { leader: string; lagger: string; feature: Feature },
  leader: SharedSeries,
  lagger: SharedSeries,
  curve: Float64Array,
  grid: LagGrid,
  params: HyParams,
): PairFeatureResult {
  const inputs = {
    nLeader: leader.times.length,
    nLagger: lagger.times.length,
    nonZeroLeader: nonZeroIncrements(leader),
    nonZeroLagger: nonZeroIncrements(lagger),
    rvLeader: realizedVariance(leader),
    rvLagger: realizedVariance(lagger),
  };
  const result = scanHy(curve, grid, inputs, params);
  return { ...names, result, edge: optimumAtEdge(result, grid, curve) };
}

/** Pairs with at least one passing feature, by best |rho*| (descending), then LLS, then names. */
export function rankPairs(results: readonly PairFeatureResult[]): RankedPair[] {
  const best = new Map<string, PairFeatureResult>();
  for (const r of results) {
    if (!r.result.passes) continue;
    const key = `${r.leader}\t${r.lagger}`;
    const incumbent = best.get(key);
    if (incumbent === undefined || Math.abs(r.result.rhoStar) > Math.abs(incumbent.result.rhoStar)) best.set(key, r);
  }
  return [...best.values()]
    .sort(
      (a, b) =>
        Math.abs(b.result.rhoStar) - Math.abs(a.result.rhoStar) ||
        b.result.lls - a.result.lls ||
        (a.leader + a.lagger < b.leader + b.lagger ? -1 : 1),
    )
    .map((r) => ({ leader: r.leader, lagger: r.lagger, best: r }));
}

/** Each configured feature's mean |rho*| over the ranked pairs (0 when it never passes), highest first. */
export function featureWeights(
  results: readonly PairFeatureResult[],
  ranked: readonly RankedPair[],
  features: readonly Feature[],
): { feature: Feature; weight: number }[] {
  const keys = new Set(ranked.map((p) => `${p.leader}\t${p.lagger}`));
  return features
    .map((feature) => {
      const rhos = results
        .filter((r) => r.feature === feature && keys.has(`${r.leader}\t${r.lagger}`) && r.result.passes)
        .map((r) => Math.abs(r.result.rhoStar));
      const weight = rhos.length === 0 ? 0 : rhos.reduce((a, b) => a + b, 0) / ranked.length;
      return { feature, weight: Number(weight.toFixed(6)) };
    })
    .sort((a, b) => b.weight - a.weight);
}
