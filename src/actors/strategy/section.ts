import type { Config, LeadLagStrategyParams } from "../../config/index.js";
import { leadLagStrategy } from "../../config/index.js";
import type { Instrument } from "../../model/instruments.js";
import { msToNs, type Nanos } from "../../model/time.js";
import type { UniverseInstrument } from "../../model/universe.js";
import type { ArtifactLoad } from "./artifacts.js";

/** What the strategy reads: its own config, the universe, and the artifacts as read at the daemon's start. */
export interface StrategySection {
  readonly name: string;
  readonly params: LeadLagStrategyParams;
  readonly universe: readonly UniverseInstrument[];
  readonly artifacts: ArtifactLoad;
  /** The registry as data (rebuilt in the actor): artifact reloads resolve other spellings through it. */
  readonly instruments: readonly Instrument[];
  readonly staleBookNs: Nanos;
}

export function strategySection(
  config: Config,
  instruments: readonly Instrument[],
  universe: readonly UniverseInstrument[],
  artifacts: ArtifactLoad,
): StrategySection {
  const strategy = leadLagStrategy(config);
  return {
    name: strategy.name,
    params: strategy.config,
    universe,
    artifacts,
    instruments,
    staleBookNs: msToNs(config.risk.global.reject_on_stale_data_ms),
  };
}
