/**
 * Expected-move baselines (baselines.json) from the laggers' responses to the leaders' jumps: for each ranked
 * pair, every non-systematic jump the live detector found on the leader is followed on the lagger's mid from the
 * jump to tau* later (the window the strategy's RLS label uses, docs/strategy.md §4); the baseline is the median
 * absolute response. Volatilities are those of the detector's price stream, in bps per √s.
 */
import type { ScanHistory, SharedSeries } from "./history.js";
import type { RankedPair } from "./rank.js";

export interface PairBaselineRow {
  readonly leader: string;
  readonly lagger: string;
  /** Absent when the leader had no usable jump in the span. */
  readonly expected_move_bps?: number;
  readonly leader_vol_bps: number;
  readonly lagger_vol_bps: number;
}

export interface BaselineStats {
  readonly leader: string;
  readonly lagger: string;
  /** Leader jumps whose lagger response was measured. */
  readonly jumps: number;
}

/** Index of the last time ≤ t, or −1. */
export function lastAtOrBefore(times: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Lagger log-mid moves in bps from each jump time to `horizonNs` later (both read as of their time). */
export function responsesBps(mids: SharedSeries, jumpTimes: readonly number[], horizonNs: number): number[] {
  const moves: number[] = [];
  for (const t of jumpTimes) {
    const from = lastAtOrBefore(mids.times, t);
    const to = lastAtOrBefore(mids.times, t + horizonNs);
    // A response needs a lagger quote before the jump and time after it inside the span.
    if (from < 0 || mids.times.length === 0 || mids.times[mids.times.length - 1] < t + horizonNs) continue;
    moves.push(1e4 * (mids.values[to] - mids.values[from]));
  }
  return moves;
}

function volBps(rv: number, spanS: number): number {
  return spanS > 0 ? 1e4 * Math.sqrt(rv / spanS) : 0;
}

const round = (x: number) => Number(x.toPrecision(6));

export function pairBaselines(
  history: ScanHistory,
  ranked: readonly RankedPair[],
): { rows: PairBaselineRow[]; stats: BaselineStats[] } {
  const index = new Map(history.symbols.map((s, i) => [s.symbol, i]));
  const rows: PairBaselineRow[] = [];
  const stats: BaselineStats[] = [];
  for (const pair of ranked) {
    const leader = index.get(pair.leader)!;
    const lagger = index.get(pair.lagger)!;
    const jumpTimes = history.jumps.filter((j) => j.symbol === leader && !j.systematic).map((j) => j.time);
    const moves = responsesBps(history.symbols[lagger].mids, jumpTimes, pair.best.result.tauStarNs);
    const leaderVol = volBps(history.symbols[leader].jumpStreamRv, history.symbols[leader].jumpStreamSpanS);
    const laggerVol = volBps(history.symbols[lagger].jumpStreamRv, history.symbols[lagger].jumpStreamSpanS);
    stats.push({ leader: pair.leader, lagger: pair.lagger, jumps: moves.length });
    // baselines.json requires both volatilities > 0: a flat stream gives no entry (the live fallbacks decide).
    if (!(leaderVol > 0 && laggerVol > 0)) continue;
    rows.push({
      leader: pair.leader,
      lagger: pair.lagger,
      ...(moves.length > 0 ? { expected_move_bps: round(median(moves.map(Math.abs))) } : {}),
      leader_vol_bps: round(leaderVol),
      lagger_vol_bps: round(laggerVol),
    });
  }
  return { rows, stats };
}
