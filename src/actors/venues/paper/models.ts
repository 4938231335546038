import type { Liquidity } from "../../../protocol/orders.js";
import { msToNs } from "../../../model/time.js";

/** Fee on one execution, in the fee currency; negative is a rebate. */
export interface FeeModel {
  fee(notional: number, liquidity: Liquidity): number;
}

/** How long after it was sent an order reaches the simulated venue. Time is data, not a timer. */
export interface LatencyModel {
  delayNs(sentNs: bigint): bigint;
}

export function bpsFees(takerBps: number, makerBps: number): FeeModel {
  return { fee: (notional, liquidity) => (notional * (liquidity === "taker" ? takerBps : makerBps)) / 10_000 };
}

export function constantLatency(ms: number): LatencyModel {
  const ns = msToNs(ms);
  return { delayNs: () => ns };
}
