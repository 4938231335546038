import { readFileSync } from "node:fs";
import type { Config } from "../config/index.js";
import { deepFreeze } from "../config/freeze.js";
import { universe } from "../config/index.js";
import { parseSymbolRules, type InstrumentRegistry } from "../model/instruments.js";
import type { UniverseInstrument } from "../model/universe.js";
import { accountSyncSection, type AccountSyncSection } from "../actors/account-sync/section.js";
import { estimatorSection, type EstimatorSection } from "../actors/estimator/section.js";
import { feedSection, type FeedSection } from "../actors/feed/section.js";
import { marketDataSubscription, type MarketDataSubscription } from "../actors/feed/subscription.js";
import { jumpsSection, type JumpsSection } from "../actors/jumps/config.js";
import { marketSynthSection, type MarketSynthSection } from "../actors/market-synth/section.js";
import { mdBridgeSection, type MdBridgeSection } from "../actors/md-bridge/section.js";
import { ordersSection, type OrdersSection } from "../actors/orders/section.js";
import { riskSection, type RiskSection } from "../actors/risk/section.js";
import { artifactStore } from "../actors/strategy/artifact-files.js";
import type { ArtifactLoad } from "../actors/strategy/artifacts.js";
import { strategySection, type StrategySection } from "../actors/strategy/section.js";
import {
  engineVenueSection,
  paperVenueSection,
  simulatedVenueSection,
  type EngineVenueSection,
  type PaperVenueSection,
  type SimulatedVenueSection,
} from "../actors/venues/section.js";

/** What the daemon resolves once at start, before any actor runs: every actor's section is built from it. */
export interface StartResolution {
  readonly registry: InstrumentRegistry;
  /** `strategies[0].config.symbols`, resolved. */
  readonly universe: readonly UniverseInstrument[];
  readonly subscription: MarketDataSubscription;
  /** The strategy artifacts as read at start (the strategy re-reads them on `artifacts_auto_reload`). */
  readonly artifacts: ArtifactLoad;
}

/** The symbol rules, the universe or the artifacts cannot be resolved: the daemon does not start. */
export class StartResolutionError extends Error {
  override readonly name = "StartResolutionError";
}

/** Reads a file's text; injected so a test can count the reads. */
export type ReadText = (path: string) => string;

const readText: ReadText = (path) => readFileSync(path, "utf8");

/**
 * Reads the symbol rules (`symbol_rules_path`, relative to the working directory) and the artifacts once.
 * An unknown symbol or a bad rules file throws here, naming the file, before anything starts.
 */
export function resolveStart(config: Config, read: ReadText = readText): StartResolution {
  if (config.strategies.length === 0)
    throw new StartResolutionError("strategies: none configured; the daemon runs one lead-lag strategy");
  return resolving(() => {
    const registry = parseSymbolRules(read(config.symbol_rules_path), config.symbol_rules_path);
    const configured = universe(config, registry);
    return {
      registry,
      universe: configured,
      subscription: marketDataSubscription(config, registry),
      artifacts: artifactStore(config, registry, configured).loaded,
    };
  });
}

/**
 * Each actor's section, deep-frozen: only what that actor reads, as plain data, so it crosses to a worker
 * thread by structured clone: the registry travels as its instrument list, and the actor rebuilds the lookup
 * (far cheaper than reading the file again: docs/benchmarks.md, "Figures behind the code").
 * A section is built when asked for: a daemon without the synthetic market never resolves its symbols.
 */
export interface ActorSections {
  marketSynth(): MarketSynthSection;
  mdBridge(): MdBridgeSection;
  feed(): FeedSection;
  estimator(index: number, count: number): EstimatorSection;
  jumps(): JumpsSection;
  accountSync(): AccountSyncSection;
  engineVenue(): EngineVenueSection;
  paperVenue(): PaperVenueSection;
  /** The backtest's venue (`backtest/runner/children.ts`); the daemon never runs it. */
  simulatedVenue(): SimulatedVenueSection;
  orders(): OrdersSection;
  risk(): RiskSection;
  strategy(): StrategySection;
}

export function actorSections(config: Config, start: StartResolution = resolveStart(config)): ActorSections {
  const instruments = start.registry.instruments;
  const { universe: configured, subscription, artifacts } = start;
  const frozen = <T>(build: () => T): T => deepFreeze(resolving(build));
  return {
    marketSynth: () => frozen(() => marketSynthSection(config, start.registry)),
    mdBridge: () => frozen(() => mdBridgeSection(config, subscription)),
    feed: () => frozen(() => feedSection(config, instruments, subscription)),
    estimator: (index, count) => frozen(() => estimatorSection(config, configured, artifacts.set, { index, count })),
    jumps: () => frozen(() => jumpsSection(config, configured)),
    accountSync: () => frozen(() => accountSyncSection(config)),
    engineVenue: () => frozen(() => engineVenueSection(config, instruments)),
    paperVenue: () => frozen(() => paperVenueSection(config, instruments)),
    simulatedVenue: () => frozen(() => simulatedVenueSection(config, instruments)),
    orders: () => frozen(() => ordersSection(config, instruments, configured)),
    risk: () => frozen(() => riskSection(config, instruments, configured)),
    strategy: () => frozen(() => strategySection(config, instruments, configured, artifacts)),
  };
}

/** Runs `resolve`, reporting any failure (a missing file, an unknown symbol) as a `StartResolutionError`. */
function resolving<T>(resolve: () => T): T {
  try {
    return resolve();
  } catch (err) {
    throw new StartResolutionError((err as Error).message, { cause: err });
  }
}
