import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FeedCore } from "../../src/actors/feed/core.js";
import { FeedHealth } from "../../src/actors/feed/health.js";
import { parseSymbolRules } from "../../src/model/instruments.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { TRADE_PAYLOAD, TRADE_TOPIC } from "../fixtures/marketstream-examples.js";

const registry = parseSymbolRules(readFileSync(fromRoot("configs/symbol_rules.csv"), "utf8"));
const S = 1_000_000_000n;
const T = 1763380800000000000n;

const trade = (seq: number, ts: bigint) =>
  TRADE_PAYLOAD.replace('"seq":2,', `"seq":${seq},`).replace("1763380800345678901", String(ts));

function setup() {
  const options = { registry, lookbackNs: 0n, staleAfterNs: S / 2n, maxClockSkewNs: 2n * S };
  const core = new FeedCore(options, { trade: () => {}, book: () => {} });
  const health = new FeedHealth(new Set(["BTC-USDC-PERP", "ETH-USDC-PERP"]));
  return { core, check: (nowNs: bigint) => health.update(core.staleness(nowNs), core.stats()) };
}

describe("feed health", () => {
  it("is degraded with a reason per subscribed symbol without data, and ok once each is fresh", () => {
    const { core, check } = setup();
    const reasons = ["BTC-USDC-PERP: no market data yet", "ETH-USDC-PERP: no market data yet"];
    expect(check(T)).toEqual({ status: "degraded", reasons });
    core.onFrame(TRADE_TOPIC, trade(1, T), T);
    core.onFrame(TRADE_TOPIC.replace("BTC", "ETH"), trade(1, T).replace(/BTC/g, "ETH"), T);
    // SOL is in the symbol rules but not subscribed: never a reason.
    expect(check(T + S / 4n)).toEqual({ status: "ok", reasons: [] });
    const stale = ["BTC-USDC-PERP stale 3.0 s", "ETH-USDC-PERP stale 3.0 s"];
    expect(check(T + 3n * S)).toEqual({ status: "degraded", reasons: stale });
  });

  it("names a stream whose frames all get dropped while they keep arriving, and clears once one is accepted", () => {
    const { core, check } = setup();
    core.onFrame(TRADE_TOPIC.replace("BTC", "ETH"), trade(1, T).replace(/BTC/g, "ETH"), T);
    core.onFrame(TRADE_TOPIC, trade(1, T), T);
    check(T);
    for (let i = 0; i < 5; i++) core.onFrame(TRADE_TOPIC, trade(2 + i, T + 86_400n * S), T + 1000n + BigInt(i));
    core.onFrame(TRADE_TOPIC.replace("BTC", "ETH"), trade(2, T + 2000n).replace(/BTC/g, "ETH"), T + 2000n);
    const frozen = "BTC-USDC-PERP trades: 5 frames dropped, none accepted (last: clock_skew)";
    expect(check(T + 3000n)).toEqual({ status: "degraded", reasons: [frozen] });
    core.onFrame(TRADE_TOPIC, trade(2, T + 4000n), T + 4000n);
    core.onFrame(TRADE_TOPIC, trade(3, T + 86_400n * S), T + 5000n);
    expect(check(T + 6000n)).toEqual({ status: "ok", reasons: [] });
  });
});
