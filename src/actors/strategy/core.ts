import type { Book, Trade } from "../../protocol/market-data.js";
import type {
  OrderDenied,
  OrderStatusChanged,
  PositionChanged,
  ProposeOrder,
  RequestCancel,
} from "../../protocol/orders.js";
import type { JumpDetected, PairScan, PairsScanned } from "../../protocol/signals.js";
import type { LeadLagStrategyParams } from "../../config/schema/index.js";
import { pairKey, type ArtifactPair, type ArtifactSet } from "./artifacts.js";
import { bracketsFor, decideEntry, type EntryDecision, type EntryEnv } from "./entry.js";
import { PositionExecutor, type ExitReason, type TransitionResult } from "./executor.js";
import { ExpectedMoveLabels } from "./labels.js";
import { MarketView } from "./market-view.js";
import type { AtrReading } from "./atr.js";
import { Portfolio } from "./portfolio.js";
import { decisionRecord, type DecisionFields, type StrategyPort } from "./records.js";
import { RlsExpectedMove } from "./rls.js";
import { JumpScans, type JumpScan } from "./jump-scans.js";
import { entryTerms, exitTerms, proposeOrder } from "./sizing.js";
import { roundToNearestLot } from "../../model/rounding.js";
import type { UniverseInstrument } from "../../model/universe.js";
import { secondsToNs, NS_PER_MS, NS_PER_S } from "../../model/time.js";

/** A venue quantity under this is flat (float residue of whole lots). */
const FLAT_QTY = 1e-12;

/**
 * The lead-lag strategy core (docs/strategy.md): leader jump + the scans the estimator shards push for it → per
 * lagger aggregation, expected move, gates, sizing → entry order and a position executor → exits. Pure:
 * time is an argument, orders are returned, records go through the port.
 */

export interface StrategyCoreConfig {
  /** The strategy's name (`strategies[].name`), carried by every order. */
  readonly name: string;
  readonly params: LeadLagStrategyParams;
  /** The configured symbols, resolved by the instrument registry. */
  readonly instruments: readonly UniverseInstrument[];
  readonly artifacts: ArtifactSet;
  /** A lagger book older than this (receipt time) stops entries; `risk.global.reject_on_stale_data_ms`. */
  readonly staleBookNs?: bigint;
  /** Decide on the results received this long after the jump, without the missing shards. */
  readonly scanTimeoutNs?: bigint;
  /** Pause before re-sending an exit that was denied or left a remainder. */
  readonly exitRetryNs?: bigint;
}

export const STRATEGY_DEFAULTS = {
  staleBookNs: 500n * NS_PER_MS,
  scanTimeoutNs: 200n * NS_PER_MS,
  exitRetryNs: NS_PER_S,
} as const;

export class StrategyCore {
  readonly rls: RlsExpectedMove;
  private readonly p: LeadLagStrategyParams;
  private readonly instruments = new Map<number, UniverseInstrument>();
  /** The same instruments by configured spelling: positions arrive by symbol. */
  private readonly bySymbol = new Map<string, UniverseInstrument>();
  private readonly market: MarketView;
  private readonly portfolio = new Portfolio();
  /** Adopted executors whose brackets were set before the lagger's ATR was ready: re-set once it is. */
  private readonly awaitingAtr = new Set<PositionExecutor>();
  private readonly scans: JumpScans;
  private readonly labels: ExpectedMoveLabels;
  private readonly staleBookNs: bigint;
  private readonly exitRetryNs: bigint;
  private artifacts!: ArtifactSet;
  private pairs = new Map<string, ArtifactPair>();
  private laggersOf = new Map<number, number[]>();
  private intentSeq = 0;
  /** The last jump's scan decided, for rehearsals. */
  private lastDecided: JumpScan | undefined;

  constructor(
    private readonly config: StrategyCoreConfig,
    private readonly port: StrategyPort,
  ) {
    this.p = config.params;
    for (const instrument of config.instruments) {
      this.instruments.set(instrument.id, instrument);
      this.bySymbol.set(instrument.symbol, instrument);
    }
    this.market = new MarketView(
      [...this.instruments.keys()],
      this.p.atr_bar_seconds,
      this.p.atr_period,
      this.p.inference_lookback_seconds,
    );
    this.scans = new JumpScans(config.scanTimeoutNs ?? STRATEGY_DEFAULTS.scanTimeoutNs);
    this.staleBookNs = config.staleBookNs ?? STRATEGY_DEFAULTS.staleBookNs;
    this.exitRetryNs = config.exitRetryNs ?? STRATEGY_DEFAULTS.exitRetryNs;
    this.rls = new RlsExpectedMove({
      expmoveLambda: this.p.expmove_lambda,
      expmoveRidge: this.p.expmove_ridge,
      expmoveMinSamples: this.p.expmove_min_samples,
    });
    this.labels = new ExpectedMoveLabels(this.rls);
    this.setArtifacts(config.artifacts);
  }

  /** Swaps in a (re)loaded artifact set; executors and scans in flight are unaffected. */
  setArtifacts(artifacts: ArtifactSet): void {
    this.artifacts = artifacts;
    this.pairs = new Map(artifacts.pairs.map((pair) => [pairKey(pair.leader, pair.lagger), pair]));
    this.laggersOf = new Map();
    for (const pair of artifacts.pairs)
      this.laggersOf.set(pair.leader, [...(this.laggersOf.get(pair.leader) ?? []), pair.lagger]);
  }

  // ─── market data ────────────────────────────────────────────────────────────────────────────────

  /** Keeps the book and checks the brackets of executors on that symbol: exits to send. */
  onBook(book: Book, nowNs: bigint): ProposeOrder[] {
    const top = this.market.onBook(book);
    if (top === null || !top.valid) return [];
    const exits: ProposeOrder[] = [];
    for (const executor of this.portfolio.liveExecutors()) {
      if (this.portfolio.lagger(executor) !== book.instrument) continue;
      if (this.awaitingAtr.has(executor) && this.market.atr(book.instrument).ready) {
        this.awaitingAtr.delete(executor);
        executor.rebracket(bracketsFor(this.entryEnv(), book.instrument, top.mid, 0));
      }
      const reason = executor.checkBrackets(top.mid, nowNs);
      if (reason !== null) this.exit(executor, reason, nowNs, exits);
    }
    return exits;
  }

  onTrade(trade: Trade): void {
    this.market.onTrade(trade);
  }

  // ─── signals ────────────────────────────────────────────────────────────────────────────────────

  /**
   * A leader's non-systematic jump opens its scan: decided at once when every shard's pushed results are
   * already here, else when the last of them arrives (`onPairsScanned`) or at the scan timeout. Anything else
   * is recorded and stops here.
   */
  onJump(jump: JumpDetected, nowNs: bigint): ProposeOrder[] {
    const leader = this.instruments.get(jump.instrument);
    const laggers = this.laggersOf.get(jump.instrument);
    if (leader === undefined || laggers === undefined) {
      this.record(nowNs, null, jump, null, {
        outcome: "not_leader",
        reason: `${leader?.symbol ?? jump.instrument} leads no configured pair`,
      });
      return [];
    }
    if (jump.systematic) {
      for (const lagger of laggers) {
        this.record(nowNs, null, jump, lagger, {
          outcome: "systematic_jump",
          reason: `${jump.coJumpCount} other symbols jumped within co_jump_window_s`,
        });
      }
      return [];
    }
    const { scan, complete } = this.scans.open(jump, nowNs);
    return complete ? this.decideAll(scan, nowNs, false) : [];
  }

  /** Collects one shard's pushed results; once every shard's are in, decides each lagger. */
  onPairsScanned(pushed: PairsScanned, nowNs: bigint): ProposeOrder[] {
    const complete = this.scans.onResults(pushed, nowNs);
    return complete === null ? [] : this.decideAll(complete, nowNs, false);
  }

  // ─── orders ─────────────────────────────────────────────────────────────────────────────────────

  /** Feeds the owning executor; a resting (GTC) entry that starts filling has its remainder cancelled. */
  onOrderStatus(status: OrderStatusChanged, nowNs: bigint): RequestCancel | null {
    const executor = this.portfolio.byIntentId(status.intentId);
    if (executor === undefined) {
      if (status.strategy === this.config.name)
        this.port.anomaly({ kind: "unknown_intent", intentId: status.intentId });
      return null;
    }
    const result = executor.onOrderStatus(status);
    this.afterTransition(executor, result, nowNs);
    const openedByThis = result !== null && result.ok && result.to === "open" && result.from === "entry_pending";
    return openedByThis && status.status === "partially_filled" && this.entryRests()
      ? {
          type: "RequestCancel",
          strategy: this.config.name,
          clId: status.clId,
          reason: "entry remainder: the position is managed with what filled",
          tsNs: nowNs,
        }
      : null;
  }

  onOrderDenied(denied: OrderDenied, nowNs: bigint): void {
    const executor = this.portfolio.byIntentId(denied.intentId);
    if (executor !== undefined) this.afterTransition(executor, executor.onDenied(denied.intentId, nowNs), nowNs);
  }

  /**
   * Keeps the venue position; one that no executor holds (left by a restart of this strategy, which asks
   * the order manager for its positions when it starts) is adopted: it gets brackets and a time limit like
   * an entry. Never while an executor of the symbol is live: its fills may be in flight. A position gone flat
   * under an open executor (risk flattened it) closes that executor.
   */
  onPosition(position: PositionChanged, nowNs: bigint): void {
    this.portfolio.onPosition(position);
    const instrument = this.bySymbol.get(position.symbol);
    if (instrument === undefined) return;
    if (Math.abs(position.qty) < FLAT_QTY) {
      for (const executor of [...this.portfolio.liveExecutors()]) {
        if (this.portfolio.lagger(executor) === instrument.id)
          this.afterTransition(executor, executor.onPositionGone(), nowNs);
      }
    }
    if (this.portfolio.hasLiveExecutor(instrument.id)) return;
    const qty = this.portfolio.untrackedQty(instrument.id, instrument.symbol);
    if (Math.abs(qty) * position.avgPrice < instrument.minNotional || !(position.avgPrice > 0)) return;
    this.adopt(instrument, qty, position.avgPrice, nowNs);
  }

  private adopt(lagger: UniverseInstrument, qty: number, avgPrice: number, nowNs: bigint): void {
    const p = this.p;
    const laggerId = lagger.id;
    const intentId = `${this.config.name}-adopted-${nowNs}-${++this.intentSeq}`;
    const brackets = bracketsFor(this.entryEnv(), laggerId, this.market.book(laggerId)?.mid ?? avgPrice, 0);
    const executor = new PositionExecutor({
      intentId,
      side: qty > 0 ? "buy" : "sell",
      brackets,
      timeLimitNs: secondsToNs(p.time_limit_seconds),
      exitRetryNs: this.exitRetryNs,
      takerFeeBps: p.taker_fee_bps,
    });
    executor.adopt(Math.abs(qty), avgPrice, nowNs);
    this.portfolio.add(executor, laggerId, Math.abs(qty) * avgPrice, nowNs);
    if (p.atr_enabled && !this.market.atr(laggerId).ready) this.awaitingAtr.add(executor);
    this.port.positionAdopted({
      intentId,
      symbol: lagger.symbol,
      qty,
      avgPrice,
      slBps: brackets.slBps,
      tpBps: brackets.tpBps,
    });
  }

  // ─── time ───────────────────────────────────────────────────────────────────────────────────────

  /** Time limits, scans past their timeout (decided on what arrived), and RLS labels that are due. */
  onTimer(nowNs: bigint): ProposeOrder[] {
    const orders: ProposeOrder[] = [];
    for (const executor of this.portfolio.liveExecutors()) {
      const reason = executor.checkTimeLimit(nowNs);
      if (reason !== null) this.exit(executor, reason, nowNs, orders);
    }
    for (const scan of this.scans.expire(nowNs)) orders.push(...this.decideAll(scan, nowNs, true));
    this.labels.realise(nowNs, this.market);
    return orders;
  }

  /**
   * The last decision again on the current state, with nothing kept (`ActorInstance.decide`): for each
   * lagger of the last scan decided, aggregation, expected move, gates, sizing and the entry order.
   * Returns how many laggers it decided.
   */
  rehearse(nowNs: bigint): number {
    const scan = this.lastDecided;
    if (scan === undefined) return 0;
    let decided = 0;
    for (const laggerId of this.laggersOf.get(scan.jump.instrument) ?? []) {
      const scans = scan.byLagger.get(laggerId);
      const evaluated = scans && this.evaluate(scan.jump, laggerId, scans, nowNs);
      if (evaluated === undefined) continue;
      decided++;
      if (evaluated.decision.kind === "enter")
        this.entryOrder("rehearsal", evaluated.lagger, evaluated.decision, nowNs);
    }
    return decided;
  }

  // ─── queries (metrics) ──────────────────────────────────────────────────────────────────────────

  /** The instrument's ATR as of its latest book (what the brackets use). */
  atr(instrument: number): AtrReading {
    return this.market.atr(instrument);
  }

  get openPositions(): number {
    return this.portfolio.openCount;
  }

  /** Live executors per state (closed and failed ones are retired at once). */
  executorStates(): Record<"entry_pending" | "open" | "exit_pending", number> {
    const counts = { entry_pending: 0, open: 0, exit_pending: 0 };
    for (const e of this.portfolio.liveExecutors()) if (e.state in counts) counts[e.state as keyof typeof counts]++;
    return counts;
  }

  get scansInFlight(): number {
    return this.scans.size;
  }

  /** Σ over open executors of the filled quantity marked to the lagger mid, quote units. */
  unrealizedPnl(): number {
    let pnl = 0;
    for (const e of this.portfolio.liveExecutors()) {
      const mid = this.market.book(this.portfolio.lagger(e))?.mid;
      if (mid !== undefined && e.openQty > 0) pnl += e.sign * e.openQty * (mid - e.entryPrice);
    }
    return pnl;
  }

  // ─── decisions ──────────────────────────────────────────────────────────────────────────────────

  private decideAll(scan: JumpScan, nowNs: bigint, timedOut: boolean): ProposeOrder[] {
    this.lastDecided = scan;
    const orders: ProposeOrder[] = [];
    for (const lagger of this.laggersOf.get(scan.jump.instrument) ?? []) {
      const scans = scan.byLagger.get(lagger);
      const unscanned = unscannedOutcome(scans, scan.shardsAnswered.size, timedOut);
      if (unscanned !== null) {
        this.record(nowNs, scan, scan.jump, lagger, unscanned);
        continue;
      }
      const order = this.decide(scan, lagger, scans!, nowNs);
      if (order !== null) orders.push(order);
    }
    return orders;
  }

  private decide(request: JumpScan, laggerId: number, scans: readonly PairScan[], nowNs: bigint): ProposeOrder | null {
    const { jump } = request;
    const evaluated = this.evaluate(jump, laggerId, scans, nowNs);
    if (evaluated === undefined) return null; // laggers come from the same artifact set as the pairs
    const { lagger, decision } = evaluated;
    if (decision.kind === "refused") {
      this.record(nowNs, request, jump, laggerId, decision.fields);
      return null;
    }
    const p = this.p;
    const { side, size, notionalUsd, book } = decision;
    // The decision time makes intents unique across restarts, the sequence within one instant.
    const intentId = `${this.config.name}-${nowNs}-${++this.intentSeq}`;
    const executor = new PositionExecutor({
      intentId,
      side,
      brackets: decision.brackets,
      timeLimitNs: secondsToNs(p.time_limit_seconds),
      exitRetryNs: this.exitRetryNs,
      takerFeeBps: p.taker_fee_bps,
    });
    this.portfolio.add(executor, laggerId, notionalUsd, nowNs);
    if (p.expmove_enabled)
      this.labels.schedule(nowNs, decision.fields.tauStarS, laggerId, book.mid, jump.jumpBps, decision.fields.rhoStar);
    this.record(nowNs, request, jump, laggerId, { ...decision.fields, side, size, notionalUsd, intentId });
    return this.entryOrder(intentId, lagger, decision, nowNs);
  }

  /** One lagger's entry decision on its scans (pure): what `decide` acts on and `rehearse` throws away. */
  private evaluate(
    jump: JumpDetected,
    laggerId: number,
    scans: readonly PairScan[],
    nowNs: bigint,
  ): { lagger: UniverseInstrument; decision: EntryDecision } | undefined {
    const lagger = this.instruments.get(laggerId);
    const pair = this.pairs.get(pairKey(jump.instrument, laggerId));
    return lagger && pair && { lagger, decision: decideEntry(this.entryEnv(), jump, lagger, pair, scans, nowNs) };
  }

  private entryOrder(
    intentId: string,
    lagger: UniverseInstrument,
    decision: Extract<EntryDecision, { kind: "enter" }>,
    nowNs: bigint,
  ): ProposeOrder {
    const terms = entryTerms(decision.side, decision.book.bestBid, decision.book.bestAsk, this.p);
    return proposeOrder(
      this.config.name,
      intentId,
      lagger,
      this.p.market_type,
      decision.side,
      decision.size,
      terms,
      "entry",
      nowNs,
    );
  }

  private entryEnv(): EntryEnv {
    const { p: params, market, portfolio, artifacts, rls, staleBookNs } = this;
    return { params, market, portfolio, artifacts, rls, staleBookNs };
  }

  // ─── executors ──────────────────────────────────────────────────────────────────────────────────

  private exit(executor: PositionExecutor, reason: ExitReason, nowNs: bigint, out: ProposeOrder[]): void {
    const laggerId = this.portfolio.lagger(executor);
    const book = this.market.book(laggerId);
    if (book === undefined || !book.valid) return; // no protection price without a book: the next book retries
    const intentId = `${executor.plan.intentId}-x${++this.intentSeq}`;
    const request = executor.beginExit(reason, intentId);
    if ("ok" in request) {
      this.afterTransition(executor, request, nowNs);
      return;
    }
    this.portfolio.alias(intentId, executor);
    const role = reason === "time_limit" ? "exit" : reason;
    const terms = exitTerms(request.side, book.bestBid, book.bestAsk, this.p);
    const lagger = this.instruments.get(laggerId)!;
    const size = roundToNearestLot(request.size, lagger.lotSize);
    out.push(
      proposeOrder(this.config.name, intentId, lagger, this.p.market_type, request.side, size, terms, role, nowNs),
    );
  }

  private afterTransition(executor: PositionExecutor, result: TransitionResult | null, nowNs: bigint): void {
    if (result === null) return;
    if (!result.ok) {
      this.port.anomaly({
        kind: "illegal_transition",
        intentId: executor.plan.intentId,
        state: result.state,
        trigger: result.trigger,
      });
      return;
    }
    if (result.to === "failed") this.portfolio.retire(executor);
    if (result.to !== "closed") return;
    const lagger = this.instruments.get(this.portfolio.lagger(executor))!;
    this.port.positionClosed(executor.summary(lagger.symbol, nowNs));
    this.portfolio.retire(executor);
    this.awaitingAtr.delete(executor);
  }

  private entryRests(): boolean {
    return this.p.entry_order_type === "limit" && this.p.entry_time_in_force === "gtc";
  }

  /** `request` null: stopped before any scan (request id 0 in the record). */
  private record(
    nowNs: bigint,
    request: JumpScan | null,
    jump: JumpDetected,
    lagger: number | null,
    fields: DecisionFields,
  ): void {
    const symbolOf = (id: number) => this.instruments.get(id)?.symbol ?? String(id);
    const leader = symbolOf(jump.instrument);
    this.port.decision(
      decisionRecord(
        nowNs,
        request?.requestId ?? 0,
        leader,
        lagger === null ? "" : symbolOf(lagger),
        jump.tsNs,
        jump.jumpBps,
        fields,
      ),
      request?.sentNs,
    );
  }
}

/**
 * Why a lagger cannot be decided on its scans, or null when it can: no shard's results held it (none
 * before the timeout, or none holds the pair), or its shard had not finished its history replay.
 */
function unscannedOutcome(
  scans: readonly PairScan[] | undefined,
  shardsAnswered: number,
  timedOut: boolean,
): DecisionFields | null {
  if (scans === undefined) {
    return timedOut
      ? { outcome: "scan_timeout", reason: `${shardsAnswered} shard(s) answered before the scan timeout` }
      : { outcome: "not_scanned", reason: "every shard answered, none holds this pair" };
  }
  if (scans.every((s) => s.status === "not_warm"))
    return { outcome: "not_warm", reason: "the estimator shard holding this pair had not finished its history replay" };
  return null;
}
