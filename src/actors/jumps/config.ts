import { leadLagStrategy, type Config } from "../../config/index.js";
import type { UniverseInstrument } from "../../model/universe.js";
import type { JumpsCoreConfig } from "./core.js";

/**
 * The jump detectors of the daemon, from `jump_detection_config`: one per configured symbol, all in the
 * co-jump filter. The jumps actor and every estimator shard build the same one (a shard runs a replica to
 * start the scan a jump will ask for as soon as the jump tick arrives).
 */
export function jumpsCoreConfig(config: Config, instruments: readonly UniverseInstrument[]): JumpsCoreConfig {
  const j = leadLagStrategy(config).config.jump_detection_config;
  return {
    symbols: instruments.map(({ id, symbol }) => ({ id, symbol })),
    params: {
      windowK: j.window_K,
      alpha: j.alpha,
      coJumpThreshold: j.co_jump_threshold,
      coJumpWindowS: j.co_jump_window_s,
    },
    source: j.price_source,
  };
}

/** What the jumps actor reads of the config: its detectors. */
export interface JumpsSection {
  readonly detectors: JumpsCoreConfig;
}

export function jumpsSection(config: Config, instruments: readonly UniverseInstrument[]): JumpsSection {
  return { detectors: jumpsCoreConfig(config, instruments) };
}
