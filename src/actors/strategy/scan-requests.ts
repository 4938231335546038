import type { JumpDetected, PairScan, PairsScanned } from "../../protocol/signals.js";

/** One `ScanPairs` in flight: the answers of every shard, grouped by lagger. */
export interface ScanRequest {
  readonly requestId: number;
  readonly jump: JumpDetected;
  readonly sentNs: bigint;
  readonly byLagger: Map<number, PairScan[]>;
  readonly shardsAnswered: Set<number>;
}

export type ScanProgress =
  | { readonly kind: "unknown" }
  | { readonly kind: "waiting" }
  | { readonly kind: "complete"; readonly request: ScanRequest };

/**
 * Collects shard answers per request. A request is complete when as many distinct shards as the answers'
 * `shardCount` have answered; past the timeout the caller decides on what arrived.
 */
export class ScanRequests {
  private nextId = 1;
  private readonly pending = new Map<number, ScanRequest>();

  constructor(private readonly timeoutNs: bigint) {}

  open(jump: JumpDetected, nowNs: bigint): ScanRequest {
    const request: ScanRequest = { requestId: this.nextId++, jump, sentNs: nowNs, byLagger: new Map(), shardsAnswered: new Set() };
    this.pending.set(request.requestId, request);
    return request;
  }

  onAnswer(answer: PairsScanned): ScanProgress {
    const request = this.pending.get(answer.requestId);
    if (request === undefined) return { kind: "unknown" };
    if (!request.shardsAnswered.has(answer.shard)) {
      request.shardsAnswered.add(answer.shard);
      for (const scan of answer.results) {
        const scans = request.byLagger.get(scan.lagger);
        if (scans === undefined) request.byLagger.set(scan.lagger, [scan]);
        else scans.push(scan);
      }
    }
    if (request.shardsAnswered.size < answer.shardCount) return { kind: "waiting" };
    this.pending.delete(request.requestId);
    return { kind: "complete", request };
  }

  /** Removes and returns the requests older than the timeout. */
  expire(nowNs: bigint): ScanRequest[] {
    const expired: ScanRequest[] = [];
    for (const request of this.pending.values()) {
      if (nowNs - request.sentNs >= this.timeoutNs) expired.push(request);
    }
    for (const request of expired) this.pending.delete(request.requestId);
    return expired;
  }

  get size(): number {
    return this.pending.size;
  }
}
