import { roundToLot } from "../../../model/rounding.js";
import type { SeededRandom } from "../../../model/random.js";

/** How much of what the market offers an order actually gets. */
export interface FillModel {
  /** 0 (missed), or a size in (0, `offered`]: whole lots, or all of `offered` when that is one lot or less. */
  fillSize(offered: number, lot: number): number;
}

export interface FillParams {
  /** Chance that an order the market reaches trades at all. */
  readonly fillProbability: number;
  /** Chance that, when it trades, it gets only part of what was offered… */
  readonly partialFillProbability: number;
  /** …a part drawn uniformly from [min_fill_ratio, 1). */
  readonly minFillRatio: number;
}

/**
 * Bernoulli fill, then Bernoulli partial with a uniform ratio, rounded down to the lot (never below one lot:
 * a venue fills whole lots). Two draws per call whatever the outcome, so one order's luck does not shift the
 * stream of the next.
 */
export function probabilisticFill(params: FillParams, random: SeededRandom): FillModel {
  return {
    fillSize: (offered, lot) => {
      const trades = random.next() < params.fillProbability;
      const u = random.next();
      if (!trades || !(offered > 0)) return 0;
      if (u >= params.partialFillProbability) return offered;
      const ratio = params.minFillRatio + (1 - params.minFillRatio) * (u / params.partialFillProbability);
      if (!(lot > 0)) return offered * ratio;
      if (offered <= lot) return offered; // nothing smaller than one lot to give
      return Math.min(offered, Math.max(lot, roundToLot(offered * ratio, lot)));
    },
  };
}
