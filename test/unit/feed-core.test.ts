import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FeedCore, type FeedPort } from "../../src/actors/feed/core.js";
import { parseSymbolRules } from "../../src/actors/feed/instruments.js";
import { Book as BookSchema, Trade as TradeSchema, type Book, type Trade } from "../../src/protocol/market-data.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { CKPT_2, CKPT_TOPIC, DELTA_1, DELTA_3, DELTA_TOPIC, SNAPSHOT_PAYLOAD, SNAPSHOT_TOPIC, TRADE_PAYLOAD, TRADE_TOPIC } from "../fixtures/marketstream-examples.js";

const registry = parseSymbolRules(readFileSync(fromRoot("configs/symbol_rules.csv"), "utf8"));
const S = 1_000_000_000n;

function feed() {
  const trades: Trade[] = [];
  const books: Book[] = [];
  const port: FeedPort = { trade: (t) => trades.push(t), book: (b) => books.push(b) };
  const core = new FeedCore({ registry, lookbackNs: 60n * S, staleAfterNs: 2n * S }, port);
  return { core, trades, books };
}

const tradeWithSeq = (seq: number, ts = 1763380800345678901n) =>
  TRADE_PAYLOAD.replace('"seq":2,', `"seq":${seq},`).replace("1763380800345678901", String(ts));

describe("feed core", () => {
  it("normalises the doc's trade into a Trade with the exact receipt time", () => {
    const { core, trades } = feed();
    expect(core.onFrame(TRADE_TOPIC, Buffer.from(TRADE_PAYLOAD), 1763380800400000000n)).toBeUndefined();
    expect(trades).toEqual([
      { type: "Trade", instrument: 0, tsNs: 1763380800345678901n, recvNs: 1763380800400000000n, price: 97003.5, amount: 0.25, side: -1, seq: 2 },
    ]);
  });

  it("rebuilds delta mode: waits for the checkpoint, then applies deltas into Book messages", () => {
    const { core, books } = feed();
    expect(core.onFrame(DELTA_TOPIC, DELTA_1, 1n)?.reason).toBe("awaiting_checkpoint");
    expect(core.onFrame(CKPT_TOPIC, CKPT_2, 2n)).toBeUndefined();
    expect(core.onFrame(DELTA_TOPIC, DELTA_3, 3n)).toBeUndefined();
    expect(books).toHaveLength(2);
    expect(books[1]).toMatchObject({ seq: 3, valid: true, bidPx: [97000, 96999, 96997], bidSz: [1, 0.5, 0.7], askPx: [97001, 97002, 97003], askSz: [0.8, 1.5, 3], mid: 97000.5 });
  });

  it("takes snapshots as whole books", () => {
    const { core, books } = feed();
    expect(core.onFrame(SNAPSHOT_TOPIC, SNAPSHOT_PAYLOAD, 5n)).toBeUndefined();
    expect(books[0]).toMatchObject({ instrument: 0, seq: 2, valid: true, bidPx: [97000, 96999, 96997], askSz: [0.8, 1.5, 3] });
  });

  it("counts gaps, duplicates and out-of-order per symbol and stream, dropping the last two", () => {
    const { core, trades } = feed();
    core.onFrame(TRADE_TOPIC, tradeWithSeq(1, 100n), 1n);
    core.onFrame(TRADE_TOPIC, tradeWithSeq(4, 400n), 2n);
    expect(core.onFrame(TRADE_TOPIC, tradeWithSeq(4, 400n), 3n)?.reason).toBe("duplicate");
    expect(core.onFrame(TRADE_TOPIC, tradeWithSeq(3, 300n), 4n)?.reason).toBe("seq_backwards");
    expect(trades.map((t) => t.seq)).toEqual([1, 4]);
    const stats = core.stats();
    expect(stats.streams).toEqual([{ symbol: "BTC-USDC-PERP", stream: "trades", lastSeq: 4, messages: 2, gaps: 1, missing: 2, duplicates: 1, outOfOrder: 1, restarts: 0 }]);
    expect(stats.drops.duplicate).toBe(1);
    expect(stats.drops.seq_backwards).toBe(1);
  });

  it("treats seq 1 with a newer receipt time as a publisher restart and waits for its checkpoint", () => {
    const { core, books } = feed();
    core.onFrame(CKPT_TOPIC, CKPT_2, 1n);
    core.onFrame(DELTA_TOPIC, DELTA_3, 2n);
    const later = (text: string) => text.replace(/"receipt_timestamp_ns":\d+/, '"receipt_timestamp_ns":1763380900000000000');
    expect(core.onFrame(DELTA_TOPIC, later(DELTA_1), 3n)?.reason).toBe("awaiting_checkpoint");
    expect(core.onFrame(CKPT_TOPIC, later(CKPT_2), 4n)).toBeUndefined();
    expect(books.at(-1)).toMatchObject({ seq: 2, valid: true, bidSz: [1.2345, 0.5, 2] });
    expect(core.stats().streams[0].restarts).toBe(1);
  });

  it("emits one invalid Book when a delta reveals a gap", () => {
    const { core, books } = feed();
    core.onFrame(CKPT_TOPIC, CKPT_2, 1n);
    core.onFrame(DELTA_TOPIC, DELTA_3.replace('"seq":3', '"seq":5'), 2n);
    expect(books.map((b) => b.valid)).toEqual([true, false]);
  });

  it.each([
    ["HYPERLIQUID-preprocessed_trades-DOGE-USDC-PERP", TRADE_PAYLOAD, "unknown_symbol"],
    [TRADE_TOPIC, "{not json", "invalid_json"],
    [TRADE_TOPIC, TRADE_PAYLOAD.replace('"amount":0.25', '"amount":-1.0'), "negative_size"],
    [TRADE_TOPIC, TRADE_PAYLOAD.replace('"price":97003.5', '"price":null'), "nan_price"],
    [TRADE_TOPIC, TRADE_PAYLOAD.replace('"symbol":"BTC-USDC-PERP",', ""), "missing_field"],
  ])("drops bad input by kind (%s)", (topic, payload, reason) => {
    const { core, trades } = feed();
    expect(core.onFrame(topic, payload, 1n)?.reason).toBe(reason);
    expect(trades).toHaveLength(0);
    expect(core.stats().drops[reason as "invalid_json"]).toBe(1);
  });

  it("reports a symbol stale after staleAfterNs without messages, in any spelling", () => {
    const { core } = feed();
    expect(core.stale("BTC-USDT-PERP", 10n * S)).toBe(true);
    core.onFrame(TRADE_TOPIC, TRADE_PAYLOAD, 10n * S);
    expect(core.stale("BTC-USDT-PERP", 11n * S)).toBe(false);
    expect(core.stale(0, 12n * S + 1n)).toBe(true);
    expect(core.ageNs("btc", 11n * S)).toBe(S);
    expect(core.staleness(11n * S)).toEqual([
      { symbol: "BTC-USDC-PERP", ageNs: S, stale: false },
      { symbol: "ETH-USDC-PERP", ageNs: undefined, stale: true },
      { symbol: "SOL-USDC-PERP", ageNs: undefined, stale: true },
    ]);
  });

  it("replays the last lookback of trades and books in time order for a warm restart", () => {
    const { core } = feed();
    for (let i = 1; i <= 5; i++) core.onFrame(TRADE_TOPIC, tradeWithSeq(i, BigInt(i) * 30n * S), BigInt(i));
    const replayed: bigint[] = [];
    const count = core.replay({ trade: (t) => replayed.push(t.tsNs), book: () => {} });
    expect(count).toBe(3);
    expect(replayed).toEqual([90n * S, 120n * S, 150n * S]);
  });

  it("rehearses the last trade frame, and a core that rehearses emits, counts and replays exactly what one that does not does", () => {
    const plain = feed();
    const rehearsing = feed();
    expect(rehearsing.core.rehearse()).toBeUndefined();
    const frames: [string, string, bigint][] = [
      [TRADE_TOPIC, tradeWithSeq(1, 10n * S), 1n],
      [DELTA_TOPIC, DELTA_1, 2n],
      [CKPT_TOPIC, CKPT_2, 3n],
      [TRADE_TOPIC, tradeWithSeq(2, 11n * S), 4n],
      [TRADE_TOPIC, tradeWithSeq(2, 11n * S), 5n],
      [DELTA_TOPIC, DELTA_3, 6n],
      [TRADE_TOPIC, tradeWithSeq(4, 12n * S), 7n],
      [SNAPSHOT_TOPIC, SNAPSHOT_PAYLOAD, 8n],
    ];
    for (const [topic, payload, recvNs] of frames) {
      expect(rehearsing.core.onFrame(topic, payload, recvNs)).toEqual(plain.core.onFrame(topic, payload, recvNs));
      for (let i = 0; i < 3; i++) rehearsing.core.rehearse();
    }
    expect(rehearsing.trades).toEqual(plain.trades);
    expect(rehearsing.books).toEqual(plain.books);
    expect(rehearsing.core.stats()).toEqual(plain.core.stats());
    const replayed = (core: FeedCore) => {
      const out: (Trade | Book)[] = [];
      core.replay({ trade: (t) => out.push(t), book: (b) => out.push(b) });
      return out;
    };
    expect(replayed(rehearsing.core)).toEqual(replayed(plain.core));
    // The duplicate (seq 2 again) was dropped: the rehearsed frame is the last one accepted, seq 4.
    expect(rehearsing.core.rehearse()).toEqual({ type: "Trade", instrument: 0, tsNs: 12n * S, recvNs: 7n, price: 97003.5, amount: 0.25, side: -1, seq: 4 });
    expect(rehearsing.core.rehearse()).toEqual(plain.trades.at(-1));
  });
});

describe("feed core under garbage", () => {
  const topics = [TRADE_TOPIC, DELTA_TOPIC, CKPT_TOPIC, SNAPSHOT_TOPIC, "HYPERLIQUID-preprocessed_trades-", "x"];
  const seeds = [TRADE_PAYLOAD, DELTA_1, CKPT_2, DELTA_3, SNAPSHOT_PAYLOAD];
  /** A valid payload with one span replaced by random text: mostly near-misses, the hardest inputs. */
  const mutated = fc
    .tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat({ max: 12 }), fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("-1.0", "null", "NaN", "1e999", "1e300", '"', ",", "0", "[]", "{}", "99999999999999999999")))
    .map(([seed, at, length, insert]) => {
      const start = at % seed.length;
      return seed.slice(0, start) + insert + seed.slice(start + length);
    });

  it("never throws and never passes on a value its schema refuses (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...topics), fc.oneof(mutated, fc.string(), fc.uint8Array({ maxLength: 64 }))), { maxLength: 30 }), (frames) => {
        const { core, trades, books } = feed();
        let t = 0n;
        for (const [topic, payload] of frames) expect(() => core.onFrame(topic, payload, ++t)).not.toThrow();
        for (const trade of trades) expect(TradeSchema.schema.safeParse(trade).success).toBe(true);
        for (const book of books) expect(BookSchema.schema.safeParse(book).success).toBe(true);
      }),
      { numRuns: Number(process.env.FEED_FUZZ_RUNS ?? 1500) },
    );
  });
});
