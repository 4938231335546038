import type { FeeModel } from "../matching/models.js";

export type FeeMode = "quote" | "base";

/**
 * `fee_mode: quote`: fee = price × size × bps / 10⁴ in the quote currency (USDC on Hyperliquid perps).
 * `fee_mode: base`: fee = size × bps / 10⁴ in the base asset (venues that charge a buy's fee in the coin bought).
 * Maker and taker rates apart; a negative maker rate is a rebate (a negative fee).
 */
export function simulatedFees(mode: FeeMode, takerBps: number, makerBps: number): FeeModel {
  return {
    fee: (price, size, liquidity) => {
      const bps = liquidity === "taker" ? takerBps : makerBps;
      return ((mode === "quote" ? price * size : size) * bps) / 10_000;
    },
  };
}
