import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { Publisher } from "zeromq";
import { FeedCore } from "../../src/actors/feed/core.js";
import { parseSymbolRules } from "../../src/model/instruments.js";
import { marketstreamStreams } from "../../src/actors/feed/subscription.js";
import { MarketDataBridge, subscriptionTopics } from "../../src/actors/feed/zmq-bridge.js";
import { createCodec } from "../../src/protocol/catalog.js";
import type { Book, Trade } from "../../src/protocol/market-data.js";
import { fromRoot } from "../../src/runtime/paths.js";
import {
  CKPT_2,
  CKPT_TOPIC,
  DELTA_1,
  DELTA_3,
  DELTA_TOPIC,
  SNAPSHOT_PAYLOAD,
  SNAPSHOT_TOPIC,
  TRADE_PAYLOAD,
  TRADE_TOPIC,
} from "../fixtures/marketstream-examples.js";
import { freePort, freePortPair } from "../fixtures/ports.js";
import { wallClockNs } from "../../src/runtime/clock.js";

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

/** The payload stamped `offsetNs` from now: the bridge stamps the real clock, the feed drops skewed frames. */
function stamped(payload: string, offsetNs = 0n): string {
  return payload.replace(/"receipt_timestamp_ns":\d+/, `"receipt_timestamp_ns":${wallClockNs() + offsetNs}`);
}

const receiptOf = (payload: string) => BigInt(/"receipt_timestamp_ns":(\d+)/.exec(payload)![1]);

/** Bridge and feed core as the daemon wires them, messages encoded as `ctx.send` does. */
function setup(tradesPort: number, booksPort: number, deltas = true) {
  const trades: Trade[] = [];
  const books: Book[] = [];
  const raw: string[] = [];
  const codec = createCodec();
  const port = {
    trade: (t: Trade) => {
      codec.encode(t);
      trades.push(t);
    },
    book: (b: Book) => {
      codec.encode(b);
      books.push(b);
    },
  };
  const S = 1_000_000_000n;
  const options = { registry, lookbackNs: 60n * S, staleAfterNs: S, maxClockSkewNs: 2n * S };
  const core = new FeedCore(options, port);
  const bridge = new MarketDataBridge(
    {
      host: "127.0.0.1",
      tradesPort,
      booksPort,
      topics: subscriptionTopics(["HYPERLIQUID"], ["BTC-USDC-PERP"], marketstreamStreams(deltas)),
      logger,
    },
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
    const trade = stamped(TRADE_PAYLOAD);
    await until(() => {
      void tradePub.send([TRADE_TOPIC, trade]);
      return raw.length > 0;
    });
    const bookFrames = [
      [DELTA_TOPIC, DELTA_1],
      [CKPT_TOPIC, CKPT_2],
      [DELTA_TOPIC, DELTA_3],
    ];
    for (const [topic, payload] of bookFrames) await bookPub.send([topic, stamped(payload)]);
    await until(() => books.length === 2);
    expect(raw[0]).toBe(`${TRADE_TOPIC} ${trade}`);
    expect(trades[0].tsNs).toBe(receiptOf(trade));
    expect(books[1]).toMatchObject({ seq: 3, valid: true, bidPx: [97000, 96999, 96997], askPx: [97001, 97002, 97003] });
    expect(core.stats().drops.awaiting_checkpoint).toBe(1);
  });

  it("subscribes exactly: a _book subscription does not leak another symbol's stream", async () => {
    const [tp, bp] = freePortPair();
    const bookPub = await publisher(bp);
    await publisher(tp);
    const { raw } = setup(tp, bp);
    const eth = stamped(CKPT_2).replaceAll("BTC-USDC-PERP", "ETH-USDC-PERP");
    await until(() => {
      void bookPub.send(["HYPERLIQUID-preprocessed_book_ckpt-ETH-USDC-PERP", eth]);
      void bookPub.send([CKPT_TOPIC, CKPT_2]);
      return raw.length > 3;
    });
    expect(raw.every((r) => r.startsWith(CKPT_TOPIC))).toBe(true);
  });

  it("with deltas off (market_data.deltas.enabled: false) takes snapshots and never sees a delta or checkpoint", async () => {
    const [tp, bp] = freePortPair();
    const bookPub = await publisher(bp);
    await publisher(tp);
    const { raw } = setup(tp, bp, false);
    await until(() => {
      void bookPub.send([DELTA_TOPIC, stamped(DELTA_1)]);
      void bookPub.send([CKPT_TOPIC, stamped(CKPT_2)]);
      void bookPub.send([SNAPSHOT_TOPIC, stamped(SNAPSHOT_PAYLOAD)]);
      return raw.length > 3;
    });
    expect(raw.every((r) => r.startsWith(`${SNAPSHOT_TOPIC} `))).toBe(true);
  });

  it("counts invalid payloads, gaps and duplicates from the wire and keeps going", async () => {
    const [tp, bp] = freePortPair();
    const tradePub = await publisher(tp);
    await publisher(bp);
    const { trades, core, raw } = setup(tp, bp);
    const seq = (n: number) => stamped(TRADE_PAYLOAD).replace('"seq":2,', `"seq":${n},`);
    await until(() => {
      void tradePub.send([TRADE_TOPIC, seq(1)]);
      return raw.length > 0;
    });
    for (const payload of ['{"receipt_timestamp_ns":,', seq(5), seq(5), seq(6)])
      await tradePub.send([TRADE_TOPIC, payload]);
    await until(() => trades.at(-1)?.seq === 6);
    const stats = core.stats();
    expect(stats.drops.invalid_json).toBe(1);
    expect(stats.drops.duplicate).toBeGreaterThanOrEqual(1);
    expect(stats.streams[0]).toMatchObject({ gaps: 1, missing: 3 });
  });

  it("resumes after the publisher restarts on the same port, once its new sequence is confirmed", async () => {
    const [tp, bp] = freePortPair();
    await publisher(bp);
    const first = new Publisher({ linger: 0 });
    await first.bind(`tcp://127.0.0.1:${tp}`);
    const { trades, core } = setup(tp, bp);
    await until(() => {
      void first.send([TRADE_TOPIC, stamped(TRADE_PAYLOAD).replace('"seq":2,', '"seq":500,')]);
      return trades.length > 0;
    });
    first.close();
    const second = await publisher(tp);
    // The restarted publisher counts from 1 again; its first frame to arrive is held until the next continues it.
    let seq = 0;
    await until(() => {
      void second.send([TRADE_TOPIC, stamped(TRADE_PAYLOAD).replace('"seq":2,', `"seq":${++seq},`)]);
      return trades.at(-1)!.seq < 500;
    });
    expect(core.stats().streams[0].restarts).toBe(1);
  });

  it("lets the symbol's normal frames flow again after poison frames", async () => {
    const [tp, bp] = [await freePort(), await freePort()];
    const [tradePub, bookPub] = [await publisher(tp), await publisher(bp)];
    const { trades, books, core, bridge } = setup(tp, bp);
    const trade = (n: number | string, offsetNs = 0n) =>
      stamped(TRADE_PAYLOAD, offsetNs).replace('"seq":2,', `"seq":${n},`);
    const receipt = (payload: string, ts: string) =>
      payload.replace(/"receipt_timestamp_ns":\d+/, `"receipt_timestamp_ns":${ts}`);
    await until(() => {
      void tradePub.send([TRADE_TOPIC, trade(1)]);
      void bookPub.send([CKPT_TOPIC, stamped(CKPT_2).replace('"seq":2,', '"seq":1,')]);
      return trades.length > 0 && books.length > 0;
    });
    const DAY_NS = 86_400_000_000_000n;
    const poison: [Publisher, string, string][] = [
      [bookPub, CKPT_TOPIC, receipt(CKPT_2, "9000000000000000000").replace('"seq":2,', '"seq":900,')],
      [tradePub, TRADE_TOPIC, trade(2 ** 52, DAY_NS)],
      [tradePub, TRADE_TOPIC, receipt(trade(3), "18446744073709551617")],
      [tradePub, TRADE_TOPIC, trade(3).replace('"window_size":2,', '"window_size":9007199254740993,')],
      [tradePub, TRADE_TOPIC, trade("18446744073709551617")],
      [tradePub, TRADE_TOPIC, trade(2 ** 52)],
    ];
    for (const [pub, topic, payload] of poison) await pub.send([topic, payload]);
    for (let n = 2; n <= 6; n++) await tradePub.send([TRADE_TOPIC, trade(n)]);
    await bookPub.send([CKPT_TOPIC, stamped(CKPT_2).replace('"seq":2,', '"seq":20,')]);
    await until(() => trades.at(-1)?.seq === 6 && books.at(-1)?.seq === 20);
    expect(trades.map((t) => t.seq).filter((n) => n > 1)).toEqual([2, 3, 4, 5, 6]);
    expect(books.at(-1)).toMatchObject({ valid: true, bidPx: [97000, 96999, 96998] });
    expect(bridge.stats().handlerErrors).toBe(0);
    const { drops } = core.stats();
    expect(drops).toMatchObject({ clock_skew: 2, timestamp_out_of_range: 1, integer_out_of_range: 1 });
    expect(drops).toMatchObject({ seq_out_of_range: 1, seq_jump: 1 });
  });

  it("names a malformed endpoint in its error", () => {
    const bridge = new MarketDataBridge(
      { host: "not a host", tradesPort: 1, booksPort: 2, topics: [], logger },
      () => {},
    );
    cleanups.push(() => bridge.close());
    expect(() => bridge.start()).toThrow(/trades socket to tcp:\/\/not a host:1/);
  });
});
