/**
 * The actors of a backtest: the daemon's own child list (supervisor/children.ts), with the replay feed in
 * place of the ZeroMQ bridge and the live feed, the backtest's venue, every actor on the inline thread,
 * and the journal and decision file in the run's temporary directory.
 */
import path from "node:path";
import type { Config } from "../../config/index.js";
import type { ReplayPort } from "../../actors/feed/replay/actor.js";
import { actorModule, childSpecsFor } from "../../supervisor/children.js";
import type { ChildSpec } from "../../supervisor/child-spec.js";
import { actorSections, resolveStart } from "../../supervisor/sections.js";

/** The venue a backtest trades: the simulated venue (`backtest.simulation`, docs/backtest.md). */
export function backtestVenueModule(): string {
  return actorModule("venues/simulated");
}

/** Market-data children of the live daemon that a replay replaces. */
const REPLACED = new Set(["market-synth", "md-bridge"]);

export interface BacktestChildrenOptions {
  readonly port: ReplayPort;
  /** Holds the orders journal and the decision-score CSV for the run. */
  readonly workDir: string;
  readonly seed: number;
}

/** The config every backtest actor runs with: files in `workDir`, books as deep as the replay asks. */
export function backtestActorConfig(config: Config, workDir: string): Config {
  const [strategy, ...others] = config.strategies;
  return {
    ...config,
    runtime: {
      ...config.runtime,
      db_path: path.join(workDir, "db"),
      database_url: undefined,
      // The journal never outlives the run (it is removed with workDir), so syncing it buys nothing.
      journal: { ...config.runtime.journal, path: path.join(workDir, "journal.log"), fsync: "none" },
    },
    market_data: {
      ...config.market_data,
      deltas: { ...config.market_data.deltas, lob_top_n: config.backtest?.microstructure_depth_levels ?? 10 },
    },
    strategies: [
      { ...strategy, config: { ...strategy.config, decision_scores_csv_path: decisionsPath(workDir) } },
      ...others,
    ],
  };
}

export function decisionsPath(workDir: string): string {
  return path.join(workDir, "decisions.csv");
}

export function backtestChildren(config: Config, options: BacktestChildrenOptions): ChildSpec[] {
  const actorConfig = backtestActorConfig(config, options.workDir);
  // The symbol rules and artifacts, read once for every actor of the run (as the daemon does).
  const start = resolveStart(actorConfig);
  // One core's worth of estimator shards (`auto` = 1): the run must not depend on the machine it runs on.
  return childSpecsFor(actorConfig, 1, start)
    .filter((c) => !REPLACED.has(c.name))
    .map((c): ChildSpec => {
      const base = { ...c, thread: "inline" };
      switch (c.name) {
        case "feed":
          // The port is the runner's, passed by reference (inline only): not frozen with the section.
          return {
            ...base,
            module: actorModule("feed/replay"),
            config: { ...(c.config as object), replayPort: options.port },
          };
        case "venue": {
          const venue = actorSections(withSeed(actorConfig, options.seed), start).simulatedVenue();
          return { ...base, module: backtestVenueModule(), config: venue };
        }
        case "orders":
          return { ...base, config: { ...(c.config as object), journalDatabase: false } };
        default:
          return base;
      }
    });
}

/** The run's seed (`--seed`, else `backtest.simulation.seed`) as the simulated venue reads it. */
function withSeed(config: Config, seed: number): Config {
  const backtest = config.backtest;
  if (backtest === undefined) return config;
  return { ...config, backtest: { ...backtest, simulation: { ...backtest.simulation, seed } } };
}
