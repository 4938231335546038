import type { Liquidity } from "../../../protocol/orders.js";
import { msToNs } from "../../../model/time.js";
import type { FeeModel, LatencyModel } from "../matching/models.js";

export type { FeeModel, LatencyModel };

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
