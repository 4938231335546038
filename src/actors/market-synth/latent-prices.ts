/**
 * The hidden "efficient" log prices on a fixed time grid. A leader is a random walk with Poisson
 * jumps. A lagger repeats its leader's log-price path `lag` later plus its own walk, scaled so the
 * correlation of their returns (leader's lagged) is the configured one: with leader variance σ² per
 * second, the lagger's own variance is σ²(1/ρ² − 1). Jumps therefore reach laggers one lag later.
 */
import type { SeededRandom } from "../../model/random.js";
import type { SyntheticSymbolSpec } from "./spec.js";

export const GRID_MS = 5;

export class LatentPrices {
  /** Current log price per symbol. */
  readonly logPrice: Float64Array;
  private readonly idiosyncratic: Float64Array;
  /** Per leader, its log prices over the longest lag (a ring indexed by grid step). */
  private readonly history = new Map<number, Float64Array>();
  private step = 0;

  constructor(
    private readonly symbols: readonly SyntheticSymbolSpec[],
    private readonly random: SeededRandom,
  ) {
    this.logPrice = Float64Array.from(symbols, (s) => Math.log(s.startPrice));
    this.idiosyncratic = new Float64Array(symbols.length);
    symbols.forEach((s) => {
      if (s.leader === undefined) return;
      const steps = this.lagSteps(s) + 1;
      const ring = this.history.get(s.leader);
      if (!ring || ring.length < steps)
        this.history.set(s.leader, new Float64Array(steps).fill(Math.log(symbols[s.leader].startPrice)));
    });
  }

  /** Advances one grid step. Leaders first, so laggers read a complete history. */
  advance(): void {
    this.step++;
    const dtS = GRID_MS / 1000;
    this.symbols.forEach((s, i) => {
      if (s.leader !== undefined) return;
      let r = (s.volatilityBps / 1e4) * Math.sqrt(dtS) * this.random.normal();
      if (this.random.chance((s.jumpRatePerMin / 60) * dtS))
        r += (this.random.chance(0.5) ? 1 : -1) * (s.jumpBps / 1e4);
      this.logPrice[i] += r;
      const ring = this.history.get(i);
      if (ring) ring[this.step % ring.length] = this.logPrice[i];
    });
    this.symbols.forEach((s, i) => {
      if (s.leader === undefined) return;
      const leader = this.symbols[s.leader];
      const ownSigma = (leader.volatilityBps / 1e4) * Math.sqrt(1 / (s.correlation * s.correlation) - 1);
      this.idiosyncratic[i] += ownSigma * Math.sqrt(dtS) * this.random.normal();
      const ring = this.history.get(s.leader)!;
      const at = (this.step - this.lagSteps(s)) % ring.length;
      const lagged = ring[at < 0 ? at + ring.length : at];
      this.logPrice[i] = Math.log(s.startPrice) + (lagged - Math.log(leader.startPrice)) + this.idiosyncratic[i];
    });
  }

  private lagSteps(s: SyntheticSymbolSpec): number {
    return Math.round(s.lagMs / GRID_MS);
  }
}
