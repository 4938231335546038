/**
 * The feed's own health, published with its status for `/health`: degraded, with one named reason each,
 * while a subscribed symbol is stale (nothing accepted within the stale limit) or while one of its
 * streams is frozen (frames keep arriving and every one is dropped). Pure: fed the core's stats once per
 * reporting period.
 */
import type { FeedStats, StreamStats, SymbolStaleness } from "./feed-types.js";
import type { ActorHealth } from "../../protocol/status.js";
import { nsToSeconds } from "../../model/time.js";

export class FeedHealth {
  private previous = new Map<string, StreamStats>();

  /** @param symbols the subscribed symbols (canonical names): instruments nobody subscribed to are never stale. */
  constructor(private readonly symbols: ReadonlySet<string>) {}

  /** Health over the period since the last call. */
  update(staleness: readonly SymbolStaleness[], stats: FeedStats): ActorHealth {
    const reasons: string[] = [];
    for (const s of staleness) {
      if (!this.symbols.has(s.symbol) || !s.stale) continue;
      const ageS = s.ageNs === undefined ? undefined : nsToSeconds(s.ageNs).toFixed(1);
      reasons.push(ageS === undefined ? `${s.symbol}: no market data yet` : `${s.symbol} stale ${ageS} s`);
    }
    const current = new Map<string, StreamStats>();
    for (const s of stats.streams) {
      const key = `${s.symbol}|${s.stream}`;
      current.set(key, s);
      const before = this.previous.get(key);
      const dropped = s.dropped - (before?.dropped ?? 0);
      const accepted = s.accepted - (before?.accepted ?? 0);
      if (dropped === 0 || accepted > 0) continue;
      reasons.push(`${s.symbol} ${s.stream}: ${dropped} frames dropped, none accepted (last: ${s.lastDrop})`);
    }
    this.previous = current;
    return { status: reasons.length === 0 ? "ok" : "degraded", reasons };
  }
}
