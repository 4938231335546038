import type { JumpDetected, PairScan, PairsScanned } from "../../protocol/signals.js";

/** One jump's scan in flight: the results of every shard, grouped by lagger. */
export interface JumpScan {
  /** The strategy's own number for the jump's scan (the decision record's `request_id`). */
  readonly requestId: number;
  readonly jump: JumpDetected;
  /** When the jump reached the strategy. */
  readonly sentNs: bigint;
  readonly byLagger: Map<number, PairScan[]>;
  readonly shardsAnswered: Set<number>;
}

/** Results kept for a jump the strategy has not seen yet; more are dropped, oldest first. */
const EARLY_KEPT = 64;

const jumpKey = (leader: number, jumpTsNs: bigint): string => `${leader}:${jumpTsNs}`;

/**
 * Collects the results the shards push for each jump, found by the jump they name (leader and jump time).
 * Shards push as soon as their replica detectors see the jump tick, usually after the strategy has opened
 * the jump's scan, sometimes before: those wait here for the jump. A scan is complete when as many distinct
 * shards as the results' `shardCount` have pushed; past the timeout the caller decides on what arrived.
 */
export class JumpScans {
  private nextId = 1;
  /** Open scans by `jumpKey`: one per jump. */
  private readonly pending = new Map<string, JumpScan>();
  private readonly early = new Map<string, { readonly atNs: bigint; readonly results: PairsScanned[] }>();

  constructor(private readonly timeoutNs: bigint) {}

  /** Opens the jump's scan; `complete` when results pushed before it already cover every shard. */
  open(jump: JumpDetected, nowNs: bigint): { readonly scan: JumpScan; readonly complete: boolean } {
    const scan: JumpScan = {
      requestId: this.nextId++,
      jump,
      sentNs: nowNs,
      byLagger: new Map(),
      shardsAnswered: new Set(),
    };
    const key = jumpKey(jump.instrument, jump.tsNs);
    this.pending.set(key, scan);
    const early = this.early.get(key);
    this.early.delete(key);
    for (const pushed of early?.results ?? []) if (this.add(scan, pushed)) return { scan, complete: true };
    return { scan, complete: false };
  }

  /** One shard's results: the jump's scan, once they complete it; else null (kept for a jump not yet seen). */
  onResults(pushed: PairsScanned, nowNs: bigint): JumpScan | null {
    const scan = this.pending.get(jumpKey(pushed.leader, pushed.jumpTsNs));
    if (scan !== undefined) return this.add(scan, pushed) ? scan : null;
    this.keepEarly(pushed, nowNs);
    return null;
  }

  /** Removes and returns the scans older than the timeout; forgets results for jumps never seen. */
  expire(nowNs: bigint): JumpScan[] {
    const expired: JumpScan[] = [];
    for (const scan of this.pending.values()) {
      if (nowNs - scan.sentNs >= this.timeoutNs) expired.push(scan);
    }
    for (const scan of expired) this.close(scan);
    for (const [key, early] of this.early) if (nowNs - early.atNs >= this.timeoutNs) this.early.delete(key);
    return expired;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Adds one shard's results (a repeat from the same shard changes nothing); true once complete, and closed. */
  private add(scan: JumpScan, pushed: PairsScanned): boolean {
    if (!scan.shardsAnswered.has(pushed.shard)) {
      scan.shardsAnswered.add(pushed.shard);
      for (const result of pushed.results) {
        const results = scan.byLagger.get(result.lagger);
        if (results === undefined) scan.byLagger.set(result.lagger, [result]);
        else results.push(result);
      }
    }
    if (scan.shardsAnswered.size < pushed.shardCount) return false;
    this.close(scan);
    return true;
  }

  private close(scan: JumpScan): void {
    this.pending.delete(jumpKey(scan.jump.instrument, scan.jump.tsNs));
  }

  private keepEarly(pushed: PairsScanned, nowNs: bigint): void {
    const key = jumpKey(pushed.leader, pushed.jumpTsNs);
    const early = this.early.get(key);
    if (early !== undefined) {
      early.results.push(pushed);
      return;
    }
    this.early.set(key, { atNs: nowNs, results: [pushed] });
    if (this.early.size > EARLY_KEPT) this.early.delete(this.early.keys().next().value!);
  }
}
