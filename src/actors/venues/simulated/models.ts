/**
 * The simulated venue's models, built once from `backtest.simulation` (formulas and when to use each: docs/backtest.md,
 * "Simulated venue"). Each is a one-method interface; another implementation replaces one without touching the venue.
 */
import type { SimulationConfig } from "../../../config/index.js";
import { SeededRandom } from "../../../model/random.js";
import { constantLatency, type FeeModel, type LatencyModel } from "../matching/models.js";
import { simulatedFees } from "./fees.js";
import { probabilisticFill } from "./fill.js";
import type { SimulationModels } from "./matching.js";
import { instantQueue, linearAhead, powerLawAhead, probabilisticQueue } from "./queue.js";
import { adverseSelection, bookWalkSlippage, bpsSlippage } from "./slippage.js";

export interface SimulatedVenueModels extends SimulationModels {
  readonly fees: FeeModel;
  /** Decision → the order reaches the exchange. */
  readonly orderLatency: LatencyModel;
  /** Exchange → its report reaches the daemon. */
  readonly responseLatency: LatencyModel;
}

export function simulationModels(sim: SimulationConfig, lotOf: (symbol: string) => number): SimulatedVenueModels {
  const ahead = sim.queue_ahead_model === "linear" ? linearAhead : powerLawAhead(sim.queue_power_exponent);
  return {
    fees: simulatedFees(sim.fee_mode, sim.taker_fee_bps, sim.maker_fee_bps),
    orderLatency: constantLatency(sim.order_latency_ms),
    responseLatency: constantLatency(sim.response_latency_ms),
    slippage:
      sim.slippage_mode === "bps_only"
        ? bpsSlippage(sim.slippage_bps, sim.execution_pricing)
        : bookWalkSlippage(sim.execution_pricing),
    queue: sim.queue_model === "queue" ? probabilisticQueue(ahead) : instantQueue,
    fill: probabilisticFill(
      {
        fillProbability: sim.fill_probability,
        partialFillProbability: sim.partial_fill_probability,
        minFillRatio: sim.min_fill_ratio,
      },
      new SeededRandom(sim.seed),
    ),
    makerPricing: adverseSelection(sim.adverse_selection_factor),
    lotOf,
  };
}
