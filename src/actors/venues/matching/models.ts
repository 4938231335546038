import type { Liquidity } from "../../../protocol/orders.js";

/** Fee on one execution, in the fee currency; negative is a rebate. */
export interface FeeModel {
  fee(price: number, size: number, liquidity: Liquidity): number;
}

/** How long after `sentNs` something reaches the other side. Time is data, not a timer. */
export interface LatencyModel {
  delayNs(sentNs: bigint): bigint;
}
