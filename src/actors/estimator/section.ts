import type { Config } from "../../config/index.js";
import { leadLagStrategy } from "../../config/index.js";
import type { UniverseInstrument } from "../../model/universe.js";
import { jumpsCoreConfig } from "../jumps/config.js";
import type { JumpsCoreConfig } from "../jumps/core.js";
import type { ArtifactSet } from "../strategy/artifacts.js";
import { hyParamsOf } from "./params.js";
import type { ShardCoreConfig } from "./shard.js";

/** What one estimator shard reads: its place among the shards, the strategy's pairs and the jump detectors. */
export interface EstimatorSection {
  readonly shard: ShardCoreConfig;
  /** The jumps actor's detectors, replicated in the shard. */
  readonly detectors: JumpsCoreConfig;
}

export function estimatorSection(
  config: Config,
  instruments: readonly UniverseInstrument[],
  artifacts: ArtifactSet,
  shard: { readonly index: number; readonly count: number },
): EstimatorSection {
  const strategy = leadLagStrategy(config);
  return {
    shard: {
      shardIndex: shard.index,
      shardCount: shard.count,
      symbols: instruments.map(({ id, symbol }) => ({ id, symbol })),
      pairs: artifacts.pairs,
      features: strategy.config.features,
      hy: hyParamsOf(strategy),
    },
    detectors: jumpsCoreConfig(config, instruments),
  };
}
