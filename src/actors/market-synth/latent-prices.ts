/**
 * The hidden "efficient" log prices on a fixed time grid. A leader is a random walk with Poisson jumps.
 * While the lead-lag is on, a lagger repeats its leader's path (jumps included) `lag` later, times `beta`,
 * plus its own walk sized so the correlation of its returns with the leader's lagged ones is
 * `correlation`: with leader variance σ² per second, the own variance is β²σ²(1/ρ² − 1). While it is off
 * (a two-state Markov chain, market-wide), a lagger moves on its own with the same total variance β²σ²/ρ².
 * The lag drifts as a random walk reflected inside `lag_ms ± lag_band_ms`. Laggers have their own
 * jumps, and market-wide co-jumps move every symbol in the same grid step, never reaching a lagger again
 * through its leader. An effect that is off draws no random number, so the `demo` preset (every new
 * effect off) gives the same stream as the generator had before presets.
 */
import type { SeededRandom } from "../../model/random.js";
import type { SyntheticMarketSpec, SyntheticSymbolSpec } from "./spec.js";

export const GRID_MS = 5;
const DT_S = GRID_MS / 1000;
/** Bounds the co-jump log of a long-running daemon (years of the plausible rate). */
const MAX_KEPT_CO_JUMPS = 10_000;

/** One lagger's state: where it reads its leader's path and what it has not followed. */
interface Follower {
  readonly index: number;
  readonly leader: number;
  lagMs: number;
  /** The leader's lagged log price at the previous step. */
  lagged: number;
  /** Leader moves the lagger did not follow (lead-lag off), taken out of its path. */
  skipped: number;
}

export class LatentPrices {
  /** Current log price per symbol. */
  readonly logPrice: Float64Array;
  /** Whether the lead-lag is on (every lagger follows its leader) at this step. */
  leadLagOn: boolean;
  /** Grid steps (from 1) at which a market-wide co-jump hit every symbol: the last `MAX_KEPT_CO_JUMPS`. */
  readonly coJumpSteps: number[] = [];
  /** The market-wide activity factor's log deviation: trade intensity is exp(x − vol²/2) times the rate. */
  activityLog = 0;
  private readonly ownPath: Float64Array;
  private readonly idiosyncratic: Float64Array;
  /** Sum of market-wide co-jumps: every symbol carries it. */
  private market = 0;
  /** Per leader, its own log prices (co-jumps left out) over the longest lag (a ring indexed by grid step). */
  private readonly history = new Map<number, Float64Array>();
  private readonly followers: Follower[] = [];
  private step = 0;

  constructor(
    private readonly spec: SyntheticMarketSpec,
    private readonly random: SeededRandom,
  ) {
    const symbols = spec.symbols;
    this.logPrice = Float64Array.from(symbols, (s) => Math.log(s.startPrice));
    this.ownPath = Float64Array.from(this.logPrice);
    this.idiosyncratic = new Float64Array(symbols.length);
    this.leadLagOn = spec.leadLag.mode !== "never";
    symbols.forEach((s, index) => {
      if (s.leader === undefined) return;
      const steps = Math.round((s.lagMs + s.lagBandMs) / GRID_MS) + 1;
      const ring = this.history.get(s.leader);
      if (!ring || ring.length < steps)
        this.history.set(s.leader, new Float64Array(steps).fill(Math.log(symbols[s.leader].startPrice)));
      this.followers.push({
        index,
        leader: s.leader,
        lagMs: s.lagMs,
        lagged: Math.log(symbols[s.leader].startPrice),
        skipped: 0,
      });
    });
  }

  /** The lagger's current delay behind its leader, in ms (the grid rounds it to 5 ms). */
  lagMsOf(index: number): number | undefined {
    return this.followers.find((f) => f.index === index)?.lagMs;
  }

  /** Advances one grid step: market-wide state, then leaders, then laggers (which read a complete history). */
  advance(): void {
    this.step++;
    this.advanceMarket();
    const symbols = this.spec.symbols;
    symbols.forEach((s, i) => {
      if (s.leader !== undefined) return;
      let r = (s.volatilityBps / 1e4) * Math.sqrt(DT_S) * this.random.normal();
      if (this.random.chance((s.jumpRatePerMin / 60) * DT_S)) r += this.jump(s.jumpBps);
      this.ownPath[i] += r;
      this.logPrice[i] = this.ownPath[i] + this.market;
      const ring = this.history.get(i);
      if (ring) ring[this.step % ring.length] = this.ownPath[i];
    });
    for (const f of this.followers) this.advanceLagger(f, symbols[f.index], symbols[f.leader]);
  }

  private advanceMarket(): void {
    const { coJumps, leadLag, tradeIntensity } = this.spec;
    if (coJumps.ratePerMin > 0 && this.random.chance((coJumps.ratePerMin / 60) * DT_S)) {
      this.market += this.jump(coJumps.bps);
      this.coJumpSteps.push(this.step);
      if (this.coJumpSteps.length > MAX_KEPT_CO_JUMPS) this.coJumpSteps.shift();
    }
    if (leadLag.mode === "switching") {
      const meanS = this.leadLagOn ? leadLag.onMeanS : leadLag.offMeanS;
      if (this.random.chance(DT_S / meanS)) this.leadLagOn = !this.leadLagOn;
    }
    if (tradeIntensity.vol > 0) {
      // Ornstein-Uhlenbeck with stationary std-dev `vol`: a mean-reverting log activity.
      const keep = Math.exp((-Math.LN2 * DT_S) / tradeIntensity.halfLifeS);
      this.activityLog =
        keep * this.activityLog + tradeIntensity.vol * Math.sqrt(1 - keep * keep) * this.random.normal();
    }
  }

  private advanceLagger(f: Follower, s: SyntheticSymbolSpec, leader: SyntheticSymbolSpec): void {
    if (s.lagBandMs > 0 && s.lagDriftMs > 0)
      f.lagMs = this.reflect(f.lagMs + s.lagDriftMs * Math.sqrt(DT_S) * this.random.normal(), s);
    const ring = this.history.get(f.leader)!;
    const at = (this.step - Math.round(f.lagMs / GRID_MS)) % ring.length;
    const lagged = ring[at < 0 ? at + ring.length : at];
    const leaderSigma = (Math.abs(s.beta) * leader.volatilityBps) / 1e4;
    const ownSigma = this.leadLagOn
      ? leaderSigma * Math.sqrt(1 / (s.correlation * s.correlation) - 1)
      : leaderSigma / s.correlation;
    this.idiosyncratic[f.index] += ownSigma * Math.sqrt(DT_S) * this.random.normal();
    if (s.jumpRatePerMin > 0 && this.random.chance((s.jumpRatePerMin / 60) * DT_S))
      this.idiosyncratic[f.index] += this.jump(s.jumpBps);
    if (!this.leadLagOn) f.skipped += lagged - f.lagged;
    f.lagged = lagged;
    const followed = lagged - Math.log(leader.startPrice) - f.skipped;
    this.logPrice[f.index] = Math.log(s.startPrice) + s.beta * followed + this.idiosyncratic[f.index] + this.market;
  }

  private jump(bps: number): number {
    return (this.random.chance(0.5) ? 1 : -1) * (bps / 1e4);
  }

  /** Keeps the lag inside its band by reflection at the edges. */
  private reflect(lagMs: number, s: SyntheticSymbolSpec): number {
    const low = s.lagMs - s.lagBandMs;
    const high = s.lagMs + s.lagBandMs;
    let lag = lagMs;
    while (lag < low || lag > high) lag = lag < low ? 2 * low - lag : 2 * high - lag;
    return lag;
  }
}
