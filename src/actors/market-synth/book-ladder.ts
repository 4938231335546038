/**
 * The synthetic top-N book of one symbol: levels on the tick grid around the latent mid, sizes that
 * persist between updates (most levels keep their size, some are refreshed), larger further from the
 * touch. `update` returns the marketstream-style diff against the previous top-N (§1.8): bids then asks,
 * each by ascending price, `0` for a vanished level.
 */
import { lotSizeOf } from "../../model/instruments.js";
import type { SeededRandom } from "../../model/random.js";

export interface LadderDiff {
  side: number[];
  px: number[];
  sz: number[];
}

/** Share of levels whose size is re-drawn at each update. */
const REFRESH_PROBABILITY = 0.3;
/** L1 notional in quote units; deeper levels grow by a quarter per level. */
const LEVEL_NOTIONAL = 50_000;

export class BookLadder {
  /** Best first, prices in integer ticks. */
  bidTicks: number[] = [];
  askTicks: number[] = [];
  private readonly sizes = [new Map<number, number>(), new Map<number, number>()];
  /** Prices are `ticks × tickUnits / priceScale`: one division of exact integers, the double nearest the decimal. */
  private readonly priceScale: number;
  private readonly tickUnits: number;
  private readonly lot: number;

  constructor(
    private readonly tickSize: number,
    private readonly sizeDecimals: number,
    private readonly depth: number,
    private readonly random: SeededRandom,
  ) {
    const tickDecimals = Math.max(0, Math.ceil(-Math.log10(tickSize) - 1e-9));
    this.priceScale = 10 ** tickDecimals;
    this.tickUnits = Math.round(tickSize * this.priceScale);
    this.lot = lotSizeOf(sizeDecimals);
  }

  price(ticks: number): number {
    return (ticks * this.tickUnits) / this.priceScale;
  }

  size(side: 0 | 1, ticks: number): number {
    return this.sizes[side].get(ticks) ?? 0;
  }

  /** Moves the ladder to `mid` and returns the diff (empty arrays when nothing changed). */
  update(mid: number): LadderDiff {
    const spreadTicks = this.random.chance(0.8) ? 1 : 2;
    const bestBid = Math.floor(mid / this.tickSize - spreadTicks / 2);
    const newBids = Array.from({ length: this.depth }, (_, i) => bestBid - i);
    const newAsks = Array.from({ length: this.depth }, (_, i) => bestBid + spreadTicks + i);
    const diff: LadderDiff = { side: [], px: [], sz: [] };
    this.moveSide(0, newBids, mid, diff);
    this.moveSide(1, newAsks, mid, diff);
    this.bidTicks = newBids;
    this.askTicks = newAsks;
    return diff;
  }

  private moveSide(side: 0 | 1, ticks: number[], mid: number, diff: LadderDiff): void {
    const previous = this.sizes[side];
    const next = new Map<number, number>();
    ticks.forEach((t, level) => {
      const kept = previous.get(t);
      next.set(t, kept !== undefined && !this.random.chance(REFRESH_PROBABILITY) ? kept : this.drawSize(mid, level));
    });
    const all = [...new Set([...previous.keys(), ...next.keys()])].sort((a, b) => a - b);
    for (const t of all) {
      const before = previous.get(t) ?? 0;
      const after = next.get(t) ?? 0;
      if (before === after) continue;
      diff.side.push(side);
      diff.px.push(this.price(t));
      diff.sz.push(after);
    }
    this.sizes[side] = next;
  }

  private drawSize(mid: number, level: number): number {
    const raw = ((LEVEL_NOTIONAL * (1 + 0.25 * level)) / mid) * Math.exp(0.5 * this.random.normal() - 0.125);
    return Number(Math.max(this.lot, raw).toFixed(this.sizeDecimals));
  }
}
