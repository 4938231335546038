import { type EngineFrame, VenueCore, type VenueCoreConfig } from "../matching/core.js";
import { SimulatedMatching } from "./matching.js";
import type { SimulatedVenueModels } from "./models.js";

export type SimulatedVenueConfig = Omit<VenueCoreConfig, "fees" | "latency">;

/**
 * The simulated venue for backtests: the matching core the paper venue uses (order lifecycle, reduce-only, the
 * engine's report quirks), trading by the simulation models: an order takes effect `order_latency` after it was
 * sent, against the book the venue holds at that moment; taker executions come from the fill and slippage models,
 * resting orders fill when the book crosses them or when trades at their price have consumed the queue ahead.
 * Response latency is the shell's: it delays what this core emits.
 */
export class SimulatedVenueCore extends VenueCore {
  constructor(config: SimulatedVenueConfig, models: SimulatedVenueModels, emit: (frame: EngineFrame) => void) {
    super({ ...config, fees: models.fees, latency: models.orderLatency }, new SimulatedMatching(models), emit);
  }
}
