/**
 * The plausible synthetic market's effects, each measured on a long generated series: beta and
 * correlation, the drifting lag, the lead-lag regimes, co-jumps, bid-ask bounce, varying trade rates,
 * determinism by seed.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SyntheticMarket, type SyntheticMessage } from "../../src/actors/market-synth/generator.js";
import { GRID_MS, LatentPrices } from "../../src/actors/market-synth/latent-prices.js";
import { presetNotice, syntheticSpecFromConfig } from "../../src/actors/market-synth/spec.js";
import { FeedCore } from "../../src/actors/feed/core.js";
import { marketDataSchema } from "../../src/config/schema/market-data.js";
import { parseSymbolRules } from "../../src/model/instruments.js";
import { SeededRandom } from "../../src/model/random.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { parseConfig } from "../../src/config/index.js";
import { catchConfigError } from "../fixtures/config.js";

const registry = parseSymbolRules(readFileSync(fromRoot("configs/symbol_rules.csv"), "utf8"));
const START = 1_763_380_800_000_000_000n;
const MS = 1_000_000n;
const STEPS_PER_S = 1000 / GRID_MS;

function spec(synthetic: Record<string, unknown>, seed?: number) {
  return syntheticSpecFromConfig(marketDataSchema.parse({ synthetic }).synthetic, registry, seed);
}

/** Only the effect under test: no jumps, no co-jumps, no regime switches unless asked. */
const QUIET = {
  lead_lag: { mode: "always" },
  co_jumps: { rate_per_min: 0 },
  trade_intensity: { vol: 0 },
};

function pair(lagger: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return spec({
    ...QUIET,
    ...extra,
    symbols: [
      { symbol: "BTC", price: 97000, volatility_bps: 1.5, jump_rate_per_min: 0, noise_bps: 0 },
      { symbol: "ETH", price: 3100, leader: "BTC", jump_rate_per_min: 0, noise_bps: 0, ...lagger },
    ],
  });
}

/** Log prices of every symbol sampled every `everySteps` grid steps. */
function latentSeries(market: ReturnType<typeof spec>, steps: number, everySteps: number, seed = 1) {
  const latent = new LatentPrices(market, new SeededRandom(seed));
  const series = market.symbols.map(() => [] as number[]);
  for (let i = 1; i <= steps; i++) {
    latent.advance();
    if (i % everySteps === 0) latent.logPrice.forEach((p, s) => series[s].push(p));
  }
  return { latent, series };
}

const diff = (xs: readonly number[]) => xs.slice(1).map((x, i) => x - xs[i]);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function regression(y: readonly number[], x: readonly number[]) {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return { beta: sxy / sxx, correlation: sxy / Math.sqrt(sxx * syy), stdY: Math.sqrt(syy / y.length) };
}

function run(market: SyntheticMarket, totalMs: number, stepMs: number): SyntheticMessage[] {
  const out: SyntheticMessage[] = [];
  for (let t = stepMs; t <= totalMs; t += stepMs) market.advance(START + BigInt(t) * MS, (m) => out.push(m));
  return out;
}

describe("synthetic market: lagger dynamics", () => {
  it("recovers beta and correlation from two hours of 1 s returns at the lag", () => {
    const market = pair({ beta: 1.3, correlation: 0.55, lag_ms: 1000, lag_band_ms: 0 });
    const { series } = latentSeries(market, 2 * 3600 * STEPS_PER_S, STEPS_PER_S);
    const leader = diff(series[0]);
    const lagger = diff(series[1]);
    // Lagger return over (t−1, t] against the leader's over (t−2, t−1]: exactly one second of lag.
    const fit = regression(lagger.slice(1), leader.slice(0, -1));
    expect(fit.beta).toBeGreaterThan(1.3 - 0.1);
    expect(fit.beta).toBeLessThan(1.3 + 0.1);
    expect(fit.correlation).toBeGreaterThan(0.55 - 0.04);
    expect(fit.correlation).toBeLessThan(0.55 + 0.04);
    // Same-second returns barely correlate: the lagger moves a second later.
    expect(Math.abs(regression(lagger, leader).correlation)).toBeLessThan(0.05);
  });

  it("with the lead-lag off, the lagger moves on its own with the same volatility", () => {
    const lagger = { beta: 1.3, correlation: 0.55, lag_ms: 1000, lag_band_ms: 0 };
    const on = latentSeries(pair(lagger), 3600 * STEPS_PER_S, STEPS_PER_S).series;
    const off = latentSeries(pair(lagger, { lead_lag: { mode: "never" } }), 3600 * STEPS_PER_S, STEPS_PER_S).series;
    const fitOff = regression(diff(off[1]).slice(1), diff(off[0]).slice(0, -1));
    expect(Math.abs(fitOff.correlation)).toBeLessThan(0.05);
    const fitOn = regression(diff(on[1]).slice(1), diff(on[0]).slice(0, -1));
    expect(fitOff.stdY / fitOn.stdY).toBeGreaterThan(0.93);
    expect(fitOff.stdY / fitOn.stdY).toBeLessThan(1.07);
  });

  it("switches the lead-lag on and off with the configured mean durations", () => {
    const market = pair({}, { lead_lag: { mode: "switching", on_mean_s: 20, off_mean_s: 10 } });
    const latent = new LatentPrices(market, new SeededRandom(3));
    const spells = { on: [] as number[], off: [] as number[] };
    let state = latent.leadLagOn;
    let length = 0;
    for (let i = 0; i < 3 * 3600 * STEPS_PER_S; i++) {
      latent.advance();
      length++;
      if (latent.leadLagOn !== state) {
        spells[state ? "on" : "off"].push(length / STEPS_PER_S);
        state = latent.leadLagOn;
        length = 0;
      }
    }
    expect(spells.on.length).toBeGreaterThan(300);
    expect(mean(spells.on)).toBeGreaterThan(20 * 0.85);
    expect(mean(spells.on)).toBeLessThan(20 * 1.15);
    expect(mean(spells.off)).toBeGreaterThan(10 * 0.85);
    expect(mean(spells.off)).toBeLessThan(10 * 1.15);
  });

  it("keeps a drifting lag inside its band, and it does move", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 50, max: 2000 }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (lag, bandRaw, drift, seed) => {
          const band = Math.min(bandRaw, lag);
          fc.pre(band > 0);
          const market = pair({ lag_ms: lag, lag_band_ms: band, lag_drift_ms: drift });
          const latent = new LatentPrices(market, new SeededRandom(seed));
          let low = Infinity;
          let high = -Infinity;
          for (let i = 0; i < 20 * STEPS_PER_S; i++) {
            latent.advance();
            const now = latent.lagMsOf(1)!;
            low = Math.min(low, now);
            high = Math.max(high, now);
          }
          expect(low).toBeGreaterThanOrEqual(lag - band);
          expect(high).toBeLessThanOrEqual(lag + band);
          expect(high - low).toBeGreaterThan(Math.min(band, GRID_MS) / 2);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("lets a lagger jump on its own: the leader does not move", () => {
    const market = pair({ jump_rate_per_min: 30, jump_bps: 80, correlation: 0.99, lag_band_ms: 0 });
    const { series } = latentSeries(market, 600 * STEPS_PER_S, 1);
    const bigMoves = (s: number[]) => diff(s).filter((r) => Math.abs(r) > 0.006).length;
    expect(bigMoves(series[1])).toBeGreaterThan(200);
    expect(bigMoves(series[0])).toBe(0);
  });
});

describe("synthetic market: co-jumps", () => {
  const coJumpMarket = spec({
    lead_lag: { mode: "always" },
    co_jumps: { rate_per_min: 12, bps: 50 },
    trade_intensity: { vol: 0 },
    book_rate_hz: 100,
    symbols: [
      { symbol: "BTC", price: 97000, volatility_bps: 0.2, jump_rate_per_min: 0, noise_bps: 0 },
      { symbol: "ETH", price: 3100, leader: "BTC", correlation: 0.9, jump_rate_per_min: 0, noise_bps: 0 },
      { symbol: "SOL", price: 145, leader: "BTC", correlation: 0.9, jump_rate_per_min: 0, noise_bps: 0 },
    ],
  });

  it("moves every symbol by the co-jump, same sign, in the same grid step, and never again through a leader", () => {
    const latent = new LatentPrices(coJumpMarket, new SeededRandom(5));
    const moves: number[][] = [];
    const before = Float64Array.from(latent.logPrice);
    let lateMoves = 0;
    for (let step = 1; step <= 600 * STEPS_PER_S; step++) {
      const prev = Float64Array.from(latent.logPrice);
      latent.advance();
      const r = Array.from(latent.logPrice, (p, i) => p - prev[i]);
      if (latent.coJumpSteps.at(-1) === step) moves.push(r);
      else if (r.some((x) => Math.abs(x) > 0.003)) lateMoves++;
    }
    expect(before.length).toBe(3);
    expect(moves.length).toBeGreaterThan(80);
    for (const r of moves) {
      for (const x of r) expect(Math.abs(Math.abs(x) - 0.005)).toBeLessThan(0.0005);
      expect(new Set(r.map(Math.sign)).size).toBe(1);
    }
    expect(lateMoves).toBe(0);
  });

  it("shows in every symbol's book within the event window", () => {
    const market = new SyntheticMarket(coJumpMarket, START);
    const mids: [number, number][][] = [[], [], []];
    const core = new FeedCore(
      { registry, lookbackNs: 60_000n * MS, staleAfterNs: 1000n * MS, maxClockSkewNs: 2000n * MS },
      { trade: () => {}, book: (b) => mids[b.instrument].push([Number((b.tsNs - START) / MS), b.mid]) },
    );
    for (const m of run(market, 60_000, 100)) core.onFrame(m.topic, m.payload, m.tsNs);
    const at = (s: number, ms: number) => mids[s].filter(([t]) => t <= ms).at(-1)![1];
    const steps = market.hidden.coJumpSteps.filter((step) => step * GRID_MS > 1000 && step * GRID_MS < 59_000);
    expect(steps.length).toBeGreaterThan(5);
    for (const step of steps) {
      const ms = step * GRID_MS;
      const moved = [0, 1, 2].map((s) => 1e4 * Math.log(at(s, ms + 100) / at(s, ms - GRID_MS)));
      for (const bps of moved) expect(Math.abs(bps)).toBeGreaterThan(40);
      expect(new Set(moved.map(Math.sign)).size).toBe(1);
    }
  });
});

describe("synthetic market: trades", () => {
  it("prints trades at the touch on the aggressor's side: the price bounces between bid and ask", () => {
    const market = new SyntheticMarket(
      spec({
        ...QUIET,
        symbols: [{ symbol: "SOL", price: 145, volatility_bps: 0.05, jump_rate_per_min: 0, noise_bps: 0 }],
      }),
      START,
    );
    let touch: { bid: number; ask: number } | undefined;
    const prints: number[] = [];
    const core = new FeedCore(
      { registry, lookbackNs: 60_000n * MS, staleAfterNs: 1000n * MS, maxClockSkewNs: 2000n * MS },
      {
        book: (b) => (touch = { bid: b.bidPx[0], ask: b.askPx[0] }),
        trade: (t) => {
          if (touch === undefined) return;
          expect(t.price).toBe(t.side === 1 ? touch.ask : touch.bid);
          prints.push(t.price);
        },
      },
    );
    for (const m of run(market, 300_000, 1000)) core.onFrame(m.topic, m.payload, m.tsNs);
    const changes = diff(prints);
    const lag1 = regression(changes.slice(1), changes.slice(0, -1)).correlation;
    expect(prints.length).toBeGreaterThan(1000);
    expect(lag1).toBeLessThan(-0.3);
  });

  it("varies the trade rate around its mean (overdispersed counts) and keeps it constant with vol 0", () => {
    const counts = (vol: number) => {
      const market = new SyntheticMarket(
        spec({
          ...QUIET,
          trade_intensity: { vol, half_life_s: 5 },
          book_rate_hz: 1,
          trade_rate_hz: 5,
          symbols: [{ symbol: "SOL", price: 145 }],
        }),
        START,
      );
      const buckets = new Array<number>(600).fill(0);
      for (const m of run(market, 1_200_000, 10_000))
        if (m.socket === "trades") buckets[Number((m.tsNs - START) / MS / 2000n)]++;
      const m = mean(buckets);
      return { mean: m, dispersion: mean(buckets.map((c) => (c - m) ** 2)) / m };
    };
    const constant = counts(0);
    const varying = counts(0.8);
    expect(constant.dispersion).toBeGreaterThan(0.8);
    expect(constant.dispersion).toBeLessThan(1.2);
    expect(varying.dispersion).toBeGreaterThan(3);
    expect(varying.mean / constant.mean).toBeGreaterThan(0.8);
    expect(varying.mean / constant.mean).toBeLessThan(1.2);
  });
});

describe("synthetic market: determinism", () => {
  it("gives the same stream for the same seed with every effect on, however time is stepped", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 7, max: 3000 }), (seed, stepMs) => {
        const market = { co_jumps: { rate_per_min: 20 }, lead_lag: { on_mean_s: 1, off_mean_s: 1 } };
        const text = (m: SyntheticMessage) => m.topic + m.payload;
        const a = run(new SyntheticMarket(spec(market, seed), START), 6000, 6000).map(text);
        const b = run(new SyntheticMarket(spec(market, seed), START), 6000, stepMs).map(text);
        expect(b).toEqual(a.slice(0, b.length));
        expect(run(new SyntheticMarket(spec(market, seed + 1), START), 6000, 6000).map(text)).not.toEqual(a);
      }),
      { numRuns: 15 },
    );
  });
});

describe("synthetic market: presets", () => {
  const parse = (synthetic: Record<string, unknown>) => marketDataSchema.parse({ synthetic }).synthetic;

  it("fills what is left out from the preset, by role; explicit keys win", () => {
    const plausible = parse({});
    expect(plausible.preset).toBe("plausible");
    expect(plausible.lead_lag).toEqual({ mode: "switching", on_mean_s: 600, off_mean_s: 600 });
    expect(plausible.co_jumps.rate_per_min).toBeGreaterThan(0);
    expect(plausible.symbols[1]).toMatchObject({ beta: 1.2, lag_ms: 1500, lag_band_ms: 500, correlation: 0.8 });
    expect(plausible.symbols[1].jump_rate_per_min).toBeGreaterThan(0);
    const demo = parse({ preset: "demo", co_jumps: { bps: 10 } });
    expect(demo.lead_lag.mode).toBe("always");
    expect(demo.co_jumps).toEqual({ rate_per_min: 0, bps: 10 });
    expect(demo.trade_intensity.vol).toBe(0);
    expect(demo.symbols[1]).toMatchObject({ beta: 1, lag_band_ms: 0, jump_rate_per_min: 0, noise_bps: 0 });
    expect(demo.symbols[0]).toMatchObject({ jump_rate_per_min: 0.3, jump_bps: 30 });
  });

  it("says at start what the demo preset is, and that it is not evidence of an edge", () => {
    const notice = presetNotice(spec({ preset: "demo" }));
    expect(notice).toContain("preset demo");
    expect(notice).toContain("not that the strategy has an edge");
    expect(presetNotice(spec({}))).toContain("preset plausible");
  });

  it("refuses keys of the wrong role, a band wider than the lag, beta 0 and unknown presets, naming the path", () => {
    const issues = (synthetic: Record<string, unknown>) => {
      const result = marketDataSchema.safeParse({ synthetic });
      expect(result.success).toBe(false);
      return result.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    const leader = { symbol: "BTC", price: 97000 };
    expect(issues({ symbols: [{ ...leader, beta: 2 }] })).toEqual([
      "synthetic.symbols.0.beta: no such key on a leader: it belongs to a lagger (a symbol with leader:)",
    ]);
    expect(issues({ symbols: [leader, { symbol: "ETH", price: 1, leader: "BTC", volatility_bps: 2 }] })).toEqual([
      "synthetic.symbols.1.volatility_bps: no such key on a lagger: its moves come from its leader, beta and correlation",
    ]);
    expect(issues({ symbols: [leader, { symbol: "ETH", price: 1, leader: "BTC", lag_ms: 300 }] })).toEqual([
      "synthetic.symbols.1.lag_band_ms: a value ≤ lag_ms (300): the preset's band is wider, set lag_band_ms",
    ]);
    expect(
      issues({ symbols: [leader, { symbol: "ETH", price: 1, leader: "BTC", lag_ms: 9, lag_band_ms: 10 }] }),
    ).toEqual(["synthetic.symbols.1.lag_band_ms: a value ≤ lag_ms (9)"]);
    expect(issues({ symbols: [leader, { symbol: "ETH", price: 1, leader: "BTC", beta: 0 }] })[0]).toContain(
      "non-zero beta",
    );
    expect(issues({ preset: "rosy" })[0]).toMatch(/^synthetic\.preset: /);
    expect(issues({ lead_lag: { mode: "sometimes" } })[0]).toMatch(/^synthetic\.lead_lag\.mode: /);
    expect(issues({ co_jumps: { bps: -1 } })[0]).toMatch(/^synthetic\.co_jumps\.bps: /);
    expect(issues({ trade_intensity: { half_life_s: 0 } })[0]).toMatch(/^synthetic\.trade_intensity\.half_life_s: /);
  });

  it("names the closest key for a misspelt one, through the loader", () => {
    const error = catchConfigError(() =>
      parseConfig("market_data:\n  synthetic:\n    co_jump: { rate_per_min: 1 }\n", { env: {} }),
    );
    expect(error.issues[0]).toMatchObject({ path: "market_data.synthetic.co_jump" });
    expect(error.issues[0].expected).toContain('did you mean "co_jumps"');
  });
});
