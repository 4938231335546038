import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { Publisher } from "zeromq";
import { FeedCore } from "../../src/actors/feed/core.js";
import { parseSymbolRules } from "../../src/actors/feed/instruments.js";
import { MarketDataBridge, subscriptionTopics } from "../../src/actors/feed/zmq-bridge.js";
import type { Book, Trade } from "../../src/protocol/market-data.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { CKPT_2, CKPT_TOPIC, DELTA_1, DELTA_3, DELTA_TOPIC, TRADE_PAYLOAD, TRADE_TOPIC } from "../fixtures/marketstream-examples.js";
import { freePortPair } from "../fixtures/ports.js";

const registry = parseSymbolRules(readFileSync(fromRoot("configs/symbol_rules.csv"), "utf8"));
const logger = pino({ level: "silent" });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Binds a PUB socket, retrying briefly: a just-closed socket releases its port asynchronously. */
async function publisher(port: number): Promise<Publisher> {
  for (let attempt = 0; ; attempt++) {
    const pub = new Publisher({ linger: 0 });
    try {
      await pub.bind(`tcp://127.0.0.1:${port}`);
      cleanups.push(() => pub.close());
      return pub;
    } catch (err) {
      pub.close();
      if (attempt > 50) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

function setup(tradesPort: number, booksPort: number) {
  const trades: Trade[] = [];
  const books: Book[] = [];
  const raw: string[] = [];
  const core = new FeedCore({ registry, lookbackNs: 60_000_000_000n, staleAfterNs: 1_000_000_000n }, { trade: (t) => trades.push(t), book: (b) => books.push(b) });
  const bridge = new MarketDataBridge(
    { host: "127.0.0.1", tradesPort, booksPort, topics: subscriptionTopics(["HYPERLIQUID"], ["BTC-USDC-PERP"]), logger },
    (topic, payload, recvNs) => {
      raw.push(`${topic} ${payload.toString()}`);
      core.onFrame(topic, payload, recvNs);
    },
  );
  bridge.start();
  cleanups.push(() => bridge.close());
  return { core, bridge, trades, books, raw };
}

describe("feed over ZeroMQ", () => {
  it("receives the doc's messages byte-exact over a real publisher and rebuilds the book", async () => {
    const [tp, bp] = freePortPair();
    const [tradePub, bookPub] = [await publisher(tp), await publisher(bp)];
    const { trades, books, raw, core } = setup(tp, bp);
    await until(() => {
      void tradePub.send([TRADE_TOPIC, TRADE_PAYLOAD]);
      return raw.length > 0;
    });
    for (const [topic, payload] of [[DELTA_TOPIC, DELTA_1], [CKPT_TOPIC, CKPT_2], [DELTA_TOPIC, DELTA_3]]) await bookPub.send([topic, payload]);
    await until(() => books.length === 2);
    expect(raw[0]).toBe(`${TRADE_TOPIC} ${TRADE_PAYLOAD}`);
    expect(trades[0].tsNs).toBe(1763380800345678901n);
    expect(books[1]).toMatchObject({ seq: 3, valid: true, bidPx: [97000, 96999, 96997], askPx: [97001, 97002, 97003] });
    expect(core.stats().drops.awaiting_checkpoint).toBe(1);
  });

  it("subscribes exactly: a _book subscription does not leak another symbol's stream", async () => {
    const [tp, bp] = freePortPair();
    const bookPub = await publisher(bp);
    await publisher(tp);
    const { raw } = setup(tp, bp);
    const eth = CKPT_2.replaceAll("BTC-USDC-PERP", "ETH-USDC-PERP");
    await until(() => {
      void bookPub.send(["HYPERLIQUID-preprocessed_book_ckpt-ETH-USDC-PERP", eth]);
      void bookPub.send([CKPT_TOPIC, CKPT_2]);
      return raw.length > 3;
    });
    expect(raw.every((r) => r.startsWith(CKPT_TOPIC))).toBe(true);
  });

  it("counts invalid payloads, gaps and duplicates from the wire and keeps going", async () => {
    const [tp, bp] = freePortPair();
    const tradePub = await publisher(tp);
    await publisher(bp);
    const { trades, core, raw } = setup(tp, bp);
    const seq = (n: number) => TRADE_PAYLOAD.replace('"seq":2,', `"seq":${n},`);
    await until(() => {
      void tradePub.send([TRADE_TOPIC, seq(1)]);
      return raw.length > 0;
    });
    for (const payload of ['{"receipt_timestamp_ns":,', seq(5), seq(5), seq(6)]) await tradePub.send([TRADE_TOPIC, payload]);
    await until(() => trades.at(-1)?.seq === 6);
    const stats = core.stats();
    expect(stats.drops.invalid_json).toBe(1);
    expect(stats.drops.duplicate).toBeGreaterThanOrEqual(1);
    expect(stats.streams[0]).toMatchObject({ gaps: 1, missing: 3 });
  });

  it("resumes after the publisher restarts on the same port", async () => {
    const [tp, bp] = freePortPair();
    await publisher(bp);
    const first = new Publisher({ linger: 0 });
    await first.bind(`tcp://127.0.0.1:${tp}`);
    const { trades } = setup(tp, bp);
    await until(() => {
      void first.send([TRADE_TOPIC, TRADE_PAYLOAD]);
      return trades.length > 0;
    });
    first.close();
    const second = await publisher(tp);
    const restarted = TRADE_PAYLOAD.replace('"seq":2,', '"seq":1,').replace("1763380800345678901", "1763380900000000000");
    await until(() => {
      void second.send([TRADE_TOPIC, restarted]);
      return trades.some((t) => t.tsNs === 1763380900000000000n);
    });
    expect(trades.at(-1)).toMatchObject({ seq: 1, tsNs: 1763380900000000000n });
  });

  it("names a malformed endpoint in its error", () => {
    const bridge = new MarketDataBridge({ host: "not a host", tradesPort: 1, booksPort: 2, topics: [], logger }, () => {});
    cleanups.push(() => bridge.close());
    expect(() => bridge.start()).toThrow(/trades socket to tcp:\/\/not a host:1/);
  });
});
