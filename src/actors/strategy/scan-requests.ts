import { PUSHED_AHEAD, type JumpDetected, type PairScan, type PairsScanned } from "../../protocol/signals.js";

/** One jump's scan in flight: the results of every shard, grouped by lagger. */
export interface ScanRequest {
  readonly requestId: number;
  readonly jump: JumpDetected;
  readonly sentNs: bigint;
  readonly byLagger: Map<number, PairScan[]>;
  readonly shardsAnswered: Set<number>;
}

export type ScanProgress =
  | { readonly kind: "unknown" }
  /** For a request already decided (complete or timed out): nothing to do. */
  | { readonly kind: "late" }
  | { readonly kind: "waiting" }
  | { readonly kind: "complete"; readonly request: ScanRequest };

/** Pushed results kept for a jump the strategy has not seen yet; more are dropped, oldest first. */
const EARLY_KEPT = 64;

const jumpKey = (leader: number, jumpTsNs: bigint): string => `${leader}:${jumpTsNs}`;

/**
 * Collects shard results per jump, found by the jump they name (every result carries its leader and jump
 * time, pushed or asked). Shards push a jump's results as soon as their replica detectors see it
 * (`PUSHED_AHEAD`), usually after the strategy has opened the request, sometimes before: those wait here
 * for the jump. A request is complete when as many distinct shards as the results' `shardCount` have
 * answered, pushed or asked; past the timeout the caller decides on what arrived.
 */
export class ScanRequests {
  private nextId = 1;
  /** Open requests by `jumpKey`: one per jump. */
  private readonly pending = new Map<string, ScanRequest>();
  private readonly early = new Map<string, { readonly atNs: bigint; readonly answers: PairsScanned[] }>();

  constructor(private readonly timeoutNs: bigint) {}

  /** Opens the jump's request; `complete` when results pushed before it already cover every shard. */
  open(jump: JumpDetected, nowNs: bigint): { readonly request: ScanRequest; readonly complete: boolean } {
    const request: ScanRequest = {
      requestId: this.nextId++,
      jump,
      sentNs: nowNs,
      byLagger: new Map(),
      shardsAnswered: new Set(),
    };
    const key = jumpKey(jump.instrument, jump.tsNs);
    this.pending.set(key, request);
    const early = this.early.get(key);
    this.early.delete(key);
    for (const answer of early?.answers ?? []) if (this.add(request, answer)) return { request, complete: true };
    return { request, complete: false };
  }

  onAnswer(answer: PairsScanned, nowNs: bigint): ScanProgress {
    if (answer.requestId >= this.nextId) return { kind: "unknown" };
    const request = this.pending.get(jumpKey(answer.leader, answer.jumpTsNs));
    if (request !== undefined) return this.add(request, answer) ? { kind: "complete", request } : { kind: "waiting" };
    if (answer.requestId !== PUSHED_AHEAD) return { kind: "late" };
    this.keepEarly(answer, nowNs);
    return { kind: "waiting" };
  }

  /** Removes and returns the requests older than the timeout; forgets pushed results nobody asked for. */
  expire(nowNs: bigint): ScanRequest[] {
    const expired: ScanRequest[] = [];
    for (const request of this.pending.values()) {
      if (nowNs - request.sentNs >= this.timeoutNs) expired.push(request);
    }
    for (const request of expired) this.close(request);
    for (const [key, early] of this.early) if (nowNs - early.atNs >= this.timeoutNs) this.early.delete(key);
    return expired;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Adds one shard's results (a repeat from the same shard changes nothing); true once complete, and closed. */
  private add(request: ScanRequest, answer: PairsScanned): boolean {
    if (!request.shardsAnswered.has(answer.shard)) {
      request.shardsAnswered.add(answer.shard);
      for (const scan of answer.results) {
        const scans = request.byLagger.get(scan.lagger);
        if (scans === undefined) request.byLagger.set(scan.lagger, [scan]);
        else scans.push(scan);
      }
    }
    if (request.shardsAnswered.size < answer.shardCount) return false;
    this.close(request);
    return true;
  }

  private close(request: ScanRequest): void {
    this.pending.delete(jumpKey(request.jump.instrument, request.jump.tsNs));
  }

  private keepEarly(answer: PairsScanned, nowNs: bigint): void {
    const key = jumpKey(answer.leader, answer.jumpTsNs);
    const early = this.early.get(key);
    if (early !== undefined) {
      early.answers.push(answer);
      return;
    }
    this.early.set(key, { atNs: nowNs, answers: [answer] });
    if (this.early.size > EARLY_KEPT) this.early.delete(this.early.keys().next().value!);
  }
}
