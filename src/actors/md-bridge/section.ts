import type { Config } from "../../config/index.js";
import type { MarketDataSubscription } from "../feed/subscription.js";

/** What the marketstream bridge reads: where to connect and the exact topics, resolved at start. */
export interface MdBridgeSection {
  readonly host: string;
  readonly tradesPort: number;
  readonly booksPort: number;
  readonly exchanges: readonly string[];
  readonly topics: readonly string[];
}

export function mdBridgeSection(config: Config, subscription: MarketDataSubscription): MdBridgeSection {
  const md = config.market_data;
  return {
    host: md.host,
    tradesPort: md.port,
    booksPort: md.books_port,
    exchanges: subscription.exchanges,
    topics: subscription.topics,
  };
}
