import type { Side } from "../../protocol/orders.js";
import type { JumpDetected, PairScan } from "../../protocol/signals.js";
import type { LeadLagStrategyParams } from "../../config/schema/index.js";
import { pairKey, type ArtifactPair, type ArtifactSet } from "./artifacts.js";
import { atrBracketBps } from "./atr.js";
import { aggregateScans, expectedMove } from "./decision.js";
import type { Brackets } from "./executor.js";
import { firstRefusal, type GateContext } from "./gates.js";
import type { MarketView, TopOfBook } from "./market-view.js";
import type { Portfolio } from "./portfolio.js";
import type { DecisionRecord } from "./records.js";
import type { RlsExpectedMove } from "./rls.js";
import { sizeEntry } from "./sizing.js";
import { volatilityRatio } from "./volatility.js";
import type { UniverseInstrument } from "../../model/universe.js";

/** What one lagger's entry decision reads. */
export interface EntryEnv {
  readonly params: LeadLagStrategyParams;
  readonly market: MarketView;
  readonly portfolio: Portfolio;
  readonly artifacts: ArtifactSet;
  readonly rls: RlsExpectedMove;
  readonly staleBookNs: bigint;
}

/** The decision-record fields an evaluation fills in (the core adds time, ids and symbols). */
export type ScoredFields = Pick<
  DecisionRecord,
  | "tauStarS"
  | "rhoStar"
  | "lls"
  | "passingScans"
  | "strength"
  | "expectedMoveBps"
  | "expectedMoveSource"
  | "outcome"
  | "reason"
>;

export type EntryDecision =
  | { readonly kind: "refused"; readonly fields: ScoredFields }
  | {
      readonly kind: "enter";
      readonly fields: ScoredFields;
      readonly side: Side;
      readonly size: number;
      readonly notionalUsd: number;
      readonly brackets: Brackets;
      readonly book: TopOfBook;
    };

/** Aggregation → expected move → gates in order → sizing, for one (leader jump, lagger). */
export function decideEntry(
  env: EntryEnv,
  jump: JumpDetected,
  lagger: UniverseInstrument,
  pair: ArtifactPair,
  scans: readonly PairScan[],
  nowNs: bigint,
): EntryDecision {
  const p = env.params;
  const aggregate = aggregateScans(scans, jump.jumpBps, env.artifacts.featureWeights, pair.weight, {
    simpleMode: p.simple_mode,
    scoringMode: p.scoring_mode,
    correlationThreshold: p.correlation_threshold,
  });
  const baseline = env.artifacts.baselines.get(pairKey(jump.instrument, lagger.id)) ?? null;
  // The offline volatilities of the pair's baseline when there are some, else the live ones from trades.
  const volRatio =
    baseline !== null
      ? baseline.laggerVol / baseline.leaderVol
      : volatilityRatio(env.market.volatility(lagger.id), env.market.volatility(jump.instrument));
  const move = expectedMove(
    jump.jumpBps,
    aggregate.dominant?.rhoStar ?? 0,
    aggregate.direction,
    p.expmove_enabled ? env.rls : null,
    baseline,
    volRatio,
    {
      capBps: p.expmove_cap_bps,
      blendK: p.expmove_blend_k,
    },
  );
  const favourableMoveBps = move.bps * aggregate.direction;
  const book = env.market.book(lagger.id);
  const untrackedQty = env.portfolio.untrackedQty(lagger.id, lagger.symbol);
  const untrackedNotionalUsd = Math.abs(untrackedQty) * (book?.mid ?? 0);
  const context: GateContext = {
    nowNs,
    passingScans: aggregate.passingScans,
    strength: aggregate.strength,
    laggerActive: env.portfolio.hasLiveExecutor(lagger.id) || untrackedNotionalUsd >= lagger.minNotional,
    lastEntryNs: env.portfolio.lastEntryNs(lagger.id),
    openExecutors: env.portfolio.openCount,
    usedNotionalUsd: env.portfolio.usedNotionalUsd(),
    laggerMinNotional: lagger.minNotional,
    untrackedQty,
    untrackedNotionalUsd,
    bookValid: book === undefined ? null : book.valid,
    bookAgeNs: book === undefined ? 0n : nowNs - book.recvNs,
    staleBookNs: env.staleBookNs,
    atrReady: env.market.atr(lagger.id).ready,
    favourableMoveBps,
  };
  const scored = {
    tauStarS: aggregate.dominant?.tauStarS ?? NaN,
    rhoStar: aggregate.dominant?.rhoStar ?? NaN,
    lls: aggregate.dominant?.lls ?? NaN,
    passingScans: aggregate.passingScans,
    strength: aggregate.strength,
    expectedMoveBps: move.bps,
    expectedMoveSource: move.source,
  };
  const refusal = firstRefusal(context, p);
  // A missing book is refused by the book gate; the second test only narrows the type.
  if (refusal !== null || book === undefined) {
    return {
      kind: "refused",
      fields: {
        ...scored,
        outcome: refusal?.gate ?? "book_stale_or_invalid",
        reason: refusal?.reason ?? "no lagger book yet",
      },
    };
  }
  const sizing = sizeEntry(aggregate.strength, book.mid, context.usedNotionalUsd, lagger, p);
  if (!sizing.ok) return { kind: "refused", fields: { ...scored, outcome: "min_notional", reason: sizing.reason } };
  return {
    kind: "enter",
    fields: { ...scored, outcome: "entered", reason: "" },
    side: aggregate.direction > 0 ? "buy" : "sell",
    size: sizing.size,
    notionalUsd: sizing.notionalUsd,
    brackets: bracketsFor(env, lagger.id, book.mid, Math.max(0, favourableMoveBps)),
    book,
  };
}

/**
 * Bracket distances in bps, fixed at entry: from the lagger's ATR when enabled and ready (per side, with
 * `atr_enable_sl/tp`), else static `stop_loss_bps` (0 = none) and `take_profit_bps` (null = the expected move).
 */
export function bracketsFor(env: EntryEnv, lagger: number, mid: number, favourableMoveBps: number): Brackets {
  const p = env.params;
  const atr = env.market.atr(lagger);
  const useAtr = p.atr_enabled && atr.ready;
  const staticSl = p.stop_loss_bps > 0 ? p.stop_loss_bps : null;
  const staticTp =
    p.take_profit_bps === null
      ? favourableMoveBps > 0
        ? favourableMoveBps
        : null
      : p.take_profit_bps > 0
        ? p.take_profit_bps
        : null;
  return {
    slBps:
      useAtr && p.atr_enable_sl ? atrBracketBps(p.atr_sl_mult, atr.atr, mid, p.atr_floor_bps, p.atr_cap_bps) : staticSl,
    tpBps:
      useAtr && p.atr_enable_tp ? atrBracketBps(p.atr_tp_mult, atr.atr, mid, p.atr_floor_bps, p.atr_cap_bps) : staticTp,
  };
}
