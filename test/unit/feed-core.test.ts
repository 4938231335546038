import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FeedCore, type FeedCoreOptions, type FeedPort, type SeqGap } from "../../src/actors/feed/core.js";
import { parseSymbolRules } from "../../src/model/instruments.js";
import { MAX_SEQ_JUMP } from "../../src/actors/feed/sequence.js";
import { createCodec } from "../../src/protocol/catalog.js";
import { Book as BookSchema, Trade as TradeSchema, type Book, type Trade } from "../../src/protocol/market-data.js";
import { fromRoot } from "../../src/runtime/paths.js";
import {
  parsePayload,
  parseTopic,
  type MarketstreamMessage,
  type MarketstreamTopic,
} from "../../src/protocol/wire/marketstream.js";
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

const registry = parseSymbolRules(readFileSync(fromRoot("configs/symbol_rules.csv"), "utf8"));
const S = 1_000_000_000n;
/** The second of the doc's examples (their receipt times are T + 0.2 s … T + 0.7 s). */
const T = 1763380800000000000n;
/** A local receipt time just after the doc's examples. */
const recv = (n: number | bigint = 0) => T + 800_000_000n + BigInt(n);
const MAX_SKEW_NS = 2n * S;

/**
 * A core whose port encodes every message with the catalogue codec, as `ctx.send` does: a value msgpack
 * cannot carry fails the test here instead of crashing the feed actor.
 */
function feed(extra: Partial<FeedCoreOptions> = {}) {
  const trades: Trade[] = [];
  const books: Book[] = [];
  const gaps: SeqGap[] = [];
  const codec = createCodec();
  const port: FeedPort = {
    trade: (t) => {
      codec.encode(t);
      trades.push(t);
    },
    book: (b) => {
      codec.encode(b);
      books.push(b);
    },
    gap: (g) => gaps.push(g),
  };
  const core = new FeedCore(
    { registry, lookbackNs: 60n * S, staleAfterNs: 2n * S, maxClockSkewNs: MAX_SKEW_NS, ...extra },
    port,
  );
  return { core, trades, books, gaps };
}

const tradeWithSeq = (seq: number | string, ts = 1763380800345678901n) =>
  TRADE_PAYLOAD.replace('"seq":2,', `"seq":${seq},`).replace("1763380800345678901", String(ts));
const withReceipt = (payload: string, ts: bigint | string) =>
  payload.replace(/"receipt_timestamp_ns":\d+/, `"receipt_timestamp_ns":${ts}`);

describe("feed core", () => {
  it("normalises the doc's trade into a Trade with the exact receipt time", () => {
    const { core, trades } = feed();
    expect(core.onFrame(TRADE_TOPIC, Buffer.from(TRADE_PAYLOAD), 1763380800400000000n)).toBeUndefined();
    expect(trades).toEqual([
      {
        type: "Trade",
        instrument: 0,
        tsNs: 1763380800345678901n,
        recvNs: 1763380800400000000n,
        price: 97003.5,
        amount: 0.25,
        side: -1,
        seq: 2,
      },
    ]);
  });

  it("rebuilds delta mode: waits for the checkpoint, then applies deltas into Book messages", () => {
    const { core, books } = feed();
    expect(core.onFrame(DELTA_TOPIC, DELTA_1, recv(1))?.reason).toBe("awaiting_checkpoint");
    expect(core.onFrame(CKPT_TOPIC, CKPT_2, recv(2))).toBeUndefined();
    expect(core.onFrame(DELTA_TOPIC, DELTA_3, recv(3))).toBeUndefined();
    expect(books).toHaveLength(2);
    expect(books[1]).toMatchObject({
      seq: 3,
      valid: true,
      bidPx: [97000, 96999, 96997],
      bidSz: [1, 0.5, 0.7],
      askPx: [97001, 97002, 97003],
      askSz: [0.8, 1.5, 3],
      mid: 97000.5,
    });
  });

  it("takes snapshots as whole books", () => {
    const { core, books } = feed();
    expect(core.onFrame(SNAPSHOT_TOPIC, SNAPSHOT_PAYLOAD, recv(5))).toBeUndefined();
    expect(books[0]).toMatchObject({
      instrument: 0,
      seq: 2,
      valid: true,
      bidPx: [97000, 96999, 96997],
      askSz: [0.8, 1.5, 3],
    });
  });

  it("counts gaps, duplicates and out-of-order per symbol and stream, dropping the last two", () => {
    const { core, trades } = feed();
    core.onFrame(TRADE_TOPIC, tradeWithSeq(1, 100n), 1n);
    core.onFrame(TRADE_TOPIC, tradeWithSeq(4, 400n), 2n);
    expect(core.onFrame(TRADE_TOPIC, tradeWithSeq(4, 400n), 3n)?.reason).toBe("duplicate");
    // Seq 3 after 4 could start a new sequence: held until seq 5 shows the old one goes on.
    expect(core.onFrame(TRADE_TOPIC, tradeWithSeq(3, 300n), 4n)).toBeUndefined();
    expect(core.stats().streams[0].heldSeq).toBe(3);
    expect(core.onFrame(TRADE_TOPIC, tradeWithSeq(5, 500n), 5n)?.reason).toBe("seq_backwards");
    expect(trades.map((t) => t.seq)).toEqual([1, 4, 5]);
    const stats = core.stats();
    expect(stats.streams).toEqual([
      {
        symbol: "BTC-USDC-PERP",
        stream: "trades",
        lastSeq: 5,
        messages: 3,
        gaps: 1,
        missing: 2,
        duplicates: 1,
        outOfOrder: 1,
        outliers: 0,
        restarts: 0,
        accepted: 3,
        dropped: 2,
        priceOutliers: 0,
        lastDrop: "seq_backwards",
      },
    ]);
    expect(stats.drops.duplicate).toBe(1);
    expect(stats.drops.seq_backwards).toBe(1);
  });

  it("takes seq 1 as a publisher restart once the next frame continues it, and waits for its checkpoint", () => {
    const { core, books } = feed();
    core.onFrame(CKPT_TOPIC, CKPT_2, recv(1));
    core.onFrame(DELTA_TOPIC, DELTA_3, recv(2));
    const later = (text: string) => withReceipt(text, 1763380900000000000n);
    expect(core.onFrame(DELTA_TOPIC, later(DELTA_1), 1763380900000000001n)).toBeUndefined();
    expect(core.stats().streams[0]).toMatchObject({ heldSeq: 1, restarts: 0 });
    // The checkpoint (seq 2) confirms the restart: the held delta goes first, onto a book reset by the restart.
    expect(core.onFrame(CKPT_TOPIC, later(CKPT_2), 1763380900000000002n)?.reason).toBe("awaiting_checkpoint");
    expect(books.at(-1)).toMatchObject({ seq: 2, valid: true, bidSz: [1.2345, 0.5, 2] });
    expect(core.stats().streams[0]).toMatchObject({ restarts: 1, lastSeq: 2 });
  });

  it("emits one invalid Book when a delta reveals a gap", () => {
    const { core, books } = feed();
    core.onFrame(CKPT_TOPIC, CKPT_2, recv(1));
    core.onFrame(DELTA_TOPIC, DELTA_3.replace('"seq":3', '"seq":5'), recv(2));
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
    expect(core.onFrame(topic, payload, recv(1))?.reason).toBe(reason);
    expect(trades).toHaveLength(0);
    expect(core.stats().drops[reason as "invalid_json"]).toBe(1);
  });

  it("reports a symbol stale after staleAfterNs without messages, in any spelling", () => {
    const { core } = feed();
    expect(core.stale("BTC-USDT-PERP", 10n * S)).toBe(true);
    core.onFrame(TRADE_TOPIC, tradeWithSeq(2, 10n * S), 10n * S);
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
    for (let i = 1; i <= 5; i++) core.onFrame(TRADE_TOPIC, tradeWithSeq(i, BigInt(i) * 30n * S), BigInt(i) * 30n * S);
    const replayed: bigint[] = [];
    const count = core.replay({ trade: (t) => replayed.push(t.tsNs), book: () => {} });
    expect(count).toBe(3);
    expect(replayed).toEqual([90n * S, 120n * S, 150n * S]);
  });

  it(
    "rehearses the last trade frame, and a core that rehearses emits, counts and replays exactly what one that " +
      "does not does",
    () => {
      const plain = feed();
      const rehearsing = feed();
      expect(rehearsing.core.rehearse()).toBeUndefined();
      const frames: [string, string, bigint][] = [
        [TRADE_TOPIC, tradeWithSeq(1, T + 10n), recv(1)],
        [DELTA_TOPIC, DELTA_1, recv(2)],
        [CKPT_TOPIC, CKPT_2, recv(3)],
        [TRADE_TOPIC, tradeWithSeq(2, T + 11n), recv(4)],
        [TRADE_TOPIC, tradeWithSeq(2, T + 11n), recv(5)],
        [DELTA_TOPIC, DELTA_3, recv(6)],
        [TRADE_TOPIC, tradeWithSeq(4, T + 12n), recv(7)],
        [SNAPSHOT_TOPIC, SNAPSHOT_PAYLOAD, recv(8)],
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
      const last = { type: "Trade", instrument: 0, tsNs: T + 12n, recvNs: recv(7), price: 97003.5, amount: 0.25 };
      expect(rehearsing.core.rehearse()).toEqual({ ...last, side: -1, seq: 4 });
      expect(rehearsing.core.rehearse()).toEqual(plain.trades.at(-1));
    },
  );
});

describe("feed core sanity limits", () => {
  const MS = 1_000_000n;

  it("drops a checkpoint stamped far in the future or the past as clock_skew, and takes the next good one", () => {
    const { core, books } = feed();
    const at = 1763380800200000000n;
    const future = withReceipt(CKPT_2, 9_000_000_000_000_000_000n);
    expect(core.onFrame(CKPT_TOPIC, future, at)).toMatchObject({ reason: "clock_skew", field: "receipt_timestamp_ns" });
    expect(core.onFrame(CKPT_TOPIC, withReceipt(CKPT_2, 1n), at)?.reason).toBe("clock_skew");
    expect(core.onFrame(CKPT_TOPIC, CKPT_2, at + MAX_SKEW_NS + 1n)?.reason).toBe("clock_skew");
    expect(core.onFrame(CKPT_TOPIC, CKPT_2, at + MAX_SKEW_NS)).toBeUndefined();
    expect(books.map((b) => b.tsNs)).toEqual([at]);
    expect(core.stats().drops.clock_skew).toBe(3);
    expect(core.stats().streams[0]).toMatchObject({ lastSeq: 2, accepted: 1, dropped: 3, lastDrop: "clock_skew" });
  });

  it("a trade with a huge seq and a receipt time a day ahead leaves the symbol's later trades flowing", () => {
    const { core, trades } = feed();
    const day = 86_400n * S;
    expect(core.onFrame(TRADE_TOPIC, tradeWithSeq(1, T + 1n * MS), T + 2n * MS)).toBeUndefined();
    expect(core.onFrame(TRADE_TOPIC, tradeWithSeq(2 ** 52, T + day), T + 3n * MS)?.reason).toBe("clock_skew");
    for (let seq = 2; seq <= 100; seq++) {
      const ts = T + BigInt(seq) * 10n * MS;
      expect(core.onFrame(TRADE_TOPIC, tradeWithSeq(seq, ts), ts + 50_000n)).toBeUndefined();
    }
    expect(trades.map((t) => t.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(core.stale("BTC-USDC-PERP", T + 1000n * MS)).toBe(false);
  });

  it("holds a seq far ahead until the next frame: a stray is dropped as seq_jump and the old sequence goes on", () => {
    const { core, trades } = feed();
    core.onFrame(TRADE_TOPIC, tradeWithSeq(1, T + 1n * MS), T + 1n * MS);
    expect(core.onFrame(TRADE_TOPIC, tradeWithSeq(2 ** 52, T + 2n * MS), T + 2n * MS)).toBeUndefined();
    expect(core.stats().streams[0].heldSeq).toBe(2 ** 52);
    const next = core.onFrame(TRADE_TOPIC, tradeWithSeq(2, T + 3n * MS), T + 3n * MS);
    expect(next).toMatchObject({ reason: "seq_jump", field: "seq" });
    expect(core.onFrame(TRADE_TOPIC, tradeWithSeq(3, T + 4n * MS), T + 4n * MS)).toBeUndefined();
    expect(trades.map((t) => t.seq)).toEqual([1, 2, 3]);
    expect(core.stats().streams[0]).toMatchObject({ lastSeq: 3, outliers: 1, gaps: 0, restarts: 0 });
  });

  it("drops a held candidate that the next frame does not continue either, and holds that frame instead", () => {
    const { core, trades } = feed();
    const at = (i: number) => T + BigInt(i) * MS;
    core.onFrame(TRADE_TOPIC, tradeWithSeq(10, at(1)), at(1));
    expect(core.onFrame(TRADE_TOPIC, tradeWithSeq(2 ** 40, at(2)), at(2))).toBeUndefined();
    expect(core.onFrame(TRADE_TOPIC, tradeWithSeq(3, at(3)), at(3))?.reason).toBe("seq_jump");
    expect(core.stats().streams[0].heldSeq).toBe(3);
    expect(core.onFrame(TRADE_TOPIC, tradeWithSeq(11, at(4)), at(4))?.reason).toBe("seq_backwards");
    expect(trades.map((t) => t.seq)).toEqual([10, 11]);
    expect(core.stats().streams[0]).toMatchObject({ outliers: 1, outOfOrder: 1, restarts: 0 });
  });

  it("takes a long gap once the next frame continues it: both frames go on, in order", () => {
    const { core, trades } = feed();
    const jump = 1 + MAX_SEQ_JUMP + 4000;
    core.onFrame(TRADE_TOPIC, tradeWithSeq(1, T + 1n * MS), T + 1n * MS);
    expect(core.onFrame(TRADE_TOPIC, tradeWithSeq(jump, T + 2n * MS), T + 2n * MS)).toBeUndefined();
    expect(trades.map((t) => t.seq)).toEqual([1]);
    expect(core.onFrame(TRADE_TOPIC, tradeWithSeq(jump + 1, T + 3n * MS), T + 3n * MS)).toBeUndefined();
    expect(trades.map((t) => t.seq)).toEqual([1, jump, jump + 1]);
    expect(trades[1].recvNs).toBe(T + 2n * MS);
    expect(core.stats().streams[0]).toMatchObject({ gaps: 1, missing: jump - 2, outliers: 0 });
  });

  it("one stray seq anywhere in a clean stream never costs a clean frame (property)", () => {
    const BASE = 1_000_000;
    const cases = fc
      .integer({ min: 3, max: 30 })
      .chain((n) =>
        fc.tuple(
          fc.constant(n),
          fc.integer({ min: 0, max: n - 2 }),
          fc.oneof(
            fc.integer({ min: 0, max: BASE - 1 }),
            fc.integer({ min: BASE + n + 1, max: BASE + n + MAX_SEQ_JUMP }),
            fc.integer({ min: BASE + n + 1, max: Number.MAX_SAFE_INTEGER }),
          ),
        ),
      );
    fc.assert(
      fc.property(cases, ([n, at, stray]) => {
        const { core, trades } = feed();
        const clean = Array.from({ length: n }, (_, i) => BASE + 1 + i);
        const seqs = [...clean.slice(0, at), stray, ...clean.slice(at)];
        seqs.forEach((seq, i) => core.onFrame(TRADE_TOPIC, tradeWithSeq(seq, T + BigInt(i) * MS), T + BigInt(i) * MS));
        const before = at === 0 ? undefined : clean[at - 1];
        const strayTaken = before === undefined || (stray > before && stray - before <= MAX_SEQ_JUMP);
        expect(trades.map((t) => t.seq).filter((seq) => seq !== stray)).toEqual(clean);
        expect(trades.some((t) => t.seq === stray)).toBe(strayTaken);
      }),
      { numRuns: 500 },
    );
  });

  const PAST_2_53 = "9007199254740993";
  it.each([
    ["a receipt time past 2^64", withReceipt(TRADE_PAYLOAD, "18446744073709551616"), "timestamp_out_of_range"],
    ["a receipt time past 2^63", withReceipt(TRADE_PAYLOAD, "9223372036854775808"), "timestamp_out_of_range"],
    ["a 400-digit receipt time", withReceipt(TRADE_PAYLOAD, "9".repeat(400)), "timestamp_out_of_range"],
    ["a seq past 2^53", tradeWithSeq(PAST_2_53), "seq_out_of_range"],
    ["a seq past 2^64", tradeWithSeq("18446744073709551617"), "seq_out_of_range"],
    [
      "a window_size past 2^53",
      TRADE_PAYLOAD.replace('"window_size":2', `"window_size":${PAST_2_53}`),
      "integer_out_of_range",
    ],
    [
      "a schema_version past 2^64",
      TRADE_PAYLOAD.replace('"schema_version":1', '"schema_version":18446744073709551617'),
      "integer_out_of_range",
    ],
    ["an amount past 2^53", TRADE_PAYLOAD.replace('"amount":0.25', `"amount":${PAST_2_53}`), "size_out_of_range"],
  ])("drops %s at the wire: counted, not thrown, nothing passed on", (_, payload, reason) => {
    const { core, trades } = feed();
    let drop: ReturnType<FeedCore["onFrame"]>;
    expect(() => (drop = core.onFrame(TRADE_TOPIC, payload, recv()))).not.toThrow();
    expect(drop!.reason).toBe(reason);
    expect(core.stats().drops[reason as "seq_out_of_range"]).toBe(1);
    expect(trades).toHaveLength(0);
  });
});

describe("feed core data quality", () => {
  const MS = 1_000_000n;
  const FILTER = { outlier: { sigma: 8, window: 20, minBandBps: 200 } };
  const priced = (seq: number, price: number) =>
    tradeWithSeq(seq, T + BigInt(seq) * MS).replace('"price":97003.5,', `"price":${price},`);
  /** Twelve trades alternating 97000 and 97010 (σ ≈ 0.5 bps: the 200 bps floor sets the band). */
  function warmed() {
    const f = feed(FILTER);
    for (let seq = 1; seq <= 12; seq++)
      expect(f.core.onFrame(TRADE_TOPIC, priced(seq, seq % 2 ? 97000 : 97010), T + BigInt(seq) * MS)).toBeUndefined();
    return f;
  }

  it("drops a trade price past the band as price_outlier, counts it per symbol, and takes the next good trade", () => {
    const { core, trades } = warmed();
    // ln(99500 / 97005) = 254.0 bps > 200.
    expect(core.onFrame(TRADE_TOPIC, priced(13, 99500), T + 13n * MS)).toEqual({
      reason: "price_outlier",
      field: "price",
      detail: "price 99500 is 254.0 bps from the mean 97005.000 of the last trades, past the band of 200.0 bps",
    });
    // The stale clock follows accepted trades only: the last is seq 12, received at T + 12 ms.
    expect(core.ageNs("BTC-USDC-PERP", T + 20n * MS)).toBe(8n * MS);
    expect(core.onFrame(TRADE_TOPIC, priced(14, 97020), T + 14n * MS)).toBeUndefined();
    expect(trades.map((t) => t.price).slice(-2)).toEqual([97010, 97020]);
    expect(core.stats().drops.price_outlier).toBe(1);
    expect(core.stats().streams[0]).toMatchObject({ symbol: "BTC-USDC-PERP", priceOutliers: 1, lastSeq: 14 });
  });

  it("passes a jump inside the band, and takes a new level once three trades in a row confirm it", () => {
    const { core, trades } = warmed();
    // +100 bps: a jump the strategy trades on, well inside the 200 bps floor.
    expect(core.onFrame(TRADE_TOPIC, priced(13, 97975), T + 13n * MS)).toBeUndefined();
    const level = 102000; // ≈ +500 bps
    expect(core.onFrame(TRADE_TOPIC, priced(14, level), T + 14n * MS)?.reason).toBe("price_outlier");
    expect(core.onFrame(TRADE_TOPIC, priced(15, level), T + 15n * MS)?.reason).toBe("price_outlier");
    expect(core.onFrame(TRADE_TOPIC, priced(16, level), T + 16n * MS)).toBeUndefined();
    expect(core.onFrame(TRADE_TOPIC, priced(17, level + 10), T + 17n * MS)).toBeUndefined();
    expect(trades.map((t) => t.price).slice(-4)).toEqual([97010, 97975, level, level + 10]);
    expect(core.stats().streams[0].priceOutliers).toBe(2);
  });

  it("passes every price without the filter (the recorder keeps raw data)", () => {
    const { core, trades } = feed();
    for (let seq = 1; seq <= 12; seq++) core.onFrame(TRADE_TOPIC, priced(seq, 97000), T + BigInt(seq) * MS);
    expect(core.onFrame(TRADE_TOPIC, priced(13, 150000), T + 13n * MS)).toBeUndefined();
    expect(trades).toHaveLength(13);
  });

  it("reports each seq gap with the symbol, stream, the seq expected and the seq received", () => {
    const { core, gaps } = feed();
    core.onFrame(TRADE_TOPIC, tradeWithSeq(1, T + MS), T + MS);
    core.onFrame(TRADE_TOPIC, tradeWithSeq(2, T + 2n * MS), T + 2n * MS);
    core.onFrame(TRADE_TOPIC, tradeWithSeq(7, T + 3n * MS), T + 3n * MS);
    expect(gaps).toEqual([{ symbol: "BTC-USDC-PERP", stream: "trades", expected: 3, got: 7, missing: 4 }]);
    // A jump past MAX_SEQ_JUMP is held; the next frame confirms it, then leaves a gap of its own.
    const far = 7 + MAX_SEQ_JUMP + 50;
    core.onFrame(TRADE_TOPIC, tradeWithSeq(far, T + 4n * MS), T + 4n * MS);
    expect(gaps).toHaveLength(1);
    core.onFrame(TRADE_TOPIC, tradeWithSeq(far + 3, T + 5n * MS), T + 5n * MS);
    expect(gaps.slice(1)).toEqual([
      { symbol: "BTC-USDC-PERP", stream: "trades", expected: 8, got: far, missing: far - 8 },
      { symbol: "BTC-USDC-PERP", stream: "trades", expected: far + 1, got: far + 3, missing: 2 },
    ]);
    // A restart (seq back to 1, confirmed by 2) is no gap.
    core.onFrame(TRADE_TOPIC, tradeWithSeq(1, T + 6n * MS), T + 6n * MS);
    core.onFrame(TRADE_TOPIC, tradeWithSeq(2, T + 7n * MS), T + 7n * MS);
    expect(gaps).toHaveLength(3);
    expect(core.stats().streams[0]).toMatchObject({ gaps: 3, missing: 4 + (far - 8) + 2, restarts: 1 });
  });
});

describe("feed core under garbage", () => {
  const topics = [TRADE_TOPIC, DELTA_TOPIC, CKPT_TOPIC, SNAPSHOT_TOPIC, "HYPERLIQUID-preprocessed_trades-", "x"];
  const seeds = [TRADE_PAYLOAD, DELTA_1, CKPT_2, DELTA_3, SNAPSHOT_PAYLOAD];
  /** A valid payload with one span replaced by random text: mostly near-misses, the hardest inputs. */
  const mutated = fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.nat(),
      fc.nat({ max: 12 }),
      fc.oneof(
        fc.string({ maxLength: 8 }),
        fc.constantFrom("-1.0", "null", "NaN", "1e999", "1e300", '"', ",", "0", "[]", "{}", "99999999999999999999"),
      ),
    )
    .map(([seed, at, length, insert]) => {
      const start = at % seed.length;
      return seed.slice(0, start) + insert + seed.slice(start + length);
    });

  it("never throws and never passes on a value its schema refuses (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom(...topics), fc.oneof(mutated, fc.string(), fc.uint8Array({ maxLength: 64 }))),
          { maxLength: 30 },
        ),
        (frames) => {
          const { core, trades, books } = feed();
          let t = 0n;
          for (const [topic, payload] of frames) expect(() => core.onFrame(topic, payload, recv(++t))).not.toThrow();
          for (const trade of trades) expect(TradeSchema.schema.safeParse(trade).success).toBe(true);
          for (const book of books) expect(BookSchema.schema.safeParse(book).success).toBe(true);
        },
      ),
      { numRuns: Number(process.env.FEED_FUZZ_RUNS ?? 1500) },
    );
  });
});

describe("feed core: already-parsed messages (replay)", () => {
  it("onMessage gives what onFrame gives for the same messages, and drops unknown symbols", () => {
    const frames = feed();
    const parsed = feed();
    const messages: [string, string, bigint][] = [
      [CKPT_TOPIC, CKPT_2, recv()],
      [DELTA_TOPIC, DELTA_3, recv(1)],
      [TRADE_TOPIC, TRADE_PAYLOAD, recv(2)],
      [TRADE_TOPIC, TRADE_PAYLOAD, recv(3)],
    ];
    const parts = new Map<string, ReturnType<typeof parseTopic>>();
    for (const [topic, payload, at] of messages) {
      const frameDrop = frames.core.onFrame(topic, payload, at);
      const topicParts = parts.get(topic) ?? parseTopic(topic);
      parts.set(topic, topicParts);
      const wire = parsePayload(topicParts as MarketstreamTopic, payload);
      expect(parsed.core.onMessage(topicParts as MarketstreamTopic, wire as MarketstreamMessage, at)).toEqual(
        frameDrop,
      );
    }
    expect(parsed.trades).toEqual(frames.trades);
    expect(parsed.books).toEqual(frames.books);
    expect(parsed.core.stats().drops.duplicate).toBe(1);
    expect(parsed.core.rehearse()).toEqual(frames.core.rehearse());
    const unknown = { exchange: "HYPERLIQUID", stream: "preprocessed_trades", symbol: "NOPE-USDC-PERP" } as const;
    const wire = parsePayload(parseTopic(TRADE_TOPIC) as MarketstreamTopic, TRADE_PAYLOAD) as MarketstreamMessage;
    expect(parsed.core.onMessage(unknown, wire, recv(4))?.reason).toBe("unknown_symbol");
  });
});
