import type { Config } from "../../config/index.js";
import type { InstrumentRegistry } from "../../model/instruments.js";
import { syntheticSpecFromConfig, type SyntheticMarketSpec } from "./spec.js";

/** What the synthetic market reads: its market, resolved through the registry at start, and where to publish. */
export interface MarketSynthSection {
  readonly market: SyntheticMarketSpec;
  readonly host: string;
  readonly tradesPort: number;
  readonly booksPort: number;
  readonly intervalMs: number;
}

export function marketSynthSection(config: Config, registry: InstrumentRegistry): MarketSynthSection {
  const md = config.market_data;
  return {
    market: syntheticSpecFromConfig(md.synthetic, registry),
    host: md.host,
    tradesPort: md.port,
    booksPort: md.books_port,
    intervalMs: md.synthetic.publish_interval_ms,
  };
}
