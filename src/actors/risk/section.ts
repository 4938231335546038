import type { Config, RiskConfig } from "../../config/index.js";
import type { Instrument } from "../../model/instruments.js";
import type { UniverseInstrument } from "../../model/universe.js";
import { breakerFileFor } from "./breaker-store.js";

/**
 * What risk reads: the `risk:` section (limits, breaker, `reconciliation`), where its breaker state is kept,
 * how far a flatten order may cross the mark, and the instruments it books.
 */
export interface RiskSection {
  readonly risk: RiskConfig;
  readonly breakerFile: string;
  /** `runtime.shutdown.flatten_band_bps`: a flatten order's limit price, this far through the mark. */
  readonly flattenBandBps: number;
  /** The registry as data (rebuilt in the actor): orders are booked by the spelling they carry. */
  readonly instruments: readonly Instrument[];
  readonly universe: readonly UniverseInstrument[];
}

export function riskSection(
  config: Config,
  instruments: readonly Instrument[],
  universe: readonly UniverseInstrument[],
): RiskSection {
  return {
    risk: config.risk,
    breakerFile: breakerFileFor(config.runtime.journal.path, config.runtime.account_id),
    flattenBandBps: config.runtime.shutdown.flatten_band_bps,
    instruments,
    universe,
  };
}
