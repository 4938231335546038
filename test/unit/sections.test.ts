import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import { parseConfig, type Config } from "../../src/config/index.js";
import type { ActorDef } from "../../src/runtime/actor.js";
import { childSpecsFor } from "../../src/supervisor/children.js";
import {
  actorSections,
  resolveStart,
  StartResolutionError,
  type ActorSections,
} from "../../src/supervisor/sections.js";
import type { FeedSection } from "../../src/actors/feed/section.js";
import type { ReplayPort } from "../../src/actors/feed/replay/actor.js";
import type { OrdersSection } from "../../src/actors/orders/section.js";
import type { OrdersConfig } from "../../src/actors/orders/actor.js";
import type { RiskSection } from "../../src/actors/risk/section.js";
import type { StrategySection } from "../../src/actors/strategy/section.js";
import type { JumpsSection } from "../../src/actors/jumps/config.js";
import type { EstimatorSection } from "../../src/actors/estimator/section.js";
import type { MdBridgeSection } from "../../src/actors/md-bridge/section.js";
import type { MarketSynthSection } from "../../src/actors/market-synth/section.js";
import type { EngineVenueSection, PaperVenueSection, SimulatedVenueSection } from "../../src/actors/venues/section.js";
import type { AccountSyncSection } from "../../src/actors/account-sync/section.js";

const RULES = "configs/symbol_rules.csv";

const daemonConfig = (extra = ""): Config =>
  parseConfig(
    `
runtime: { account_id: acct-7, journal: { path: /tmp/leadlag-sections/journal.log } }
initial_balance: { USDC: 5000 }
strategies:
  - name: s
    config: { symbols: [BTC-USDT-PERP, ETH-USDT-PERP], artifacts_path: ./no-such-artifacts }
${extra}`,
    { env: {} },
  );

/** Every section of a daemon with two estimator shards, by the child that receives it. */
function everySection(sections: ActorSections): Record<string, object> {
  return {
    "market-synth": sections.marketSynth(),
    "md-bridge": sections.mdBridge(),
    feed: sections.feed(),
    "estimator-1": sections.estimator(1, 2),
    jumps: sections.jumps(),
    "account-sync": sections.accountSync(),
    "engine-venue": sections.engineVenue(),
    "paper-venue": sections.paperVenue(),
    "simulated-venue": sections.simulatedVenue(),
    orders: sections.orders(),
    risk: sections.risk(),
    strategy: sections.strategy(),
  };
}

/** A path to the first value that is not frozen, or undefined when the whole tree is. */
function unfrozenPath(value: unknown, at = "$"): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  if (!Object.isFrozen(value)) return at;
  for (const [key, child] of Object.entries(value)) {
    const found = unfrozenPath(child, `${at}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A path to the first object a structured clone would not give back as it is (a class instance, a function). */
function notPlainPath(value: unknown, at = "$"): string | undefined {
  if (typeof value === "function") return at;
  if (typeof value !== "object" || value === null) return undefined;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== Map.prototype) return at;
  const children = value instanceof Map ? [...value.values()] : Object.values(value);
  for (const [i, child] of children.entries()) {
    const found = notPlainPath(child, `${at}.${value instanceof Map ? `get(${i})` : Object.keys(value)[i]}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

describe("actor sections", () => {
  it("reads the symbol rules file once for the whole daemon", () => {
    const config = daemonConfig();
    const reads: string[] = [];
    const start = resolveStart(config, (file) => (reads.push(file), readFileSync(file, "utf8")));
    const children = childSpecsFor(config, 3, start);
    expect(children.map((c) => c.name)).toEqual([
      "market-synth",
      "md-bridge",
      "feed",
      "estimator-0",
      "estimator-1",
      "jumps",
      "account-sync",
      "venue",
      "orders",
      "risk",
      "strategy",
    ]);
    expect(reads).toEqual([RULES]);
  });

  it("leaves no actor a way to read the symbol rules itself", () => {
    const actorsDir = path.resolve("src/actors");
    const sources = readdirSync(actorsDir, { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts"))
      .map((file) => ({ file, text: readFileSync(path.join(actorsDir, file), "utf8") }));
    const readers = sources.filter(({ text }) => /loadRegistry|loadInstrumentRegistry|symbol_rules_path/.test(text));
    expect(readers.map(({ file }) => file)).toEqual(["feed/subscription.ts"]); // names the file in its error only
  });

  it("gives each actor only the keys it reads", () => {
    const keys = Object.fromEntries(
      Object.entries(everySection(actorSections(daemonConfig()))).map(([name, s]) => [name, Object.keys(s).sort()]),
    );
    expect(keys).toEqual({
      "market-synth": ["booksPort", "host", "intervalMs", "market", "tradesPort"],
      "md-bridge": ["booksPort", "exchanges", "host", "streams", "topics", "tradesPort"],
      feed: ["instruments", "lookbackNs", "maxClockSkewNs", "outlier", "staleAfterNs", "topLevels", "watchedSymbols"],
      "estimator-1": ["detectors", "shard"],
      jumps: ["detectors"],
      "account-sync": ["accountId", "host", "port", "provider"],
      "engine-venue": ["ackTimeoutGtcMs", "eventsPort", "host", "instruments", "ordersPort", "perp"],
      "paper-venue": ["instruments", "latencyMs", "makerBps", "perp", "takerBps"],
      "simulated-venue": ["instruments", "perp", "simulation"],
      orders: [
        "accountId",
        "databaseUrl",
        "dbPath",
        "initialBalance",
        "instruments",
        "journal",
        "orderManager",
        "perpLeverage",
        "universe",
      ],
      risk: ["breakerFile", "flattenBandBps", "instruments", "risk", "universe"],
      strategy: ["artifacts", "instruments", "name", "params", "staleBookNs", "universe"],
    });
  });

  it("resolves what the actors used to look up themselves", () => {
    const sections = actorSections(daemonConfig());
    const orders = sections.orders();
    expect(orders.accountId).toBe("acct-7");
    expect(orders.initialBalance).toEqual({ USDC: 5000 });
    expect(orders.universe.map((u) => [u.id, u.symbol])).toEqual([
      [0, "BTC-USDT-PERP"],
      [1, "ETH-USDT-PERP"],
    ]);
    expect(orders.instruments.map((i) => i.engineSymbol)).toEqual(["BTC-USDC-PERP", "ETH-USDC-PERP", "SOL-USDC-PERP"]);
    expect(sections.risk().breakerFile).toBe("/tmp/leadlag-sections/risk-breaker-acct-7.json");
    expect(sections.risk().flattenBandBps).toBe(50);
    expect(sections.risk().risk.reconciliation).toEqual({
      balance_tolerance_usd: 10,
      position_tolerance_usd: 50,
      trip_after_snapshots: 2,
    });
    expect(sections.accountSync()).toMatchObject({ provider: "paper", accountId: "acct-7" });
    expect(sections.engineVenue().perp).toEqual([{ strategy: "s", marginMode: "cross", leverage: 10 }]);
    expect(sections.paperVenue().perp).toEqual(sections.engineVenue().perp);
    // The venues' price rules travel with the instruments: Hyperliquid's 5 significant figures, perp decimals.
    expect(sections.engineVenue().instruments[0].priceRules).toMatchObject({ maxSignificantFigures: 5 });
    const shard = sections.estimator(1, 2).shard;
    expect([shard.shardIndex, shard.shardCount]).toEqual([1, 2]);
    expect(shard.pairs.map((p) => [p.leader, p.lagger])).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(sections.strategy().artifacts).toMatchObject({ ok: true, set: { source: "defaults" } });
    // The default provider is the synthetic market: the feed watches the symbols it publishes.
    expect(sections.feed().watchedSymbols).toEqual(["BTC-USDC-PERP", "ETH-USDC-PERP", "SOL-USDC-PERP"]);
    expect(sections.mdBridge().topics.length).toBeGreaterThan(0);
    expect(sections.feed().outlier).toEqual({ sigma: 8, window: 100, minBandBps: 200 });
    const off = actorSections(daemonConfig("market_data: { quality: { outlier_sigma: 0 } }\n"));
    expect(off.feed().outlier).toBeUndefined();
    expect(sections.mdBridge().streams).toEqual([
      "preprocessed_trades",
      "preprocessed_book_delta",
      "preprocessed_book_ckpt",
    ]);
  });

  it("freezes every section all the way down", () => {
    for (const [name, section] of Object.entries(everySection(actorSections(daemonConfig()))))
      expect({ name, unfrozen: unfrozenPath(section) }).toEqual({ name, unfrozen: undefined });
  });

  it("builds sections of plain data that cross to a worker thread unchanged", () => {
    for (const [name, section] of Object.entries(everySection(actorSections(daemonConfig())))) {
      expect({ name, notPlain: notPlainPath(section) }).toEqual({ name, notPlain: undefined });
      expect(structuredClone(section)).toEqual(section);
    }
  });

  it("refuses to start on a symbol the rules do not know, naming the file", () => {
    const config = parseConfig("strategies: [{ name: s, config: { symbols: [DOGE-USDT-PERP] } }]\n", { env: {} });
    expect(() => resolveStart(config)).toThrow(StartResolutionError);
    expect(() => resolveStart(config)).toThrow(`'DOGE-USDT-PERP' is not in ${RULES}`);
  });

  it("refuses to start without a strategy, saying so", () => {
    expect(() => resolveStart(parseConfig("{}\n", { env: {} }))).toThrow(
      "strategies: none configured; the daemon runs one lead-lag strategy",
    );
  });

  it("types each actor's config as its section, so a key outside it does not compile", () => {
    type ConfigOf<M> = M extends { default: ActorDef<infer C> } ? C : never;
    expectTypeOf<ConfigOf<typeof import("../../src/actors/feed/actor.js")>>().toEqualTypeOf<FeedSection>();
    expectTypeOf<ConfigOf<typeof import("../../src/actors/orders/actor.js")>>().toEqualTypeOf<OrdersConfig>();
    expectTypeOf<ConfigOf<typeof import("../../src/actors/risk/actor.js")>>().toEqualTypeOf<RiskSection>();
    expectTypeOf<ConfigOf<typeof import("../../src/actors/strategy/actor.js")>>().toEqualTypeOf<StrategySection>();
    expectTypeOf<ConfigOf<typeof import("../../src/actors/jumps/actor.js")>>().toEqualTypeOf<JumpsSection>();
    expectTypeOf<ConfigOf<typeof import("../../src/actors/estimator/actor.js")>>().toEqualTypeOf<EstimatorSection>();
    expectTypeOf<ConfigOf<typeof import("../../src/actors/md-bridge/actor.js")>>().toEqualTypeOf<MdBridgeSection>();
    expectTypeOf<
      ConfigOf<typeof import("../../src/actors/market-synth/actor.js")>
    >().toEqualTypeOf<MarketSynthSection>();
    expectTypeOf<
      ConfigOf<typeof import("../../src/actors/venues/engine/actor.js")>
    >().toEqualTypeOf<EngineVenueSection>();
    expectTypeOf<
      ConfigOf<typeof import("../../src/actors/venues/paper/actor.js")>
    >().toEqualTypeOf<PaperVenueSection>();
    expectTypeOf<
      ConfigOf<typeof import("../../src/actors/account-sync/actor.js")>
    >().toEqualTypeOf<AccountSyncSection>();
    expectTypeOf<
      ConfigOf<typeof import("../../src/actors/venues/simulated/actor.js")>
    >().toEqualTypeOf<SimulatedVenueSection>();
    expectTypeOf<ConfigOf<typeof import("../../src/actors/feed/replay/actor.js")>>().toEqualTypeOf<
      FeedSection & { readonly replayPort: ReplayPort }
    >();
    expectTypeOf<FeedSection>().not.toHaveProperty("risk");
    expectTypeOf<OrdersSection>().not.toHaveProperty("strategies");
    expectTypeOf<StrategySection>().not.toHaveProperty("runtime");
  });
});
