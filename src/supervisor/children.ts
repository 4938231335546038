import os from "node:os";
import type { Config } from "../config/index.js";
import { estimatorShardCount } from "../config/index.js";
import type { ChildSpec } from "./child-spec.js";
import { actorSections, resolveStart, type StartResolution } from "./sections.js";
import { compiledUrl } from "../runtime/paths.js";
import type { ShadowTapSection } from "../actors/shadow-tap/section.js";

const ESTIMATOR_THREAD_PREFIX = "worker-estimator-";

/** The compiled module of an actor: `src/actors/<path>/actor.ts`. */
export function actorModule(path: string): string {
  return compiledUrl(new URL(`../actors/${path}/actor.ts`, import.meta.url)).href;
}

/**
 * The daemon's child list, in start order; reverse order is a safe stop order: the strategy stops before
 * risk, orders and the venue, so its exits can still go out, and market data stops last.
 * Placement follows `runtime.placement` (architecture §4): ZeroMQ actors on `main`, the tick path on the
 * hot thread (`main` by default, else the `hot` worker), one worker per estimator shard.
 * The registry, the universe and the artifacts are resolved once here (`resolveStart`); each child gets
 * its own frozen section of the config (`actorSections`), never the whole `Config`.
 * With `tap` (the daemon's; never a backtest's), the shadow tap runs last on the feed's thread, so each
 * message reaches the live strategy before it is copied to the shadows (docs/shadow.md).
 */
export function childSpecsFor(
  config: Config,
  cpuCount = os.availableParallelism(),
  start: StartResolution = resolveStart(config),
  tap?: ShadowTapSection,
): ChildSpec[] {
  const placement = config.runtime.placement;
  const hot = new Set<string>(placement.hot_worker);
  const hotThread = hotThreadOf(config);
  const threadOf = (name: string): string =>
    placement.layout !== "isolated" && hot.has(name) ? hotThread : `worker-${name}`;
  const shutdownMs = config.runtime.supervisor.shutdown_timeout_ms;
  const sections = actorSections(config, start);
  const children: ChildSpec[] = [];
  const add = (name: string, path: string, thread: string, section: object) =>
    children.push({ name, module: actorModule(path), thread, config: section, shutdownMs });

  if (config.market_data.provider === "synthetic") add("market-synth", "market-synth", "main", sections.marketSynth());
  add("md-bridge", "md-bridge", "main", sections.mdBridge());
  add("feed", "feed", threadOf("feed"), sections.feed());
  const shards = estimatorShardCount(placement, cpuCount);
  // `estimator` in hot_worker puts the shards beside the strategy: a scan is then a mailbox hop, not a
  // wake-up of a parked worker (costly on a small VM: docs/benchmarks.md).
  const shardThread = (i: number) =>
    placement.layout !== "isolated" && hot.has("estimator") ? hotThread : `${ESTIMATOR_THREAD_PREFIX}${i}`;
  for (let i = 0; i < shards; i++) add(`estimator-${i}`, "estimator", shardThread(i), sections.estimator(i, shards));
  add("jumps", "jumps", threadOf("jumps"), sections.jumps());
  // ZeroMQ on main; idle unless orders go to an external engine (docs/account-sync.md).
  add("account-sync", "account-sync", "main", sections.accountSync());
  if (config.execution.provider === "zmq") add("venue", "venues/engine", "main", sections.engineVenue());
  else add("venue", "venues/paper", threadOf("venue"), sections.paperVenue());
  add("orders", "orders", threadOf("orders"), sections.orders());
  add("risk", "risk", threadOf("risk"), sections.risk());
  add("strategy", "strategy", threadOf("strategy"), sections.strategy());
  if (tap !== undefined) add("shadow-tap", "shadow-tap", threadOf("feed"), tap);
  return children;
}

/** The thread of the hot_worker actors: `main`, or the worker `hot` (`runtime.placement.hot_thread`). */
export function hotThreadOf(config: Config): string {
  return config.runtime.placement.hot_thread === "main" ? "main" : "hot";
}

/** µs each thread spins after work before parking (`runtime.spin`): main, estimator workers, other workers. */
export function spinPlan(config: Config): (thread: string) => number {
  const spin = config.runtime.spin;
  return (thread) =>
    thread === "main"
      ? spin.main_spin_us
      : thread.startsWith(ESTIMATOR_THREAD_PREFIX)
        ? spin.estimator_spin_us
        : spin.spin_us;
}
