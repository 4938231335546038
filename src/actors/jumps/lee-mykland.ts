import { DEFAULT_JUMP_PARAMS, leeMyklandConstants, type JumpParams, type LeeMyklandConstants } from "./params.js";

/** A return that passed the Lee–Mykland test (§3.3), before the co-jump filter. */
export interface JumpDetection {
  readonly tsNs: bigint;
  readonly symbol: string;
  /** Log return of the observation against the last finalised one. */
  readonly r: number;
  readonly jumpBps: number;
  readonly sigmaHat: number;
  readonly L: number;
  readonly xi: number;
}

/**
 * Lee–Mykland jump test for one symbol in event time (signal-math §3.1–3.3). Timestamps are only compared,
 * never subtracted, so they stay `bigint`.
 */
export class LeeMyklandDetector {
  readonly constants: LeeMyklandConstants;
  /** Ticks dropped because they were older than the current observation. */
  dropped = 0;
  private readonly windowSize: number;
  /** |w| of the last K − 1 finalised non-zero returns, as a ring. */
  private readonly absReturns: Float64Array;
  private filled = 0;
  private next = 0;
  private sigmaHat = NaN;
  private currentTs: bigint | undefined;
  private currentPrice = NaN;
  private referencePrice = NaN;
  private reported = false;

  constructor(
    readonly symbol: string,
    params: JumpParams = DEFAULT_JUMP_PARAMS,
  ) {
    if (!(params.windowK >= 3)) throw new RangeError(`window_K must be >= 3, got ${params.windowK}`);
    this.windowSize = params.windowK - 1;
    this.absReturns = new Float64Array(this.windowSize);
    this.constants = leeMyklandConstants(params.normalisingCount ?? params.windowK, params.alpha);
  }

  /** One tick in arrival order; returns the jump the first time the current observation passes the test. */
  onTick(tsNs: bigint, price: number): JumpDetection | null {
    if (this.currentTs !== undefined && tsNs < this.currentTs) {
      this.dropped++;
      return null;
    }
    if (this.currentTs === undefined || tsNs > this.currentTs) {
      if (this.currentTs !== undefined) this.finaliseCurrent();
      this.currentTs = tsNs;
      this.reported = false;
    }
    // A same-timestamp tick replaces the price; the sweep is judged on its cumulative move so far.
    this.currentPrice = price;
    return this.reported ? null : this.test();
  }

  /**
   * The test of the current observation with its statistic whether or not it passes, and nothing
   * changed: a rehearsal (`ActorInstance.decide`). Null before the window is full.
   */
  statistic(): JumpDetection | null {
    return this.ready() ? this.detection(this.logReturn()) : null;
  }

  /** Builds the detection only for a return that passes: most ticks are tested, few jump. */
  private test(): JumpDetection | null {
    if (!this.ready()) return null;
    const r = this.logReturn();
    if (r === 0 || !(this.xi(r) > this.constants.betaStar)) return null;
    this.reported = true;
    return this.detection(r);
  }

  private ready(): boolean {
    return (
      this.currentTs !== undefined &&
      !Number.isNaN(this.referencePrice) &&
      this.filled === this.windowSize &&
      this.sigmaHat > 0
    );
  }

  private logReturn(): number {
    return Math.log(this.currentPrice / this.referencePrice);
  }

  private xi(r: number): number {
    return (Math.abs(r / this.sigmaHat) - this.constants.cN) / this.constants.sN;
  }

  /** Called only once `ready()`, which needs a current observation: `currentTs` is set. */
  private detection(r: number): JumpDetection {
    return {
      tsNs: this.currentTs!,
      symbol: this.symbol,
      r,
      jumpBps: 1e4 * r,
      sigmaHat: this.sigmaHat,
      L: r / this.sigmaHat,
      xi: this.xi(r),
    };
  }

  private finaliseCurrent(): void {
    if (!Number.isNaN(this.referencePrice)) {
      const r = Math.log(this.currentPrice / this.referencePrice);
      // Zero returns stay out of the window: tick-size discreteness would otherwise collapse sigma_hat (§3.1).
      if (r !== 0) this.pushReturn(Math.abs(r));
    }
    this.referencePrice = this.currentPrice;
  }

  private pushReturn(absReturn: number): void {
    this.absReturns[this.next] = absReturn;
    this.next = (this.next + 1) % this.windowSize;
    if (this.filled < this.windowSize) this.filled++;
    if (this.filled === this.windowSize) this.sigmaHat = this.bipowerSigma();
  }

  /** sigma_hat² = mean of the K − 2 adjacent products |w_j||w_{j−1}|, oldest first (§3.2). */
  private bipowerSigma(): number {
    let sum = 0;
    let previous = this.absReturns[this.next];
    for (let i = 1; i < this.windowSize; i++) {
      const current = this.absReturns[(this.next + i) % this.windowSize];
      sum += current * previous;
      previous = current;
    }
    return Math.sqrt(sum / (this.windowSize - 1));
  }
}
