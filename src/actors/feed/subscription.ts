/**
 * What the feed (and the recorder) subscribe to, from the resolved config: the exchanges and the
 * instruments, in marketstream spelling. Pure: the registry is passed in.
 */
import type { Config } from "../../config/index.js";
import type { Instrument, InstrumentRegistry } from "../../model/instruments.js";
import { subscriptionTopics } from "./zmq-bridge.js";

export interface MarketDataSubscription {
  readonly exchanges: readonly string[];
  readonly instruments: readonly Instrument[];
  readonly topics: readonly string[];
}

/**
 * With the synthetic provider the publisher's own exchange and symbols; otherwise `market_data.exchanges`
 * and the union of the strategies' symbols (every instrument of the rules when no strategy names one).
 * A symbol missing from the rules is an error naming it: silently subscribing to nothing is worse.
 */
export function marketDataSubscription(config: Config, registry: InstrumentRegistry): MarketDataSubscription {
  const md = config.market_data;
  const synthetic = md.provider === "synthetic";
  const names = synthetic
    ? md.synthetic.symbols.map((s) => s.symbol)
    : config.strategies.flatMap((s) => s.config.symbols);
  const instruments =
    names.length === 0
      ? [...registry.instruments]
      : names.map((name) => {
          const lookup = registry.resolve(name);
          if (!lookup.ok) throw new Error(`symbol '${name}' is not in ${config.symbol_rules_path}`);
          return lookup.instrument;
        });
  const unique = [...new Map(instruments.map((i) => [i.id, i])).values()];
  const exchanges = synthetic ? [md.synthetic.exchange] : md.exchanges.map((e) => e.toUpperCase());
  return {
    exchanges,
    instruments: unique,
    topics: subscriptionTopics(
      exchanges,
      unique.map((i) => i.mdSymbol),
    ),
  };
}
