/**
 * What the feed (and the recorder) subscribe to, from the resolved config: the exchanges and the
 * instruments, in marketstream spelling. Pure: the registry is passed in.
 */
import type { Config } from "../../config/index.js";
import type { Instrument, InstrumentRegistry } from "../../model/instruments.js";
import type { MarketstreamStream } from "../../protocol/wire/marketstream.js";
import { subscriptionTopics } from "./zmq-bridge.js";

export interface MarketDataSubscription {
  readonly exchanges: readonly string[];
  /** Trades, then the book streams: snapshots, or deltas and checkpoints. */
  readonly streams: readonly MarketstreamStream[];
  readonly instruments: readonly Instrument[];
  readonly topics: readonly string[];
}

/** Trades and the book streams marketstream sends with its `zmq.deltas.enabled` on (true) or off. */
export function marketstreamStreams(deltas: boolean): readonly MarketstreamStream[] {
  return deltas
    ? ["preprocessed_trades", "preprocessed_book_delta", "preprocessed_book_ckpt"]
    : ["preprocessed_trades", "preprocessed_book"];
}

/**
 * The book streams marketstream sends, as its `zmq.deltas.enabled` decides: deltas and checkpoints when on,
 * snapshots when off, never both. `market_data.deltas.enabled` mirrors that switch; the embedded synthetic
 * market is leadlag's own publisher, so there its `book_mode` says what it sends.
 */
export function subscribedStreams(config: Config): readonly MarketstreamStream[] {
  const md = config.market_data;
  const deltas = md.provider === "synthetic" ? md.synthetic.book_mode === "deltas" : md.deltas.enabled;
  return marketstreamStreams(deltas);
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
  const streams = subscribedStreams(config);
  return {
    exchanges,
    streams,
    instruments: unique,
    topics: subscriptionTopics(
      exchanges,
      unique.map((i) => i.mdSymbol),
      streams,
    ),
  };
}
