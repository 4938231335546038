import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { leadLagStrategy, type Config, type LeadLagStrategyParams } from "../../config/index.js";
import type { InstrumentRegistry } from "../../model/instruments.js";
import type { UniverseInstrument } from "../../model/universe.js";
import { ArtifactStore, type ArtifactLoad, type ArtifactSymbol } from "./artifacts.js";

function artifactSymbols(instruments: readonly UniverseInstrument[]): ArtifactSymbol[] {
  return instruments.map(({ id, symbol }) => ({ id, symbol }));
}

const ARTIFACT_FILES = {
  topPairs: "top_pairs.json",
  topFeatures: "top_features.json",
  baselines: "baselines.json",
} as const;

/** Reads the artifact files (null for a missing directory or file) and loads them into the store. */
export function loadArtifacts(store: ArtifactStore, dir: string): ArtifactLoad {
  if (!existsSync(dir)) return store.load(null);
  const read = (file: string) => {
    const full = path.join(dir, file);
    return existsSync(full) ? readFileSync(full, "utf8") : null;
  };
  return store.load({
    topPairs: read(ARTIFACT_FILES.topPairs),
    topFeatures: read(ARTIFACT_FILES.topFeatures),
    baselines: read(ARTIFACT_FILES.baselines),
  });
}

/** The artifact store of the configured universe, loaded once. */
export function artifactStore(
  config: Config,
  registry: InstrumentRegistry,
  instruments: readonly UniverseInstrument[],
): { store: ArtifactStore; loaded: ArtifactLoad } {
  const params = leadLagStrategy(config).config;
  const store = artifactStoreOf(params, registry, instruments);
  return { store, loaded: loadArtifacts(store, params.artifacts_path) };
}

/** An empty artifact store of the configured universe: other spellings resolve through the registry. */
export function artifactStoreOf(
  params: LeadLagStrategyParams,
  registry: InstrumentRegistry,
  instruments: readonly UniverseInstrument[],
): ArtifactStore {
  return new ArtifactStore(artifactSymbols(instruments), params.features, (spelling) => {
    const found = registry.resolve(spelling);
    return found.ok ? found.instrument.id : undefined;
  });
}
