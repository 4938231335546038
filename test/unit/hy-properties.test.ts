import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { batchEstimate, hyCurve, hyTelescoping, type Observations } from "../../src/actors/estimator/batch.js";
import { OnlineHyEstimator } from "../../src/actors/estimator/online.js";
import { buildLagGrid, DEFAULT_HY_PARAMS } from "../../src/actors/estimator/params.js";
import { interleave, leadLagPair, seededRandom, type TickSeries } from "../../bench/synthetic-ticks.js";

const grid = buildLagGrid(DEFAULT_HY_PARAMS);
const asObservations = (s: TickSeries): Observations => ({ times: s.times, values: s.logPrices });

function relClose(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    Math.max(1e-12, 1e-9 * Math.abs(expected)),
  );
}

describe("HY on a lagger that copies the leader 1.5 s later (signal-math §2.10, §8)", () => {
  const pair = leadLagPair({ seed: 11, durationS: 240, leaderTicksPerS: 5, laggerTicksPerS: 2, delayS: 1.5 });
  const end = 240e9;
  const forward = batchEstimate(
    asObservations(pair.leader),
    asObservations(pair.lagger),
    end,
    grid,
    DEFAULT_HY_PARAMS,
    { withCurve: true },
  );
  const swapped = batchEstimate(
    asObservations(pair.lagger),
    asObservations(pair.leader),
    end,
    grid,
    DEFAULT_HY_PARAMS,
    { withCurve: true },
  );

  it("finds tau* ≈ +1.5 s, a strong rho* and LLS > 1, and passes the gates", () => {
    expect(forward.status).toBe("ok");
    expect(Math.abs(forward.tauStarS - 1.5)).toBeLessThanOrEqual(0.1);
    expect(forward.rhoStar).toBeGreaterThan(0.6);
    expect(forward.lls).toBeGreaterThan(1);
    expect(forward.passes).toBe(true);
  });

  it("swapping leader and lagger mirrors the curve: tau* → −tau*, same rho*, LLS → 1/LLS", () => {
    for (let k = 0; k < grid.lagsNs.length; k++) {
      relClose(swapped.rhoByLag![k], forward.rhoByLag![grid.lagsNs.length - 1 - k], `lag ${grid.lagsNs[k]}`);
    }
    expect(swapped.tauStarNs).toBe(-forward.tauStarNs);
    relClose(swapped.rhoStar, forward.rhoStar, "rho*");
    relClose(swapped.lls, 1 / forward.lls, "LLS");
    expect(swapped.lls).toBeLessThan(1);
    expect(swapped.passes).toBe(false);
  });

  it("is invariant to the price scale (log shift) and to the scale of a level feature", () => {
    const shift = Math.log(37.5);
    const shifted = batchEstimate(
      { times: pair.leader.times, values: pair.leader.logPrices.map((x) => x + shift) },
      asObservations(pair.lagger),
      end,
      grid,
      DEFAULT_HY_PARAMS,
    );
    const scaled = batchEstimate(
      asObservations(pair.leader),
      { times: pair.lagger.times, values: pair.lagger.logPrices.map((y) => y * 1e4) },
      end,
      grid,
      DEFAULT_HY_PARAMS,
    );
    for (const other of [shifted, scaled]) {
      expect(other.tauStarNs).toBe(forward.tauStarNs);
      expect(Math.abs(other.rhoStar - forward.rhoStar)).toBeLessThan(1e-9);
      expect(Math.abs(other.lls / forward.lls - 1)).toBeLessThan(1e-9);
    }
  });

  it("online evaluation at a leader jump uses the window ending 1 ns before the jump tick", () => {
    const estimator = new OnlineHyEstimator(DEFAULT_HY_PARAMS, { baseNs: 0n });
    const jumpTime = pair.leader.times[pair.leader.times.length - 1];
    for (const tick of interleave(pair)) {
      if (tick.leader && tick.time === jumpTime) break;
      if (tick.leader) estimator.onLeaderRelative(tick.time, tick.value);
      else estimator.onLaggerRelative(tick.time, tick.value);
    }
    const online = estimator.evaluateBeforeJump(BigInt(jumpTime));
    const reference = batchEstimate(
      asObservations(pair.leader),
      asObservations(pair.lagger),
      jumpTime - 1,
      grid,
      DEFAULT_HY_PARAMS,
    );
    expect(online.nLeader).toBe(reference.nLeader);
    expect(online.tauStarNs).toBe(reference.tauStarNs);
    relClose(online.rhoStar, reference.rhoStar, "rho*");
    relClose(online.lls, reference.lls, "LLS");
  });

  it("the telescoping curve equals the online accumulators on a dense window", () => {
    const estimator = new OnlineHyEstimator(DEFAULT_HY_PARAMS, { baseNs: 0n });
    for (const tick of interleave(pair)) {
      if (tick.leader) estimator.onLeaderRelative(tick.time, tick.value);
      else estimator.onLaggerRelative(tick.time, tick.value);
    }
    estimator.evaluateRelative(end);
    const reference = hyCurve(asObservations(pair.leader), asObservations(pair.lagger), grid, hyTelescoping);
    const scale = Math.max(...reference.map(Math.abs));
    reference.forEach((hy, k) => expect(Math.abs(estimator.lastEvaluatedHy[k] - hy)).toBeLessThan(1e-9 * scale));
  });
});

describe("online HY memory in steady state", () => {
  it("retains no memory per tick over 1M ticks", () => {
    setFlagsFromString("--expose-gc");
    const collect = runInNewContext("gc") as () => void;
    const ticks = 1_100_000;
    const times = new Float64Array(ticks);
    const values = new Float64Array(ticks);
    const isLeader = new Uint8Array(ticks);
    const random = seededRandom(5);
    let time = 0;
    const level = [0, 0];
    for (let i = 0; i < ticks; i++) {
      time += 1_000_000 * (1 + Math.floor(random() * 66));
      times[i] = time;
      isLeader[i] = random() < 2 / 3 ? 1 : 0;
      level[isLeader[i]] += random() - 0.5;
      values[i] = level[isLeader[i]];
    }
    // A short grid keeps the test fast; how much state a tick retains does not depend on the number of lags.
    const estimator = new OnlineHyEstimator({ ...DEFAULT_HY_PARAMS, lagMinS: -1, lagMaxS: 1 }, { baseNs: 0n });
    const feed = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        if (isLeader[i] === 1) estimator.onLeaderRelative(times[i], values[i]);
        else estimator.onLaggerRelative(times[i], values[i]);
      }
    };
    feed(0, 100_000);
    collect();
    const before = process.memoryUsage();
    feed(100_000, ticks);
    collect();
    const after = process.memoryUsage();
    const grownBytes = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
    // Retaining even 8 bytes per tick would grow by 8 MB.
    expect(grownBytes).toBeLessThan(1_000_000);
    expect(estimator.evaluateRelative(time).status).toBe("ok");
  });
});
