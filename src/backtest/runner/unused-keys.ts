/**
 * Keys of a `mode: backtest` config that only the live daemon reads (its ZeroMQ sockets, threads, journal,
 * HTTP server). A backtest would ignore them, so a value other than the default is refused, naming the key
 * and what a backtest uses instead. The resolved config no longer says whether a key was written, so a key
 * written with its default value passes: it changes nothing either way.
 */
import { isDeepStrictEqual } from "node:util";
import type { Config } from "../../config/index.js";
import { executionSchema } from "../../config/schema/execution.js";
import { marketDataSchema } from "../../config/schema/market-data.js";
import { observabilitySchema } from "../../config/schema/observability.js";
import { runtimeSchema } from "../../config/schema/runtime.js";

const ENGINE = "the trading engine's ZeroMQ address; a backtest trades the simulated venue";
const FEED = "the live feed's ZeroMQ subscription; a backtest replays backtest.data_source (or --from)";
const JOURNAL = "the order journal; a backtest journals to a temporary directory removed at the end";
const THREADS = "thread placement; a backtest runs every actor on one thread";
const SERVER = "the daemon's HTTP server; a backtest serves nothing";
const STOP = "the daemon's stop sequence; a backtest ends with its positions open, marked to market (open_pnl)";
const LOG_FILE = "the daemon's log file; a backtest logs warnings and errors to stderr";

/** Dotted path → why a backtest does not read it. Sections are compared whole. */
const LIVE_ONLY: Readonly<Record<string, string>> = {
  "execution.host": ENGINE,
  "execution.orders_port": ENGINE,
  "execution.events_port": ENGINE,
  "execution.paper": "the paper venue's latency; a backtest takes backtest.simulation's latencies",
  "market_data.host": FEED,
  "market_data.port": FEED,
  "market_data.books_port": FEED,
  "market_data.exchanges": FEED,
  "market_data.deltas":
    "the live feed's delta topics and depth; a backtest rebuilds backtest.microstructure_depth_levels",
  "market_data.synthetic": "the embedded synthetic market; a backtest replays recorded data",
  "runtime.database_url": JOURNAL,
  "runtime.db_path": JOURNAL,
  "runtime.journal": JOURNAL,
  "runtime.placement.hot_thread": THREADS,
  "runtime.placement.hot_worker": THREADS,
  "runtime.placement.estimator_shards": "a backtest runs one estimator shard, so a run does not depend on the machine",
  "runtime.spin": THREADS,
  "runtime.watchdog": "the main-thread stall watchdog; a backtest's clock is event time",
  "runtime.control": SERVER,
  "runtime.supervisor": "actor restarts; a backtest does not restart an actor (that would be a different run)",
  "runtime.shutdown.flatten": STOP,
  "runtime.shutdown.timeout_ms": STOP,
  "observability.health_server.host": SERVER,
  "observability.health_server.port": SERVER,
  "observability.health_server.max_event_loop_lag_ms": SERVER,
  "observability.accounts_zmq": "account sync with the trading engine; a backtest trades the simulated venue",
  "observability.metrics_aggregator": "the daemon's periodic metrics log; a backtest reports at the end",
  "observability.logging.file": LOG_FILE,
  "observability.logging.max_size_mb": LOG_FILE,
  "observability.logging.max_files": LOG_FILE,
};

const DEFAULTS = {
  execution: executionSchema.parse({}),
  market_data: marketDataSchema.parse({}),
  runtime: runtimeSchema.parse({}),
  observability: observabilitySchema.parse({}),
};

function at(root: unknown, dotted: string): unknown {
  return dotted.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
}

/** One line per live-only key the config sets to other than its default; empty when there is none. */
export function liveOnlyKeys(config: Config): string[] {
  return Object.entries(LIVE_ONLY)
    .filter(([key]) => !isDeepStrictEqual(at(config, key), at(DEFAULTS, key)))
    .map(([key, why]) => `${key} is not used by a backtest (${why}); remove it`);
}
