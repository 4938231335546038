import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { FeedCore } from "../../src/actors/feed/core.js";
import { parseSymbolRules } from "../../src/model/instruments.js";
import { marketstreamStreams } from "../../src/actors/feed/subscription.js";
import { MarketDataBridge, subscriptionTopics } from "../../src/actors/feed/zmq-bridge.js";
import { SyntheticMarket } from "../../src/actors/market-synth/generator.js";
import { SyntheticPublisher } from "../../src/actors/market-synth/publisher.js";
import { syntheticSpecFromConfig } from "../../src/actors/market-synth/spec.js";
import type { Book, Trade } from "../../src/protocol/market-data.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { marketDataSchema } from "../../src/config/schema/market-data.js";
import { freePortPair } from "../fixtures/ports.js";
import { wallClockNs } from "../../src/runtime/clock.js";

const registry = parseSymbolRules(readFileSync(fromRoot("configs/symbol_rules.csv"), "utf8"));
const logger = pino({ level: "silent" });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function publisher(tradesPort: number, booksPort: number): SyntheticPublisher {
  const spec = syntheticSpecFromConfig(
    marketDataSchema.parse({ synthetic: { book_rate_hz: 100, trade_rate_hz: 50 } }).synthetic,
    registry,
  );
  return new SyntheticPublisher(new SyntheticMarket(spec, wallClockNs()), {
    host: "127.0.0.1",
    tradesPort,
    booksPort,
    intervalMs: 5,
    logger,
  });
}

describe("synthetic publisher", () => {
  it("publishes marketstream messages the bridge and feed turn into valid trades and books", async () => {
    const [tp, bp] = freePortPair();
    const trades: Trade[] = [];
    const books: Book[] = [];
    const core = new FeedCore(
      { registry, lookbackNs: 60_000_000_000n, staleAfterNs: 1_000_000_000n, maxClockSkewNs: 2_000_000_000n },
      { trade: (t) => trades.push(t), book: (b) => books.push(b) },
    );
    const bridge = new MarketDataBridge(
      {
        host: "127.0.0.1",
        tradesPort: tp,
        booksPort: bp,
        topics: subscriptionTopics(
          ["HYPERLIQUID"],
          ["BTC-USDC-PERP", "ETH-USDC-PERP", "SOL-USDC-PERP"],
          marketstreamStreams(true),
        ),
        logger,
      },
      (t, p, ns) => core.onFrame(t, p, ns),
    );
    bridge.start();
    cleanups.push(() => bridge.close());
    const pub = publisher(tp, bp);
    await pub.start();
    cleanups.push(() => pub.close());
    const deadline = Date.now() + 10_000;
    while ((trades.length < 20 || books.filter((b) => b.valid).length < 20) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(trades.length).toBeGreaterThanOrEqual(20);
    expect(books.some((b) => b.valid && b.bidPx.length === 10)).toBe(true);
    const drops = Object.entries(core.stats().drops).filter(([reason, n]) => n > 0 && reason !== "awaiting_checkpoint");
    expect(drops).toEqual([]);
    expect(core.stale("BTC-USDT-PERP", wallClockNs())).toBe(false);
    expect(pub.stats().trades).toBeGreaterThanOrEqual(trades.length);
  });

  it("names the endpoint when the port is in use", async () => {
    const [tp, bp] = freePortPair();
    const first = publisher(tp, bp);
    await first.start();
    cleanups.push(() => first.close());
    await expect(publisher(tp, bp + 100).start()).rejects.toThrow(
      `synthetic market: cannot bind the trades socket on tcp://127.0.0.1:${tp}: Address already in use`,
    );
  });
});
