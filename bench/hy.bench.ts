import { hyCurve, hyTelescoping, windowOf } from "../src/actors/estimator/batch.js";
import { OnlineHyEstimator } from "../src/actors/estimator/online.js";
import { DEFAULT_HY_PARAMS } from "../src/actors/estimator/params.js";
import { secondsToNsNumber } from "../src/model/time.js";
import { interleave, leadLagPair } from "./synthetic-ticks.js";
import { percentile, round, sortedCopy, type Bench } from "./bench.js";

const WINDOW_S = DEFAULT_HY_PARAMS.inferenceLookbackSeconds;

/**
 * Online HY (signal-math §2.8.3) against the telescoping batch scan (§2.8.2) on the same 240 s window:
 * leader 20 ticks/s, lagger 10 ticks/s, the default 481-lag grid.
 */
export const hyBench: Bench = {
  name: "hy",
  summary: "online Hayashi-Yoshida scan and tick update vs the telescoping batch scan (481 lags, 240 s, 20/10 ticks/s)",
  async run({ quick }) {
    const durationS = WINDOW_S * (quick ? 2 : 4);
    const pair = leadLagPair({ seed: 7, durationS, leaderTicksPerS: 20, laggerTicksPerS: 10, delayS: 1.5 });
    const ticks = interleave(pair);
    const estimator = new OnlineHyEstimator(DEFAULT_HY_PARAMS, { baseNs: 0n });

    // The first window fills the state; every later tick is a steady-state update with evictions.
    const warmUpEnd = secondsToNsNumber(WINDOW_S + 2);
    const updates: number[] = [];
    for (const tick of ticks) {
      const started = process.hrtime.bigint();
      if (tick.leader) estimator.onLeaderRelative(tick.time, tick.value);
      else estimator.onLaggerRelative(tick.time, tick.value);
      const elapsed = Number(process.hrtime.bigint() - started);
      if (tick.time > warmUpEnd) updates.push(elapsed / 1000);
    }

    const end = ticks[ticks.length - 1].time;
    const scans = new Float64Array(quick ? 2_000 : 20_000);
    let result = estimator.evaluateRelative(end);
    for (let i = 0; i < scans.length; i++) {
      const started = process.hrtime.bigint();
      result = estimator.evaluateRelative(end);
      scans[i] = Number(process.hrtime.bigint() - started) / 1000;
    }

    const lookbackNs = secondsToNsNumber(WINDOW_S);
    const leader = windowOf({ times: pair.leader.times, values: pair.leader.logPrices }, end, lookbackNs);
    const lagger = windowOf({ times: pair.lagger.times, values: pair.lagger.logPrices }, end, lookbackNs);
    const references: number[] = [];
    for (let i = 0; i < (quick ? 3 : 7); i++) {
      const started = process.hrtime.bigint();
      hyCurve(leader, lagger, estimator.grid, hyTelescoping);
      references.push(Number(process.hrtime.bigint() - started) / 1000);
    }

    const scanP50 = percentile(sortedCopy(scans), 50);
    const referenceUs = percentile(sortedCopy(references), 50);
    return {
      bench: "hy",
      lags: estimator.grid.lagsNs.length,
      n_leader: result.nLeader,
      n_lagger: result.nLagger,
      scan_us_p50: round(scanP50),
      update_us_p50: round(percentile(sortedCopy(updates), 50)),
      reference_scan_us: round(referenceUs),
      speedup: round(referenceUs / scanP50, 1),
    };
  },
};
