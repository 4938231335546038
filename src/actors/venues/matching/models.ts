import type { Liquidity } from "../../../protocol/orders.js";
import { msToNs } from "../../../model/time.js";

/** Fee on one execution, in the fee currency; negative is a rebate. */
export interface FeeModel {
  fee(price: number, size: number, liquidity: Liquidity): number;
}

/** How long after `sentNs` something reaches the other side. Time is data, not a timer. */
export interface LatencyModel {
  delayNs(sentNs: bigint): bigint;
}

/** Fee in the quote currency: notional × bps / 10⁴ (negative bps = rebate). */
export function bpsFees(takerBps: number, makerBps: number): FeeModel {
  const bps = (liquidity: Liquidity) => (liquidity === "taker" ? takerBps : makerBps);
  return { fee: (price, size, liquidity) => (price * size * bps(liquidity)) / 10_000 };
}

/** The same delay for every message. */
export function constantLatency(ms: number): LatencyModel {
  const ns = msToNs(ms);
  return { delayNs: () => ns };
}
