import type { Book, Trade } from "../../protocol/market-data.js";
import type { Feature, PairScan, PairsScanned } from "../../protocol/signals.js";
import { OfiLevel } from "./features.js";
import { OnlineHyEstimator, SNAPSHOT_INPUT_FIELDS, snapshotInputs } from "./online.js";
import { secondsToNsNumber } from "../../model/time.js";
import type { HyParams } from "./params.js";
import { scanHy, type HyResult } from "./scan.js";

/**
 * The estimator shard core: the online HY state of the (leader, lagger, feature) triples this shard owns,
 * fed by trades and books, scanning a jump's pairs on the window that ends just before the jump tick
 * (signal-math §2.3). Pure and synchronous; time arrives with the messages.
 */

export interface ShardSymbol {
  readonly id: number;
  /** Configured spelling; the shard hash uses it, so assignment survives a registry renumbering. */
  readonly symbol: string;
}

export interface PairRef {
  readonly leader: number;
  readonly lagger: number;
}

export interface ShardCoreConfig {
  readonly shardIndex: number;
  readonly shardCount: number;
  readonly symbols: readonly ShardSymbol[];
  /** Every pair of the strategy (artifact pairs, or every ordered pair); the shard keeps the ones hashed to it. */
  readonly pairs: readonly PairRef[];
  readonly features: readonly Feature[];
  readonly hy: HyParams;
  /** Pre-tick snapshots kept per (pair, feature): how many leader ticks after a jump its scan stays exact. */
  readonly snapshotDepth?: number;
  /** Session base for relative ns (signal-math §1.1); defaults to the first tick seen. */
  readonly baseNs?: bigint;
  /** Seconds of ticks past a jump after which the live state can no longer answer it exactly. */
  readonly evaluationSlackS?: number;
}

export const DEFAULT_SNAPSHOT_DEPTH = 64;
/** How far past a jump the live state still holds that jump's whole window (`OnlineHyOptions.evaluationSlackS`). */
export const DEFAULT_EVALUATION_SLACK_S = 1;
const INPUT_COUNT = SNAPSHOT_INPUT_FIELDS.length;

/** 32-bit FNV-1a over the UTF-16 code units of `text` (symbols are ASCII, so it equals the byte version). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The pairs of `pairs` owned by shard `shardIndex` of `shardCount`. Pairs are ranked by the FNV-1a hash
 * of `leader|lagger` (symbol names, not ids) and dealt round-robin: stable across restarts and processes
 * for a given pair set and shard count, and balanced to within one pair (a plain `hash mod count` split
 * 42 pairs 24/18, which capped two shards at 1.5x one).
 */
export function pairsOfShard(
  pairs: readonly PairRef[],
  symbolOf: (id: number) => string,
  shardIndex: number,
  shardCount: number,
): PairRef[] {
  const ranked = pairs
    .map((pair) => ({ pair, key: `${symbolOf(pair.leader)}|${symbolOf(pair.lagger)}` }))
    .map((p) => ({ ...p, hash: fnv1a(p.key) }))
    .sort((a, b) => a.hash - b.hash || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return ranked.filter((_, rank) => rank % shardCount === shardIndex).map((r) => r.pair);
}

/**
 * One estimator plus a ring of snapshots of its window taken just before each new leader observation:
 * the state a scan of a jump at that tick needs, although the tick itself is applied at once.
 */
class PairFeatureState {
  readonly estimator: OnlineHyEstimator;
  private readonly lagCount: number;
  private readonly hy: Float64Array;
  private readonly inputs: Float64Array;
  private readonly times: Float64Array;
  private next = 0;
  private size = 0;
  /** Newest tick time fed to either series: how far eviction may have gone. */
  private newestTime = -Infinity;

  constructor(
    readonly pair: PairRef,
    readonly feature: Feature,
    hy: HyParams,
    private readonly depth: number,
    slackS: number,
  ) {
    this.estimator = new OnlineHyEstimator(hy, { evaluationSlackS: slackS });
    this.lagCount = this.estimator.grid.lagsNs.length;
    this.hy = new Float64Array(depth * this.lagCount);
    this.inputs = new Float64Array(depth * INPUT_COUNT);
    this.times = new Float64Array(depth);
  }

  onLeader(time: number, value: number): void {
    // A same-timestamp re-print keeps the snapshot taken before the first print at that time.
    if (time > this.estimator.lastLeaderTime) this.snapshotBefore(time);
    this.estimator.onLeaderRelative(time, value);
    if (time > this.newestTime) this.newestTime = time;
  }

  onLagger(time: number, value: number): void {
    this.estimator.onLaggerRelative(time, value);
    if (time > this.newestTime) this.newestTime = time;
  }

  /**
   * The scan of the window ending 1 ns before `jumpTime`, exact whenever possible:
   * 1. the snapshot taken just before a leader observation at exactly `jumpTime` (a jump on this feature's
   *    own stream): O(L);
   * 2. else the live state, when no leader observation at or after the jump has been applied (each one's
   *    snapshot evicts to its own window) and nothing fed is more than the evaluation slack past the jump:
   *    the window is then still whole, and later-stamped lagger intervals are taken out exactly;
   * 3. else the snapshot before the first leader observation after the jump, which ends just before that
   *    observation: the same leader data plus the lagger ticks in between (a book feature next to a
   *    trade-detected jump, answered late);
   * 4. else `expired`: that snapshot has rolled out of the ring.
   */
  scanBefore(jumpTime: number, slackNs: number): HyResult | "expired" {
    const slot = this.firstSnapshotAtOrAfter(jumpTime);
    if (slot >= 0 && this.times[slot] === jumpTime) return this.scanSnapshot(slot);
    const windowWhole = this.estimator.lastLeaderTime < jumpTime && this.newestTime <= jumpTime - 1 + slackNs;
    if (windowWhole) return this.estimator.evaluateRelative(jumpTime - 1);
    return slot >= 0 ? this.scanSnapshot(slot) : "expired";
  }

  /**
   * Ring slot of the first snapshot at or after `time`; −1 when none, or when the ring no longer reaches back to it.
   */
  private firstSnapshotAtOrAfter(time: number): number {
    const oldest = (this.next - this.size + this.depth) % this.depth;
    for (let n = 0; n < this.size; n++) {
      const slot = (oldest + n) % this.depth;
      if (this.times[slot] < time) continue;
      const rolledOut = n === 0 && this.size === this.depth && this.times[slot] > time;
      return rolledOut ? -1 : slot;
    }
    return -1;
  }

  /** The scan of the newest snapshot, for a rehearsal: reads only (a scan of the live state would evict). */
  scanNewestSnapshot(): HyResult | undefined {
    return this.size === 0 ? undefined : this.scanSnapshot((this.next - 1 + this.depth) % this.depth);
  }

  private scanSnapshot(slot: number): HyResult {
    const hy = this.hy.subarray(slot * this.lagCount, (slot + 1) * this.lagCount);
    return scanHy(hy, this.estimator.grid, snapshotInputs(this.inputs, slot * INPUT_COUNT), this.estimator.params);
  }

  private snapshotBefore(time: number): void {
    const slot = this.next;
    this.estimator.captureWindowRelative(time - 1, this.hy, slot * this.lagCount, this.inputs, slot * INPUT_COUNT);
    this.times[slot] = time;
    this.next = (slot + 1) % this.depth;
    if (this.size < this.depth) this.size++;
  }
}

/** Per-symbol fan-out lists of one feature. */
interface Routes {
  readonly asLeader: PairFeatureState[];
  readonly asLagger: PairFeatureState[];
}

export interface ShardCounters {
  trades: number;
  books: number;
  invalidBooks: number;
  unknownInstrument: number;
  /** Jumps scanned (`scanJump`). */
  scans: number;
  /** Jumps answered `not_warm` (`notWarm`). */
  notWarm: number;
  expired: number;
}

export class ShardCore {
  readonly pairs: readonly PairRef[];
  readonly counters: ShardCounters = {
    trades: 0,
    books: 0,
    invalidBooks: 0,
    unknownInstrument: 0,
    scans: 0,
    notWarm: 0,
    expired: 0,
  };
  private readonly routes = new Map<Feature, Map<number, Routes>>();
  /** Per configured symbol (so also the membership test for inbound ticks). */
  private readonly ofi = new Map<number, OfiLevel>();
  private readonly wants: Readonly<Record<Feature, boolean>>;
  private readonly slackNs: number;
  private baseNs: bigint | undefined;
  /** The instrument of the newest tick fed to a pair as its leader: what a rehearsal scans. */
  private lastLeader: number | undefined;

  constructor(private readonly config: ShardCoreConfig) {
    if (!(config.shardCount >= 1) || config.shardIndex < 0 || config.shardIndex >= config.shardCount) {
      throw new RangeError(`shard ${config.shardIndex} of ${config.shardCount} does not exist`);
    }
    const names = new Map(config.symbols.map((s) => [s.id, s.symbol]));
    const symbolOf = (id: number): string => {
      const name = names.get(id);
      if (name === undefined) throw new RangeError(`pair names instrument ${id}, which is not a configured symbol`);
      return name;
    };
    this.pairs = pairsOfShard(config.pairs, symbolOf, config.shardIndex, config.shardCount);
    this.baseNs = config.baseNs;
    const depth = config.snapshotDepth ?? DEFAULT_SNAPSHOT_DEPTH;
    const slackS = config.evaluationSlackS ?? DEFAULT_EVALUATION_SLACK_S;
    this.slackNs = secondsToNsNumber(slackS);
    for (const feature of config.features) {
      const bySymbol = new Map<number, Routes>(config.symbols.map((s) => [s.id, { asLeader: [], asLagger: [] }]));
      this.routes.set(feature, bySymbol);
      for (const pair of this.pairs) {
        const state = new PairFeatureState(pair, feature, config.hy, depth, slackS);
        bySymbol.get(pair.leader)!.asLeader.push(state);
        bySymbol.get(pair.lagger)!.asLagger.push(state);
      }
    }
    for (const s of config.symbols) this.ofi.set(s.id, new OfiLevel());
    const has = (f: Feature) => config.features.includes(f);
    this.wants = { trade: has("trade"), mid: has("mid"), ofi: has("ofi"), imbalance: has("imbalance") };
  }

  onTrade(trade: Trade): void {
    if (!this.ofi.has(trade.instrument)) {
      this.counters.unknownInstrument++;
      return;
    }
    this.counters.trades++;
    if (this.wants.trade) this.feed("trade", trade.instrument, this.relative(trade.tsNs), Math.log(trade.price));
  }

  /** Books feed log mid, the cumulative top-of-book OFI level and the L1 imbalance; invalid books feed nothing. */
  onBook(book: Book): void {
    const ofi = this.ofi.get(book.instrument);
    if (ofi === undefined) {
      this.counters.unknownInstrument++;
      return;
    }
    if (!book.valid || book.bidPx.length === 0 || book.askPx.length === 0 || !(book.mid > 0)) {
      this.counters.invalidBooks++;
      return;
    }
    this.counters.books++;
    const time = this.relative(book.tsNs);
    if (this.wants.mid) this.feed("mid", book.instrument, time, Math.log(book.mid));
    if (this.wants.ofi)
      this.feed("ofi", book.instrument, time, ofi.update(book.bidPx[0], book.bidSz[0], book.askPx[0], book.askSz[0]));
    if (this.wants.imbalance) this.feed("imbalance", book.instrument, time, book.imbalance);
  }

  /**
   * The scan of `leader`'s jump at `jumpTsNs`: one result per (owned pair led by `leader`, feature), none
   * when this shard owns no such pair (so the strategy knows this shard is done). The shell calls it when
   * its replica of the jump detectors sees the jump tick, before or after applying it, and pushes the
   * results at once. The scan reads only the window before the jump: at the jump tick always the exact
   * case 1 or 2 of `scanBefore`.
   */
  scanJump(leader: number, jumpTsNs: bigint): PairsScanned {
    this.counters.scans++;
    return this.scanned(leader, jumpTsNs, this.scan(leader, jumpTsNs));
  }

  /**
   * What a shard that has not finished its history replay answers for a jump: each (owned pair led by
   * `leader`, feature) with status `not_warm`, so the strategy records those laggers' decisions as such
   * instead of waiting for the scan timeout. Its window is still being refilled: a scan would be wrong.
   */
  notWarm(leader: number, jumpTsNs: bigint): PairsScanned {
    this.counters.notWarm++;
    const results: PairScan[] = [];
    for (const routes of this.routes.values()) {
      for (const { pair, feature } of routes.get(leader)?.asLeader ?? []) {
        const none = { tauStarS: 0, rhoStar: 0, lls: 0, nLeader: 0, nLagger: 0, passes: false };
        results.push({ lagger: pair.lagger, feature, status: "not_warm", ...none });
      }
    }
    return this.scanned(leader, jumpTsNs, results);
  }

  /**
   * A rehearsal of a jump's scan (`ActorInstance.decide`): the results for the newest leader tick's
   * snapshots, computed as a jump there would, with nothing kept and no counter moved.
   */
  rehearse(): PairsScanned | undefined {
    const leader = this.lastLeader;
    if (leader === undefined) return undefined;
    const results: PairScan[] = [];
    for (const routes of this.routes.values()) {
      for (const state of routes.get(leader)?.asLeader ?? []) {
        const result = state.scanNewestSnapshot();
        if (result !== undefined) results.push(pairScanOf(state, result));
      }
    }
    return this.scanned(leader, 0n, results);
  }

  private scanned(leader: number, jumpTsNs: bigint, results: PairScan[]): PairsScanned {
    const { shardIndex: shard, shardCount } = this.config;
    return { type: "PairsScanned", shard, shardCount, leader, jumpTsNs, results };
  }

  private scan(leader: number, jumpTsNs: bigint): PairScan[] {
    const results: PairScan[] = [];
    for (const routes of this.routes.values()) {
      const states = routes.get(leader)?.asLeader ?? [];
      // Only a shard holding one of the leader's pairs takes the jump's time as its session base.
      for (const state of states) results.push(this.answer(state, this.relative(jumpTsNs)));
    }
    return results;
  }

  private answer(state: PairFeatureState, jumpTime: number): PairScan {
    const result = state.scanBefore(jumpTime, this.slackNs);
    const base = { lagger: state.pair.lagger, feature: state.feature };
    if (result === "expired") {
      this.counters.expired++;
      return { ...base, status: "expired", tauStarS: 0, rhoStar: 0, lls: 0, nLeader: 0, nLagger: 0, passes: false };
    }
    return pairScanOf(state, result);
  }

  private feed(feature: Feature, instrument: number, time: number, value: number): void {
    const routes = this.routes.get(feature)!.get(instrument)!;
    if (routes.asLeader.length > 0) this.lastLeader = instrument;
    for (const state of routes.asLeader) state.onLeader(time, value);
    for (const state of routes.asLagger) state.onLagger(time, value);
  }

  private relative(tsNs: bigint): number {
    this.baseNs ??= tsNs;
    return Number(tsNs - this.baseNs);
  }
}

function pairScanOf(state: PairFeatureState, result: HyResult): PairScan {
  const { status, tauStarS, rhoStar, lls, nLeader, nLagger, passes } = result;
  return {
    lagger: state.pair.lagger,
    feature: state.feature,
    status,
    tauStarS,
    rhoStar,
    lls,
    nLeader,
    nLagger,
    passes,
  };
}
