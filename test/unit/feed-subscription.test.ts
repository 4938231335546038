import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseSymbolRules } from "../../src/model/instruments.js";
import { marketDataSubscription, marketstreamStreams } from "../../src/actors/feed/subscription.js";
import { subscriptionTopics } from "../../src/actors/feed/zmq-bridge.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { parseConfig } from "../../src/config/index.js";

const registry = parseSymbolRules(readFileSync(fromRoot("configs/symbol_rules.csv"), "utf8"));

const zmqConfig = (symbols: string, marketData = "") =>
  parseConfig(
    `market_data:\n  provider: zmq\n  exchanges: [hyperliquid]\n${marketData}strategies:\n  - name: s\n    type: leadlag\n    ` +
      `config:\n      symbols: ${symbols}\n`,
    { env: {} },
  );

describe("market-data subscription", () => {
  it("subscribes to whole topics per stream, so _book never leaks into _book_delta", () => {
    expect(subscriptionTopics(["HYPERLIQUID"], ["BTC-USDC-PERP"], marketstreamStreams(true))).toEqual([
      "HYPERLIQUID-preprocessed_trades-BTC-USDC-PERP",
      "HYPERLIQUID-preprocessed_book_delta-BTC-USDC-PERP",
      "HYPERLIQUID-preprocessed_book_ckpt-BTC-USDC-PERP",
    ]);
  });

  it("subscribes to snapshots with deltas.enabled false (the default) and to deltas + checkpoints with true", () => {
    const off = marketDataSubscription(zmqConfig("[BTC-USDT-PERP]"), registry);
    expect(off.topics).toEqual([
      "HYPERLIQUID-preprocessed_trades-BTC-USDC-PERP",
      "HYPERLIQUID-preprocessed_book-BTC-USDC-PERP",
    ]);
    const on = marketDataSubscription(zmqConfig("[BTC-USDT-PERP]", "  deltas: {enabled: true}\n"), registry);
    expect(on.streams).toEqual(["preprocessed_trades", "preprocessed_book_delta", "preprocessed_book_ckpt"]);
    expect(on.topics).toEqual([
      "HYPERLIQUID-preprocessed_trades-BTC-USDC-PERP",
      "HYPERLIQUID-preprocessed_book_delta-BTC-USDC-PERP",
      "HYPERLIQUID-preprocessed_book_ckpt-BTC-USDC-PERP",
    ]);
  });

  it("follows the synthetic market's exchange, symbols and book mode with the synthetic provider", () => {
    const sub = marketDataSubscription(parseConfig("market_data:\n  provider: synthetic\n", { env: {} }), registry);
    expect(sub.exchanges).toEqual(["HYPERLIQUID"]);
    expect(sub.instruments.map((i) => i.mdSymbol)).toEqual(["BTC-USDC-PERP", "ETH-USDC-PERP", "SOL-USDC-PERP"]);
    expect(sub.streams).toEqual(["preprocessed_trades", "preprocessed_book_delta", "preprocessed_book_ckpt"]);
    expect(sub.topics).toHaveLength(9);
    const snapshots = marketDataSubscription(
      parseConfig("market_data:\n  provider: synthetic\n  synthetic: {book_mode: snapshots}\n", { env: {} }),
      registry,
    );
    expect(snapshots.streams).toEqual(["preprocessed_trades", "preprocessed_book"]);
  });

  it("maps configured spellings to marketstream's, once per instrument", () => {
    const sub = marketDataSubscription(zmqConfig("[BTC-USDT-PERP, BTC, ETH-USDT-PERP]"), registry);
    expect(sub.instruments.map((i) => i.mdSymbol)).toEqual(["BTC-USDC-PERP", "ETH-USDC-PERP"]);
    expect(sub.topics[0]).toBe("HYPERLIQUID-preprocessed_trades-BTC-USDC-PERP");
  });

  it("refuses a symbol missing from the rules, naming it", () => {
    expect(() => marketDataSubscription(zmqConfig("[DOGE-USDT-PERP]"), registry)).toThrow(
      "symbol 'DOGE-USDT-PERP' is not in configs/symbol_rules.csv",
    );
  });
});
