/**
 * The synthetic market can disagree with the strategy: backtests on generated markets, in-process.
 * (b) With the lead-lag switched off the strategy makes no money beyond fees on average over seeds, while the
 *     same measurement on the same seeds with the lead-lag on shows the edge it exists to find.
 * (c) Market-wide co-jumps reach the co-jump filter: a jump that follows `co_jump_threshold` others within
 *     `co_jump_window_s` is flagged systematic, counted as such, and opens no position.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyntheticMarket } from "../../src/actors/market-synth/generator.js";
import { GRID_MS } from "../../src/actors/market-synth/latent-prices.js";
import { syntheticSpecFromConfig } from "../../src/actors/market-synth/spec.js";
import type { BacktestRecord } from "../../src/backtest/report/record.js";
import { computeMetrics } from "../../src/backtest/report/metrics.js";
import { marketDataSchema } from "../../src/config/schema/market-data.js";
import { NS_PER_S } from "../../src/model/time.js";
import { RECORDING_START_NS, symbolRules } from "../../bench/backtest-recording.js";
import { backtestOf, netPnl, recordMarket } from "../fixtures/synthetic-backtest.js";

const SECONDS = 180;
const SEEDS = [1, 2, 3];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "leadlag-synthetic-honesty-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The plausible market (lagger correlation 0.5, drifting lag, lagger jumps, co-jumps, quote noise, varying trade
 * rate) with a leader that jumps as often and as far as the sped-up demo's, so the strategy has jumps to act on.
 */
function jumpyPlausible(mode: "always" | "never") {
  return {
    lead_lag: { mode },
    symbols: [
      { symbol: "BTC-USDC-PERP", price: 97000, volatility_bps: 1.0, jump_rate_per_min: 8, jump_bps: 60 },
      { symbol: "ETH-USDC-PERP", price: 3100, leader: "BTC-USDC-PERP", lag_ms: 1500 },
      { symbol: "SOL-USDC-PERP", price: 145, leader: "BTC-USDC-PERP", lag_ms: 1000 },
    ],
  };
}

/** Gates loosened so that the strategy trades on what it thinks it sees, lead-lag or not. */
const LOOSE_GATES = "      enable_fee_gate: false\n      correlation_threshold: 0.2\n      lls_threshold: 0.5\n";

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const entries = (r: BacktestRecord) => r.decisions.filter((d) => d.outcome === "entered").length;

describe("a synthetic market that can disagree with the strategy", () => {
  it("with the lead-lag switched off, the strategy makes no money beyond fees on average over seeds", async () => {
    const off = { shipped: [] as BacktestRecord[], loose: [] as BacktestRecord[] };
    const on: BacktestRecord[] = [];
    for (const seed of SEEDS) {
      const never = await recordMarket(dir, `never-${seed}`, SECONDS, jumpyPlausible("never"), seed);
      off.shipped.push(await backtestOf(dir, never, SECONDS));
      off.loose.push(await backtestOf(dir, never, SECONDS, LOOSE_GATES));
      const always = await recordMarket(dir, `always-${seed}`, SECONDS, jumpyPlausible("always"), seed);
      on.push(await backtestOf(dir, always, SECONDS));
    }
    const pnl = (runs: BacktestRecord[]) => runs.map(netPnl);
    // Shipped gates: no lead-lag, (almost) nothing passes the HY and fee gates, so nothing is earned.
    expect(mean(pnl(off.shipped))).toBeLessThanOrEqual(0.5);
    // Loosened gates: it does trade on spurious lead-lag, and pays for it.
    expect(off.loose.map(entries).reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
    expect(mean(pnl(off.loose))).toBeLessThanOrEqual(0.5);
    // The same measurement can see an edge: with the lead-lag on (same seeds, same market otherwise) it earns.
    expect(on.map(entries).reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
    expect(mean(pnl(on))).toBeGreaterThan(5);
  }, 180_000);

  it("flags the jump that follows a co-jump's others within the window: counted as systematic, never an entry", async () => {
    const synthetic = {
      lead_lag: { mode: "always" },
      co_jumps: { rate_per_min: 6, bps: 60 },
      symbols: [
        { symbol: "BTC-USDC-PERP", price: 97000, volatility_bps: 1.0, jump_rate_per_min: 0 },
        { symbol: "ETH-USDC-PERP", price: 3100, leader: "BTC-USDC-PERP", lag_ms: 1500, jump_rate_per_min: 0 },
        { symbol: "SOL-USDC-PERP", price: 145, leader: "BTC-USDC-PERP", lag_ms: 1000, jump_rate_per_min: 0 },
      ],
    };
    // Three symbols: a jump is systematic when both others were detected within the window before it.
    const gates = "      jump_detection_config: { co_jump_threshold: 2, co_jump_window_s: 1.0 }\n";
    let events = 0;
    let seenOnTwoOrMore = 0;
    let tightEvents = 0;
    let flaggedTight = 0;
    let systematic = 0;
    for (const seed of [1, 2]) {
      const source = await recordMarket(dir, `cojumps-${seed}`, SECONDS, synthetic, seed);
      const record = await backtestOf(dir, source, SECONDS, gates);
      const starts = coJumpTimes(synthetic, seed);
      const windowOf = (ns: bigint) => starts.find((t) => ns >= t && ns <= t + (3n * NS_PER_S) / 2n);
      for (const start of starts) {
        const seen = record.jumps.filter((j) => j.tsNs >= start && j.tsNs <= start + (3n * NS_PER_S) / 2n);
        events++;
        if (new Set(seen.map((j) => j.symbol)).size >= 2) seenOnTwoOrMore++;
        // All three detected within one co_jump_window_s: the last must be flagged.
        if (seen.length === 3 && seen[2].tsNs - seen[0].tsNs <= NS_PER_S) {
          tightEvents++;
          if (seen[2].systematic) flaggedTight++;
        }
      }
      const flagged = record.jumps.filter((j) => j.systematic);
      systematic += flagged.length;
      for (const jump of flagged) {
        // Only co-jumps are flagged: there is no other kind of jump in this market.
        expect(windowOf(jump.tsNs)).toBeDefined();
        // Each lagger of the flagged symbol records systematic_jump, and no decision of that jump enters.
        const decisions = record.decisions.filter(
          (d) => d.leader === jump.symbol && d.tsNs >= jump.tsNs && d.tsNs - jump.tsNs < NS_PER_S / 10n,
        );
        expect(decisions.map((d) => d.outcome)).toEqual(["systematic_jump", "systematic_jump"]);
      }
      const counted = Object.values(computeMetrics(record).jumpsBySymbol).reduce((a, j) => a + j.systematic, 0);
      expect(counted).toBe(flagged.length);
    }
    expect(events).toBeGreaterThan(20);
    expect(seenOnTwoOrMore / events).toBeGreaterThan(0.8);
    expect(tightEvents).toBeGreaterThan(5);
    expect(flaggedTight).toBe(tightEvents);
    expect(systematic).toBeGreaterThanOrEqual(tightEvents);
  }, 120_000);
});

/** When the generator's co-jumps happened (the hidden state: the same spec and seed as the recording). */
function coJumpTimes(synthetic: Record<string, unknown>, seed: number): bigint[] {
  const config = marketDataSchema.parse({ synthetic }).synthetic;
  const market = new SyntheticMarket(syntheticSpecFromConfig(config, symbolRules(), seed), RECORDING_START_NS);
  market.advance(RECORDING_START_NS + BigInt(SECONDS) * NS_PER_S, () => {});
  const stepNs = BigInt(GRID_MS) * 1_000_000n;
  return market.hidden.coJumpSteps.map((step) => RECORDING_START_NS + BigInt(step) * stepNs);
}
