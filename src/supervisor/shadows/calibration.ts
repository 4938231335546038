/**
 * A mirror shadow's calibration data (docs/shadow.md, "Mirror"): each live order beside the order the mirror
 * made for the same decision, the live one filled by the real venue, the mirror's by the simulated venue.
 * Orders are paired by role, symbol, side and the decision time their intent id carries (`NAME-<ns>-<seq>`,
 * an exit `…-x<seq>` after its entry's): the two strategies decide on the same jump within milliseconds.
 */
import type { OrdersStatus } from "../../protocol/status.js";

type Order = OrdersStatus["orders"][number];

/** Decisions of the two strategies further apart than this are not the same decision. */
const SAME_DECISION_NS = 250_000_000n;

export interface FillSide {
  readonly status: string;
  readonly size: number;
  readonly filled: number;
  readonly avg_fill_price: number;
  /** Placement → first and last booked fill (ms, receipt times), null while unfilled or from an older status. */
  readonly first_fill_after_ms: number | null;
  readonly last_fill_after_ms: number | null;
}

/** Nearest-rank quantiles over the pairs where that side filled; null with no such pair. */
export interface TimeToFill {
  readonly n: number;
  readonly median: number;
  readonly p90: number;
}

export interface CalibrationPair {
  readonly role: string;
  readonly symbol: string;
  readonly side: string;
  readonly live: FillSide;
  readonly simulated: FillSide;
  /** (simulated − live) average fill price in bps, signed so that positive = the simulator filled worse. */
  readonly price_diff_bps: number | null;
}

export interface Calibration {
  readonly pairs: readonly CalibrationPair[];
  /** Live orders no mirror order matched (the mirror had not attached yet, or decided otherwise). */
  readonly unmatched_live: number;
  readonly fill_ratio_live: number | null;
  readonly fill_ratio_simulated: number | null;
  readonly mean_price_diff_bps: number | null;
  /** Placement → first fill, and → last fill (the whole filled size), live against simulated. */
  readonly time_to_first_fill_ms: { readonly live: TimeToFill | null; readonly simulated: TimeToFill | null };
  readonly time_to_last_fill_ms: { readonly live: TimeToFill | null; readonly simulated: TimeToFill | null };
}

const INTENT = /-(\d{10,})-\d+(?:-x\d+)?$/;

function decidedNs(order: Order): bigint | undefined {
  const m = INTENT.exec(order.intent_id);
  return m ? BigInt(m[1]) : undefined;
}

const fillSide = (o: Order): FillSide => ({
  status: o.status,
  size: o.size,
  filled: o.filled,
  avg_fill_price: o.avg_fill_price,
  first_fill_after_ms: o.first_fill_after_ms ?? null,
  last_fill_after_ms: o.last_fill_after_ms ?? null,
});

/** Pairs terminal orders (open ones are not judged yet); each mirror order pairs at most once. */
export function calibrate(live: readonly Order[], mirror: readonly Order[]): Calibration {
  const free = mirror.filter((o) => !o.open && decidedNs(o) !== undefined);
  const pairs: CalibrationPair[] = [];
  let unmatched = 0;
  for (const l of live) {
    const at = decidedNs(l);
    if (l.open || at === undefined) continue;
    const i = free.findIndex((m) => {
      const d = decidedNs(m)! - at;
      return (
        m.role === l.role && m.symbol === l.symbol && m.side === l.side && d > -SAME_DECISION_NS && d < SAME_DECISION_NS
      );
    });
    if (i < 0) {
      unmatched++;
      continue;
    }
    const [m] = free.splice(i, 1);
    const bothFilled = l.filled > 0 && m.filled > 0 && l.avg_fill_price > 0;
    const sign = l.side === "buy" ? 1 : -1;
    pairs.push({
      role: l.role,
      symbol: l.symbol,
      side: l.side,
      live: fillSide(l),
      simulated: fillSide(m),
      price_diff_bps: bothFilled ? (sign * (m.avg_fill_price - l.avg_fill_price) * 1e4) / l.avg_fill_price : null,
    });
  }
  const ratio = (side: (p: CalibrationPair) => FillSide) =>
    mean(pairs.filter((p) => side(p).size > 0).map((p) => side(p).filled / side(p).size));
  return {
    pairs,
    unmatched_live: unmatched,
    fill_ratio_live: ratio((p) => p.live),
    fill_ratio_simulated: ratio((p) => p.simulated),
    mean_price_diff_bps: mean(pairs.flatMap((p) => (p.price_diff_bps === null ? [] : [p.price_diff_bps]))),
    time_to_first_fill_ms: {
      live: timeToFill(pairs.map((p) => p.live.first_fill_after_ms)),
      simulated: timeToFill(pairs.map((p) => p.simulated.first_fill_after_ms)),
    },
    time_to_last_fill_ms: {
      live: timeToFill(pairs.map((p) => p.live.last_fill_after_ms)),
      simulated: timeToFill(pairs.map((p) => p.simulated.last_fill_after_ms)),
    },
  };
}

function timeToFill(values: readonly (number | null)[]): TimeToFill | null {
  const xs = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const rank = (q: number) => xs[Math.max(0, Math.ceil(q * xs.length) - 1)];
  return { n: xs.length, median: rank(0.5), p90: rank(0.9) };
}

function mean(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}
