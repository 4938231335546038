import { describe, expect, it } from "vitest";
import { aggregateScans, expectedMove } from "../../src/actors/strategy/decision.js";
import { DECISION_CSV_HEADER, decisionCsvRow } from "../../src/actors/strategy/decision-csv.js";
import type { DecisionRecord } from "../../src/actors/strategy/records.js";
import { RlsExpectedMove } from "../../src/actors/strategy/rls.js";
import { entryTerms, sizeEntry } from "../../src/actors/strategy/sizing.js";
import type { Feature } from "../../src/protocol/signals.js";
import { ETH, scan, strategyParams } from "../fixtures/strategy.js";

const WEIGHTS = new Map<Feature, number>([
  ["mid", 1],
  ["trade", 0.5],
]);
const SUM = { simpleMode: false, scoringMode: "sum" as const, correlationThreshold: 0.4 };

describe("aggregation of feature scans", () => {
  it("sums weighted |rho*| in threshold units over passing scans only", () => {
    const scans = [scan(1, "mid", 0.8), scan(1, "trade", 0.6), scan(1, "ofi", 0.9, { passes: false })];
    const a = aggregateScans(scans, 30, WEIGHTS, 1, SUM);
    expect(a.strength).toBeCloseTo(1 * 2 + 0.5 * 1.5, 12);
    expect(a).toMatchObject({ direction: 1, passingScans: 2 });
    expect(a.dominant?.feature).toBe("mid");
  });

  it("takes the largest score in max mode", () => {
    const a = aggregateScans([scan(1, "mid", 0.6), scan(1, "trade", 0.8)], 30, WEIGHTS, 1, {
      ...SUM,
      scoringMode: "max",
    });
    expect(a.strength).toBeCloseTo(1.5, 12);
    expect(a.dominant?.feature).toBe("mid");
  });

  it("uses only the top-ranked feature in simple mode", () => {
    const a = aggregateScans([scan(1, "trade", 0.9), scan(1, "mid", 0.5, { passes: false })], 30, WEIGHTS, 1, {
      ...SUM,
      simpleMode: true,
    });
    expect(a).toMatchObject({ strength: 0, direction: 0, passingScans: 0, dominant: null });
  });

  it("points in sign(jump) · sign(rho*)", () => {
    expect(aggregateScans([scan(1, "mid", 0.8)], 30, WEIGHTS, 1, SUM).direction).toBe(1);
    expect(aggregateScans([scan(1, "mid", 0.8)], -30, WEIGHTS, 1, SUM).direction).toBe(-1);
    expect(aggregateScans([scan(1, "mid", -0.8)], 30, WEIGHTS, 1, SUM).direction).toBe(-1);
    expect(aggregateScans([scan(1, "mid", -0.8)], -30, WEIGHTS, 1, SUM).direction).toBe(1);
  });

  it("scales by the pair weight", () => {
    expect(aggregateScans([scan(1, "mid", 0.8)], 30, WEIGHTS, 0.5, SUM).strength).toBeCloseTo(1, 12);
  });
});

describe("expected move", () => {
  const CAP = { capBps: 50, blendK: 0.7 };
  const BASELINE = { expectedMoveBps: 12, leaderVol: 1, laggerVol: 2 };

  function trainedRls(): RlsExpectedMove {
    const rls = new RlsExpectedMove({ expmoveLambda: 0.99, expmoveRidge: 0.001, expmoveMinSamples: 3 });
    // Labels exactly 0.5 × jump: the fit predicts 0.5 × jump.
    for (const [j, a] of [
      [20, 0.6],
      [-15, 0.7],
      [30, 0.5],
      [10, 0.9],
      [-25, 0.55],
    ])
      rls.update(j, a, 0.5 * j);
    return rls;
  }

  it("falls back to |rho*| × |jump| × lagger/leader volatility, signed, capped", () => {
    expect(expectedMove(-20, 0.6, -1, null, null, 1.5, CAP)).toEqual({ bps: -18, source: "volatility_ratio" });
    expect(expectedMove(100, 0.9, 1, null, null, 1, CAP).bps).toBe(50);
  });

  it("falls back to the volatility ratio when the baseline has volatilities but no expected move", () => {
    expect(expectedMove(-20, 0.6, -1, null, { ...BASELINE, expectedMoveBps: null }, 2, CAP)).toEqual({
      bps: -24,
      source: "volatility_ratio",
    });
  });

  it("uses the baseline magnitude in the trade's direction", () => {
    expect(expectedMove(-20, 0.6, -1, null, BASELINE, 1, CAP)).toEqual({ bps: -12, source: "baseline" });
  });

  it("uses the RLS only when ready, unfolding the sign of rho*", () => {
    const rls = trainedRls();
    const positive = expectedMove(20, 0.6, 1, rls, null, 1, CAP);
    expect(positive.source).toBe("rls");
    // The ridge prior leaves a trace: the fit is 0.5 × jump to about 1e-5.
    expect(positive.bps).toBeCloseTo(10, 4);
    expect(positive.bps).toBe(rls.predict(20, 0.6));
    expect(expectedMove(20, -0.6, -1, rls, null, 1, CAP).bps).toBe(-rls.predict(20, 0.6));
    const notReady = new RlsExpectedMove({ expmoveLambda: 0.99, expmoveRidge: 0.001, expmoveMinSamples: 100 });
    expect(expectedMove(20, 0.6, 1, notReady, null, 1, CAP).source).toBe("volatility_ratio");
  });

  it("blends RLS and baseline with expmove_blend_k", () => {
    const rls = trainedRls();
    const blended = expectedMove(20, 0.6, 1, rls, BASELINE, 1, CAP);
    expect(blended.source).toBe("blend");
    expect(blended.bps).toBeCloseTo(0.7 * rls.predict(20, 0.6) + 0.3 * 12, 12);
  });
});

describe("sizing and entry terms", () => {
  const p = strategyParams({ base_position_size_usd: 500, max_signal_multiplier: 3, entry_threshold: 1 });

  it("sizes base × clamp(strength / threshold, 0, max multiplier), rounded down to the lot", () => {
    expect(sizeEntry(2, 3000, 0, ETH, p)).toEqual({ ok: true, size: 0.33, notionalUsd: 990 });
    expect(sizeEntry(-5, 3000, 0, ETH, p)).toEqual({ ok: true, size: 0.5, notionalUsd: 1500 });
  });

  it("caps by max_single_position_usd and by the room under max_total_notional_usd", () => {
    const capped = strategyParams({
      base_position_size_usd: 500,
      max_signal_multiplier: 3,
      max_single_position_usd: 700,
      max_total_notional_usd: 1000,
    });
    expect(sizeEntry(3, 3000, 0, ETH, capped)).toMatchObject({ size: 0.23 });
    expect(sizeEntry(3, 3000, 800, ETH, capped)).toMatchObject({ size: 0.06 });
  });

  it("refuses below min notional", () => {
    expect(sizeEntry(1, 3000, 0, { ...ETH, minNotional: 600 }, p).ok).toBe(false);
  });

  it("prices a banded IOC at mid ± band (risk snaps it to the venue), or a market IOC with a protection price", () => {
    const banded = strategyParams({ entry_ioc_price_band_bps: 10 });
    expect(entryTerms("buy", 2999.5, 3000.5, banded)).toMatchObject({ orderType: "limit", tif: "IOC" });
    expect(entryTerms("buy", 2999.5, 3000.5, banded).price).toBeCloseTo(3003, 9);
    expect(entryTerms("sell", 2999.5, 3000.5, banded).price).toBeCloseTo(2997, 9);
    const market = strategyParams({ entry_ioc_price_band_bps: 10, entry_banded_ioc_enable: false });
    const terms = entryTerms("buy", 2999.5, 3000.5, market);
    expect(terms).toMatchObject({ orderType: "market", tif: "IOC" });
    expect(terms.price).toBeCloseTo(3000.5 * 1.001, 9);
  });
});

describe("decision CSV", () => {
  const record: DecisionRecord = {
    tsNs: 1_763_380_800_123_456_789n,
    requestId: 4,
    leader: "BTC-USDT-PERP",
    lagger: "ETH-USDT-PERP",
    jumpTsNs: 1_763_380_800_000_000_000n,
    jumpBps: 25.5,
    tauStarS: 1.5,
    rhoStar: 0.8,
    lls: Infinity,
    passingScans: 2,
    strength: 3.75,
    expectedMoveBps: NaN,
    expectedMoveSource: "",
    outcome: "entry_threshold",
    reason: 'strength 0.5 < entry_threshold 1, "low"',
    side: "",
    size: 0,
    notionalUsd: 0,
    intentId: "",
  };

  it("has one header cell per row cell", () => {
    expect(DECISION_CSV_HEADER.split(",")).toHaveLength(19);
    expect(
      DECISION_CSV_HEADER.startsWith("ts_ns,request_id,leader,lagger,jump_ts_ns,jump_bps,tau_star_s,rho_star,lls"),
    ).toBe(true);
  });

  it("writes integers for times, inf/nan for special values and quotes cells with commas or quotes", () => {
    expect(decisionCsvRow(record)).toBe(
      "1763380800123456789,4,BTC-USDT-PERP,ETH-USDT-PERP,1763380800000000000,25.5,1.5,0.8,inf,2,3.75,nan,," +
        'entry_threshold,"strength 0.5 < entry_threshold 1, ""low""",,0,0,',
    );
  });
});
