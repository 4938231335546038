import { loadInstrumentRegistry, type InstrumentRegistry } from "../model/instruments.js";
import { resolveUniverse, type UniverseInstrument } from "../model/universe.js";
import type { Config, StrategyConfig } from "./schema/index.js";

/** The strategy the daemon runs: the first of `strategies` (one lead-lag strategy per daemon). */
export function leadLagStrategy(config: Config): StrategyConfig {
  return config.strategies[0];
}

/**
 * The registry from `symbol_rules_path` (relative to the working directory), for tools and tests: the daemon
 * reads it once at start (`resolveStart`) and hands it to the actors inside their sections.
 */
export function loadRegistry(config: Config): Promise<InstrumentRegistry> {
  return loadInstrumentRegistry(config.symbol_rules_path);
}

/** The configured symbols in their configured spelling, resolved to instruments. */
export function universe(config: Config, registry: InstrumentRegistry): UniverseInstrument[] {
  const symbols = leadLagStrategy(config).config.symbols;
  return resolveUniverse(symbols, registry, "strategies[0].config.symbols", config.symbol_rules_path);
}
