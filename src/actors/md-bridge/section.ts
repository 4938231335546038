import type { Config } from "../../config/index.js";
import type { MarketDataSubscription } from "../feed/subscription.js";

/** What the marketstream bridge reads: where to connect and the exact topics, resolved at start. */
export interface MdBridgeSection {
  readonly host: string;
  readonly tradesPort: number;
  readonly booksPort: number;
  readonly exchanges: readonly string[];
  /** Trades and the book streams `market_data.deltas.enabled` (or the synthetic `book_mode`) selects. */
  readonly streams: readonly string[];
  readonly topics: readonly string[];
}

export function mdBridgeSection(config: Config, subscription: MarketDataSubscription): MdBridgeSection {
  const md = config.market_data;
  return {
    host: md.host,
    tradesPort: md.port,
    booksPort: md.books_port,
    exchanges: subscription.exchanges,
    streams: subscription.streams,
    topics: subscription.topics,
  };
}
