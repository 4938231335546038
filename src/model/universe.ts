import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Config, StrategyConfig } from "../config/index.js";
import type { InstrumentRegistry } from "./instruments.js";
import { ArtifactStore, type ArtifactLoad, type ArtifactSymbol } from "../actors/strategy/artifacts.js";
import type { StrategyInstrument } from "../actors/strategy/sizing.js";
import type { HyParams } from "../actors/estimator/params.js";
import type { JumpsCoreConfig } from "../actors/jumps/core.js";

/** The strategy the daemon runs: the first of `strategies` (one lead-lag strategy per daemon). */
export function leadLagStrategy(config: Config): StrategyConfig {
  return config.strategies[0];
}

/**
 * The configured symbols in their configured spelling, resolved to instruments. An unknown symbol is a
 * clear start error: trading a universe that is only partly known would be silently wrong.
 */
export function universe(config: Config, registry: InstrumentRegistry): StrategyInstrument[] {
  return leadLagStrategy(config).config.symbols.map((spelling) => {
    const found = registry.resolve(spelling);
    if (!found.ok) throw new Error(`strategies[0].config.symbols: '${spelling}' is not in ${config.symbol_rules_path}`);
    const inst = found.instrument;
    return { id: inst.id, symbol: spelling, lotSize: inst.lotSize, tickSize: inst.tickSize, minNotional: inst.minNotional };
  });
}

export function artifactSymbols(instruments: readonly StrategyInstrument[]): ArtifactSymbol[] {
  return instruments.map(({ id, symbol }) => ({ id, symbol }));
}

export function hyParamsOf(strategy: StrategyConfig): HyParams {
  const p = strategy.config;
  const hy = p.hy_estimator_config;
  return {
    inferenceLookbackSeconds: p.inference_lookback_seconds,
    lagMinS: hy.lag_min_s,
    lagMaxS: hy.lag_max_s,
    lagStepS: hy.lag_step_s,
    excludeLowS: hy.exclude_low_s,
    excludeHighS: hy.exclude_high_s,
    correlationThreshold: p.correlation_threshold,
    llsThreshold: p.lls_threshold,
  };
}

/**
 * The jump detectors of the daemon, from `jump_detection_config`: one per configured symbol, all in the
 * co-jump filter. The jumps actor and every estimator shard build the same one (a shard runs a replica to
 * start the scan a jump will ask for as soon as the jump tick arrives).
 */
export function jumpsCoreConfig(config: Config, instruments: readonly StrategyInstrument[]): JumpsCoreConfig {
  const j = leadLagStrategy(config).config.jump_detection_config;
  return {
    symbols: instruments.map(({ id, symbol }) => ({ id, symbol })),
    params: { windowK: j.window_K, alpha: j.alpha, coJumpThreshold: j.co_jump_threshold, coJumpWindowS: j.co_jump_window_s },
    source: j.price_source,
  };
}

const ARTIFACT_FILES = { topPairs: "top_pairs.json", topFeatures: "top_features.json", baselines: "baselines.json" } as const;

/** Reads the artifact files (null for a missing directory or file) and loads them into the store. */
export function loadArtifacts(store: ArtifactStore, dir: string): ArtifactLoad {
  if (!existsSync(dir)) return store.load(null);
  const read = (file: string) => {
    const full = path.join(dir, file);
    return existsSync(full) ? readFileSync(full, "utf8") : null;
  };
  return store.load({ topPairs: read(ARTIFACT_FILES.topPairs), topFeatures: read(ARTIFACT_FILES.topFeatures), baselines: read(ARTIFACT_FILES.baselines) });
}

/** The artifact store of the configured universe, loaded once. */
export function artifactStore(config: Config, registry: InstrumentRegistry, instruments: readonly StrategyInstrument[]): { store: ArtifactStore; loaded: ArtifactLoad } {
  const strategy = leadLagStrategy(config);
  const store = new ArtifactStore(artifactSymbols(instruments), strategy.config.features, (spelling) => {
    const found = registry.resolve(spelling);
    return found.ok ? found.instrument.id : undefined;
  });
  return { store, loaded: loadArtifacts(store, strategy.config.artifacts_path) };
}
