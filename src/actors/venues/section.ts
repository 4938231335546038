import type { Config, SimulationConfig } from "../../config/index.js";
import type { Instrument } from "../../model/instruments.js";
import { strategyPerpSettings, type StrategyPerpSettings } from "./perp-settings.js";

/**
 * What a venue reads. Venues are the only actors that spell an instrument the venue's way: `instruments` is
 * the registry as data (rebuilt in the actor), looked up by the id orders carry.
 */
export interface EngineVenueSection {
  readonly host: string;
  readonly ordersPort: number;
  readonly eventsPort: number;
  /** `runtime.order_manager.ack_timeout_ms.gtc`: an order unanswered this long makes the engine look dead. */
  readonly ackTimeoutGtcMs: number;
  readonly instruments: readonly Instrument[];
  /** Each strategy's perp margin mode and leverage, sent on its perp orders. */
  readonly perp: readonly StrategyPerpSettings[];
}

export interface PaperVenueSection {
  readonly latencyMs: number;
  readonly takerBps: number;
  readonly makerBps: number;
  readonly instruments: readonly Instrument[];
  /** Each strategy's perp margin mode and leverage, serialised on its perp orders as for the engine. */
  readonly perp: readonly StrategyPerpSettings[];
}

export function engineVenueSection(config: Config, instruments: readonly Instrument[]): EngineVenueSection {
  const exec = config.execution;
  return {
    host: exec.host,
    ordersPort: exec.orders_port,
    eventsPort: exec.events_port,
    ackTimeoutGtcMs: config.runtime.order_manager.ack_timeout_ms.gtc,
    instruments,
    perp: strategyPerpSettings(config),
  };
}

export function paperVenueSection(config: Config, instruments: readonly Instrument[]): PaperVenueSection {
  const fees = config.risk.perps;
  return {
    latencyMs: config.execution.paper.latency_ms,
    takerBps: fees.taker_bps,
    makerBps: fees.maker_bps,
    instruments,
    perp: strategyPerpSettings(config),
  };
}

/** What the backtest's simulated venue reads: `backtest.simulation` (absent outside `mode: backtest`). */
export interface SimulatedVenueSection {
  readonly simulation: SimulationConfig | undefined;
  readonly instruments: readonly Instrument[];
  /** Each strategy's perp margin mode and leverage, serialised on its perp orders as for the engine. */
  readonly perp: readonly StrategyPerpSettings[];
}

export function simulatedVenueSection(config: Config, instruments: readonly Instrument[]): SimulatedVenueSection {
  return { simulation: config.backtest?.simulation, instruments, perp: strategyPerpSettings(config) };
}
