import { describe, expect, it } from "vitest";
import type { HyResult } from "../../src/actors/estimator/scan.js";
import { lastAtOrBefore, median, pairBaselines, responsesBps } from "../../src/backtest/scan/baselines.js";
import type { ScanHistory, SharedSeries } from "../../src/backtest/scan/history.js";
import { featureWeights, rankPairs, type PairFeatureResult } from "../../src/backtest/scan/rank.js";

const S = 1e9;

function result(tauStarS: number, rhoStar: number, lls: number, passes: boolean): HyResult {
  return { status: "ok", tauStarNs: tauStarS * S, tauStarS, rhoStar, lls, nLeader: 10, nLagger: 10, passes };
}

function row(leader: string, lagger: string, feature: "trade" | "mid", r: HyResult): PairFeatureResult {
  return { leader, lagger, feature, result: r, edge: false };
}

function series(times: number[], values: number[]): SharedSeries {
  return { times: Float64Array.from(times), values: Float64Array.from(values) };
}

describe("scan ranking", () => {
  const results = [
    row("A", "B", "trade", result(1, 0.5, 3, true)),
    row("A", "B", "mid", result(1.1, -0.9, 2, true)),
    row("A", "C", "trade", result(2, 0.7, 9, true)),
    row("A", "C", "mid", result(2, 0.95, 9, false)), // fails a gate: not a candidate for the pair's best
    row("B", "C", "trade", result(0.5, 0.7, 4, true)),
    row("C", "A", "mid", result(-2, 0.99, 0.1, false)),
  ];

  it("ranks passing pairs by their best passing feature's |rho*|, then LLS, and leaves failing pairs out", () => {
    // AC and BC tie on |rho*| 0.7: the higher LLS (9 against 4) ranks first.
    const ranked = rankPairs(results);
    expect(ranked.map((p) => `${p.leader}${p.lagger}:${p.best.feature}`)).toEqual(["AB:mid", "AC:trade", "BC:trade"]);
  });

  it("weighs each configured feature by its mean |rho*| over the ranked pairs, a non-passing pair counting 0", () => {
    const ranked = rankPairs(results);
    expect(featureWeights(results, ranked, ["trade", "mid"])).toEqual([
      { feature: "trade", weight: Number(((0.5 + 0.7 + 0.7) / 3).toFixed(6)) },
      { feature: "mid", weight: 0.3 },
    ]);
  });
});

describe("scan baselines", () => {
  it("finds the last observation at or before a time", () => {
    const times = [1, 3, 3.5, 7];
    expect([0, 1, 2, 3, 3.5, 6.9, 7, 100].map((t) => lastAtOrBefore(times, t))).toEqual([-1, 0, 0, 1, 2, 2, 3, 3]);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("measures the lagger's log-mid move from each jump to tau* later, skipping jumps it cannot follow", () => {
    const mids = series(
      [0, 1, 2, 3, 4].map((t) => t * S),
      [0, 0.001, 0.003, 0.002, 0.002],
    );
    // Jump at 0.5 s: mid 0 at 0.5, 0.003 at 2.5 (tau* 2 s) → 30 bp. At 2 s: 0.003 → 0.002 at 4 s → −10 bp.
    // At −1 s: no quote before it. At 3 s: 5 s is past the last quote.
    expect(responsesBps(mids, [-1 * S, 0.5 * S, 2 * S, 3 * S], 2 * S).map((m) => Number(m.toFixed(9)))).toEqual([
      30, -10,
    ]);
  });

  it("gives a ranked pair the median absolute response to the leader's non-systematic jumps and both volatilities", () => {
    const lagger = series(
      [0, 1, 2, 3, 4, 5].map((t) => t * S),
      [0, 0.002, 0.002, 0.001, 0.001, 0.0015],
    );
    const flat = series([0], [0]);
    const history: ScanHistory = {
      baseNs: 0n,
      events: 0,
      jumps: [
        { symbol: 0, time: 0.5 * S, jumpBps: 30, systematic: false }, // lagger +20 bp by 1.5 s
        { symbol: 0, time: 2.5 * S, jumpBps: -30, systematic: false }, // −10 bp by 3.5 s
        { symbol: 0, time: 3.5 * S, jumpBps: 30, systematic: true }, // a co-jump: left out
        { symbol: 1, time: 1.5 * S, jumpBps: 30, systematic: false }, // the lagger's own: left out
      ],
      symbols: [
        { symbol: "A", trades: 1, books: 1, features: new Map(), mids: flat, jumpStreamRv: 4e-8, jumpStreamSpanS: 100 },
        {
          symbol: "B",
          trades: 1,
          books: 1,
          features: new Map(),
          mids: lagger,
          jumpStreamRv: 9e-8,
          jumpStreamSpanS: 100,
        },
      ],
    };
    const pair = { leader: "A", lagger: "B", best: row("A", "B", "mid", result(1, 0.9, 5, true)) };
    const { rows, stats } = pairBaselines(history, [pair]);
    expect(stats).toEqual([{ leader: "A", lagger: "B", jumps: 2 }]);
    expect(rows).toEqual([
      { leader: "A", lagger: "B", expected_move_bps: 15, leader_vol_bps: 0.2, lagger_vol_bps: 0.3 },
    ]);
  });
});
