/**
 * What a backtest will do, from the resolved config and the command line, checked before anything is
 * read: the window, the symbols (configured and as recorded), the source, the time model's feed latency,
 * the pace. A key a backtest cannot honour is refused here with a message naming it.
 */
import type { Config } from "../../config/index.js";
import { leadLagStrategy, loadRegistry } from "../../config/index.js";
import { msToNs, type Nanos } from "../../model/time.js";
import { isPostgresUrl } from "../sources/open.js";
import { liveOnlyKeys } from "./unused-keys.js";

/** A config or command line a backtest cannot run: exit 2 with this one-line message. */
export class BacktestRefused extends Error {
  override readonly name = "BacktestRefused";
}

export interface BacktestOverrides {
  readonly from?: string;
  readonly start?: string;
  readonly end?: string;
  readonly seed?: number;
}

export interface BacktestPlan {
  readonly startNs: Nanos;
  readonly endNs: Nanos;
  /** Configured spelling (the strategy's), in `backtest.symbols` order. */
  readonly symbols: readonly string[];
  /** The same symbols as the recorder wrote them (marketstream spelling): the source's filter. */
  readonly recordedSymbols: readonly string[];
  /** `--from`, else `backtest.data_source.connection`. */
  readonly source: string;
  readonly tables: { readonly trades: string; readonly books: string };
  readonly batchSize: number;
  /** Added to every event's receipt time: when the actors see it. */
  readonly feedLatencyNs: Nanos;
  /** 0 = as fast as possible, else replayed event time runs this many times faster than the wall clock. */
  readonly speedMultiplier: number;
  readonly seed: number;
}

function isoNs(name: string, iso: string): Nanos {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new BacktestRefused(`${name} must be an ISO date, got '${iso}'`);
  return msToNs(ms);
}

export async function planBacktest(config: Config, overrides: BacktestOverrides): Promise<BacktestPlan> {
  if (config.mode !== "backtest")
    throw new BacktestRefused(
      `the config has mode: ${config.mode}; leadlag backtest runs a config with mode: backtest`,
    );
  const bt = config.backtest;
  if (bt === undefined) throw new BacktestRefused("the config has no backtest: section");
  if (config.market_data.provider !== "postgresql")
    throw new BacktestRefused(
      `market_data.provider: ${config.market_data.provider} is not used by a backtest, which replays ` +
        "backtest.data_source (or --from); remove it or set it to postgresql",
    );
  if (config.execution.provider !== "paper")
    throw new BacktestRefused(
      `execution.provider: ${config.execution.provider} cannot be backtested: a backtest trades the simulated venue ` +
        "(execution.provider: paper)",
    );
  if (config.runtime.placement.layout === "isolated")
    throw new BacktestRefused(
      "runtime.placement.layout: isolated is not used by a backtest, which runs every actor on one thread " +
        "(layout: inline or default)",
    );
  const unused = liveOnlyKeys(config);
  if (unused.length > 0) throw new BacktestRefused(unused.join("; "));
  const startNs = isoNs(
    overrides.start !== undefined ? "--start" : "backtest.start_date",
    overrides.start ?? bt.start_date,
  );
  const endNs = isoNs(overrides.end !== undefined ? "--end" : "backtest.end_date", overrides.end ?? bt.end_date);
  if (!(startNs < endNs)) throw new BacktestRefused("the window is empty: start must be before end");
  const registry = await loadRegistry(config).catch((err: NodeJS.ErrnoException) => {
    throw new BacktestRefused(`cannot read symbol_rules_path ${config.symbol_rules_path}: ${err.code ?? err.message}`);
  });
  const recordedSymbols = bt.symbols.map((name) => {
    const found = registry.resolve(name);
    if (!found.ok) throw new BacktestRefused(`backtest.symbols: '${name}' is not in ${config.symbol_rules_path}`);
    return found.instrument.mdSymbol;
  });
  const replayed = new Set(bt.symbols.map((s) => registry.resolve(s)).map((r) => (r.ok ? r.instrument.id : -1)));
  for (const name of leadLagStrategy(config).config.symbols) {
    const found = registry.resolve(name);
    if (found.ok && !replayed.has(found.instrument.id))
      throw new BacktestRefused(`strategy symbol ${name} is not replayed: add it to backtest.symbols`);
  }
  const source = overrides.from ?? bt.data_source.connection;
  if (source === undefined) throw new BacktestRefused("no data source: give --from or backtest.data_source.connection");
  if (overrides.from === undefined && bt.data_source.type === "postgresql" && !isPostgresUrl(source))
    throw new BacktestRefused(`backtest.data_source.connection must be a postgresql:// URL with type: postgresql`);
  const sim = bt.simulation;
  return {
    startNs,
    endNs,
    symbols: bt.symbols,
    recordedSymbols,
    source,
    tables: { trades: bt.data_source.trade_table, books: bt.data_source.book_table },
    batchSize: bt.data_source.batch_size,
    feedLatencyNs: msToNs(sim.feed_latency_ms ?? sim.latency_ms),
    speedMultiplier: bt.speed_multiplier,
    seed: overrides.seed ?? sim.seed,
  };
}
