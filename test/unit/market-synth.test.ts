import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FeedCore } from "../../src/actors/feed/core.js";
import { parseSymbolRules } from "../../src/model/instruments.js";
import { SyntheticMarket, type SyntheticMessage } from "../../src/actors/market-synth/generator.js";
import { syntheticSpecFromConfig } from "../../src/actors/market-synth/spec.js";
import type { Book } from "../../src/protocol/market-data.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { marketDataSchema } from "../../src/config/schema/market-data.js";

const registry = parseSymbolRules(readFileSync(fromRoot("configs/symbol_rules.csv"), "utf8"));
const START = 1_763_380_800_000_000_000n;
const MS = 1_000_000n;

function spec(overrides: Record<string, unknown> = {}, seed?: number) {
  return syntheticSpecFromConfig(marketDataSchema.parse({ synthetic: overrides }).synthetic, registry, seed);
}

function run(market: SyntheticMarket, totalMs: number, stepMs: number): SyntheticMessage[] {
  const out: SyntheticMessage[] = [];
  for (let t = stepMs; t <= totalMs; t += stepMs) market.advance(START + BigInt(t) * MS, (m) => out.push(m));
  return out;
}

describe("synthetic market", () => {
  it("gives the same bytes for the same seed, however time is stepped", () => {
    const a = run(new SyntheticMarket(spec(), START), 10_000, 10);
    const b = run(new SyntheticMarket(spec(), START), 10_000, 997);
    expect(a.length).toBeGreaterThan(500);
    expect(b.map((m) => m.topic + m.payload).join("\n")).toBe(
      a
        .slice(0, b.length)
        .map((m) => m.topic + m.payload)
        .join("\n"),
    );
    const other = run(new SyntheticMarket(spec({}, 7), START), 10_000, 10);
    expect(other.map((m) => m.payload)).not.toEqual(a.map((m) => m.payload));
  });

  it("produces deltas and checkpoints the feed rebuilds without a single drop", () => {
    const books: Book[] = [];
    const core = new FeedCore(
      { registry, lookbackNs: 60_000n * MS, staleAfterNs: 1000n * MS, maxClockSkewNs: 2000n * MS },
      { trade: () => {}, book: (b) => books.push(b) },
    );
    const messages = run(new SyntheticMarket(spec(), START), 30_000, 50);
    const drops = messages.map((m) => core.onFrame(m.topic, m.payload, m.tsNs)).filter((d) => d !== undefined);
    // marketstream's first delta precedes the first checkpoint (ckpt seq = delta seq + 1): one wait per symbol.
    expect(drops.map((d) => `${d.reason} ${d.detail}`)).toEqual(
      Array(3).fill("awaiting_checkpoint delta 1 on an invalid book"),
    );
    const stats = core.stats();
    expect(stats.trades).toBeGreaterThan(300);
    expect(stats.streams.every((s) => s.gaps === 0 && s.duplicates === 0)).toBe(true);
    expect(
      books.every((b) => b.valid && b.bidPx.length === 10 && b.askPx.length === 10 && b.bidPx[0] < b.askPx[0]),
    ).toBe(true);
    const checkpoints = messages.filter((m) => m.topic.includes("_book_ckpt-BTC"));
    expect(checkpoints.length).toBeGreaterThanOrEqual(25);
    expect(checkpoints.length).toBeLessThanOrEqual(31);
  });

  it("publishes sizes on Hyperliquid's size decimals and prices on the tick grid", () => {
    const messages = run(new SyntheticMarket(spec(), START), 5_000, 100);
    const trade = JSON.parse(
      messages.find((m) => m.topic === "HYPERLIQUID-preprocessed_trades-SOL-USDC-PERP")!.payload,
    );
    expect(Number(trade.amount.toFixed(2))).toBe(trade.amount);
    expect(Number(trade.price.toFixed(2))).toBe(trade.price);
    const btc = JSON.parse(
      messages.find((m) => m.topic === "HYPERLIQUID-preprocessed_book_ckpt-BTC-USDC-PERP")!.payload,
    );
    expect(btc.bid_px.every((p: number) => Number.isInteger(p))).toBe(true);
  });

  it("lets laggers follow a leader's jump after the configured lag", () => {
    const lagged = spec({
      preset: "demo",
      book_rate_hz: 200,
      symbols: [
        { symbol: "BTC", price: 97000, volatility_bps: 0.01, jump_rate_per_min: 6, jump_bps: 100 },
        { symbol: "ETH", price: 3100, leader: "BTC", lag_ms: 500, correlation: 0.999 },
      ],
    });
    const mids = new Map<string, [number, number][]>();
    const core = new FeedCore(
      { registry, lookbackNs: 60_000n * MS, staleAfterNs: 1000n * MS, maxClockSkewNs: 2000n * MS },
      {
        trade: () => {},
        book: (b) => {
          const key = b.instrument === 0 ? "BTC" : "ETH";
          if (!mids.has(key)) mids.set(key, []);
          mids.get(key)!.push([Number((b.tsNs - START) / MS), b.mid]);
        },
      },
    );
    for (const m of run(new SyntheticMarket(lagged, START), 60_000, 100)) core.onFrame(m.topic, m.payload, m.tsNs);
    const btc = mids.get("BTC")!;
    const jumpAt = btc.findIndex(([, mid], i) => i > 0 && Math.abs(Math.log(mid / btc[i - 1][1])) > 0.005);
    expect(jumpAt).toBeGreaterThan(0);
    const jumpMs = btc[jumpAt][0];
    const eth = mids.get("ETH")!;
    const midAt = (ms: number) => eth.filter(([t]) => t <= ms).at(-1)![1];
    const before = Math.abs(Math.log(midAt(jumpMs + 400) / midAt(jumpMs - 50)));
    const after = Math.abs(Math.log(midAt(jumpMs + 700) / midAt(jumpMs - 50)));
    expect(before).toBeLessThan(0.003);
    expect(after).toBeGreaterThan(0.007);
  });

  it("can publish snapshots instead, with the features the feed computes", () => {
    const books: Book[] = [];
    const core = new FeedCore(
      { registry, lookbackNs: 60_000n * MS, staleAfterNs: 1000n * MS, maxClockSkewNs: 2000n * MS },
      { trade: () => {}, book: (b) => books.push(b) },
    );
    const messages = run(new SyntheticMarket(spec({ book_mode: "snapshots" }), START), 5_000, 100);
    expect(messages.some((m) => m.topic.includes("_book_delta"))).toBe(false);
    for (const m of messages) core.onFrame(m.topic, m.payload, m.tsNs);
    const last = JSON.parse(
      messages.filter((m) => m.topic === "HYPERLIQUID-preprocessed_book-BTC-USDC-PERP").at(-1)!.payload,
    );
    const book = books.filter((b) => b.instrument === 0).at(-1)!;
    expect(book.mid).toBe(last.midpoint);
    expect(book.ofi).toBeCloseTo(last.ofi_rolling, 12);
    expect(book.midVolatility).toBeCloseTo(last.volatility_mid, 9);
  });
});
