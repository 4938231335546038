import { roundToLot } from "../../../model/rounding.js";

/** How much of what the market offers an order actually gets. */
export interface FillModel {
  /** 0 (missed or less than a lot offered), or whole lots in [lot, `offered`]. */
  fillSize(offered: number, lot: number): number;
}

/** Uniform draws in [0, 1): a `SeededRandom` seeded from `backtest.simulation.seed`. */
export interface UniformSource {
  next(): number;
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
 * Bernoulli fill, then Bernoulli partial with a uniform ratio, rounded down to whole lots (a venue fills whole
 * lots; a partial is never below one lot). Two draws per call whatever the outcome, so one order's luck does not
 * shift the stream of the next. Without a lot size (an unknown symbol) nothing is rounded.
 */
export function probabilisticFill(params: FillParams, random: UniformSource): FillModel {
  return {
    fillSize: (offered, lot) => {
      const trades = random.next() < params.fillProbability;
      const u = random.next();
      const whole = lot > 0 ? roundToLot(offered, lot) : offered;
      if (!trades || !(whole > 0)) return 0;
      if (u >= params.partialFillProbability) return whole;
      const ratio = params.minFillRatio + (1 - params.minFillRatio) * (u / params.partialFillProbability);
      if (!(lot > 0)) return offered * ratio;
      return Math.max(lot, roundToLot(whole * ratio, lot));
    },
  };
}
