/**
 * A shadow's child group (docs/shadow.md): its own strategy, risk and order manager, and the backtest's
 * simulated venue in place of the engine or the paper venue, all on the shadow's worker thread (or all on the
 * daemon's main thread: `thread: main`). Nothing
 * in it writes a channel the live daemon reads: it is fed by the tap and answers only to itself.
 */
import path from "node:path";
import { simulationSchema, type Config, type ShadowThread } from "../../config/index.js";
import { actorModule } from "../children.js";
import type { ChildSpec } from "../child-spec.js";
import { actorSections, type StartResolution } from "../sections.js";

/** The group's name: the prefix of its children's names, and its worker thread's. */
export function shadowGroupName(name: string): string {
  return `shadow-${name}`;
}

/** The config the shadow's actors run with: its journal, breaker state and decision file in `dir`, never the live ones. */
export function shadowActorConfig(config: Config, dir: string): Config {
  const [strategy] = config.strategies;
  return {
    ...config,
    runtime: {
      ...config.runtime,
      db_path: path.join(dir, "db"),
      database_url: undefined,
      // A shadow's journal lives as long as its attachment (removed on the next attach): syncing buys nothing.
      journal: { ...config.runtime.journal, path: path.join(dir, "journal.log"), fsync: "none" },
    },
    strategies: [{ ...strategy, config: { ...strategy.config, decision_scores_csv_path: shadowDecisionsPath(dir) } }],
  };
}

export function shadowDecisionsPath(dir: string): string {
  return path.join(dir, "decisions.csv");
}

export interface ShadowChildren {
  /** `shadow-NAME`, or `main`. */
  readonly thread: string;
  readonly specs: ChildSpec[];
}

/** The group's children, in start order (venue first, strategy last: the stop order is the reverse). */
export function shadowChildSpecs(
  name: string,
  config: Config,
  start: StartResolution,
  dir: string,
  placement: ShadowThread = "own",
): ShadowChildren {
  const group = shadowGroupName(name);
  const thread = placement === "main" ? "main" : group;
  const sections = actorSections(shadowActorConfig(config, dir), start);
  const shutdownMs = config.runtime.supervisor.shutdown_timeout_ms;
  const child = (role: string, module: string, section: object): ChildSpec => ({
    name: `${group}-${role}`,
    module: actorModule(module),
    thread,
    config: section,
    shutdownMs,
  });
  return {
    thread,
    specs: [
      // `backtest.simulation` of the shadow's config, or the simulated venue's defaults.
      child("venue", "venues/simulated", {
        ...sections.simulatedVenue(),
        simulation: config.backtest?.simulation ?? simulationSchema.parse({}),
      }),
      child("orders", "orders", { ...sections.orders(), journalDatabase: false }),
      child("risk", "risk", sections.risk()),
      child("strategy", "strategy", sections.strategy()),
    ],
  };
}
