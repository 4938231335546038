/**
 * A daemon fed by the runner's marketstream publisher (`market_data.provider: zmq`), watching the market
 * without trading: what the market-data scenarios poke at. Also the per-symbol flow read from `/metrics`.
 */
import { readFileSync } from "node:fs";
import { parseConfig, type Config } from "../../../src/config/index.js";
import type { Scope } from "./cleanup.js";
import { tradingConfig, writeConfig } from "./configs.js";
import { Daemon } from "./daemon.js";
import { MarketPublisher } from "./market-publisher.js";
import { metricsOf } from "./observe.js";
import { freePorts } from "./ports.js";
import { sumBy } from "../prometheus.js";
import { coinOf } from "./venue.js";

export interface MarketRig {
  readonly publisher: MarketPublisher;
  readonly configPath: string;
  readonly config: Config;
  readonly health: number;
  start(label: string): Daemon;
}

export async function marketRig(scope: Scope): Promise<MarketRig> {
  const dir = scope.tempDir("run");
  const [health, trades, books] = await freePorts(3);
  const configPath = writeConfig(
    dir,
    tradingConfig({ dir, ports: { health, trades, books }, marketFrom: "runner", venue: "paper", trade: false }),
  );
  const config = parseConfig(readFileSync(configPath, "utf8"), { sourceName: configPath, env: {} });
  const publisher = new MarketPublisher(config, trades, books);
  await publisher.start();
  scope.onClose("close the market publisher", () => void publisher.close());
  return { publisher, configPath, config, health, start: (label) => Daemon.run(scope, label, configPath, health) };
}

/**
 * Per coin, from `/metrics`: messages the feed accepted (on one seq stream — `trades`, `book_stream` — or
 * all) and whether the feed calls the symbol stale.
 */
export async function feedFlow(
  daemon: Daemon,
  stream?: string,
): Promise<Map<string, { accepted: number; stale: boolean }>> {
  const all = await metricsOf(daemon);
  const samples =
    stream === undefined
      ? all
      : all.filter((s) => s.name !== "leadlag_feed_messages_total" || s.labels.stream === stream);
  const flow = new Map<string, { accepted: number; stale: boolean }>();
  const entry = (symbol: string) => {
    const coin = coinOf(symbol);
    if (!flow.has(coin)) flow.set(coin, { accepted: 0, stale: false });
    return flow.get(coin)!;
  };
  for (const [symbol, n] of sumBy(samples, "leadlag_feed_messages_total", "symbol")) entry(symbol).accepted += n;
  for (const [symbol, stale] of sumBy(samples, "leadlag_feed_stale", "symbol")) entry(symbol).stale ||= stale > 0;
  return flow;
}

/** Coins of the synthetic market (`BTC`, `ETH`, `SOL`). */
export function coins(config: Config): string[] {
  return config.market_data.synthetic.symbols.map((s) => coinOf(s.symbol));
}
