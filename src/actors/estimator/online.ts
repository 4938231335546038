import { accumulateInterval } from "./accumulate.js";
import { secondsToNsNumber } from "../../model/time.js";
import { buildLagGrid, DEFAULT_HY_PARAMS, type HyParams, type LagGrid } from "./params.js";
import { scanHy, type HyResult, type ScanInputs } from "./scan.js";
import { ObservationSeries } from "./series.js";

/** What happened to a tick under the cleaning rules of §1.3. */
export type TickOutcome = "added" | "replaced" | "dropped";

export interface OnlineHyOptions {
  /** Session base for relative time (§1.1); defaults to the first tick seen. */
  readonly baseNs?: bigint;
  /**
   * How far behind the newest tick an evaluation may end and still be exact. Ticks evict only what is older
   * than `ts − W − slack`, so an evaluation at a leader jump (`t_J − 1 ns`) still finds its whole window even
   * when the other series has already ticked a little past it.
   */
  readonly evaluationSlackS?: number;
}

/** Per-series running state: the window's observations, RV with its compensation, counters. */
class SeriesState {
  readonly observations = new ObservationSeries();
  lastTime = -Infinity;
  rv = 0;
  rvCompensation = 0;
  nonZeroIncrements = 0;
  dropped = 0;
  replaced = 0;

  addSquare(increment: number, sign: 1 | -1): void {
    const term = sign * increment * increment;
    const total = this.rv + term;
    this.rvCompensation += Math.abs(this.rv) >= Math.abs(term) ? this.rv - total + term : term - total + this.rv;
    this.rv = total;
    if (increment !== 0) this.nonZeroIncrements += sign;
  }

  reset(): void {
    this.rv = 0;
    this.rvCompensation = 0;
    this.nonZeroIncrements = 0;
  }
}

/**
 * Online shifted Hayashi–Yoshida lead-lag estimator for one (leader, lagger) pair and one feature
 * (signal-math §2.8.3). Values are log prices or feature levels; increments are their differences.
 * Evaluation times must not go backwards: eviction is permanent.
 */
export class OnlineHyEstimator {
  readonly grid: LagGrid;
  private readonly leader = new SeriesState();
  private readonly lagger = new SeriesState();
  private readonly sums: Float64Array;
  private readonly compensations: Float64Array;
  private readonly scratchSums: Float64Array;
  private readonly scratchCompensations: Float64Array;
  private readonly lookbackNs: number;
  private readonly slackNs: number;
  private baseNs: bigint | undefined;
  private lastInputs: ScanInputs | undefined;
  /** The window being prepared, reused so that snapshots allocate nothing. */
  private readonly window = { nLeader: 0, nLagger: 0, nonZeroLeader: 0, nonZeroLagger: 0, rvLeader: 0, rvLagger: 0 };

  constructor(
    readonly params: HyParams = DEFAULT_HY_PARAMS,
    options: OnlineHyOptions = {},
  ) {
    this.grid = buildLagGrid(params);
    const count = this.grid.lagsNs.length;
    this.sums = new Float64Array(count);
    this.compensations = new Float64Array(count);
    this.scratchSums = new Float64Array(count);
    this.scratchCompensations = new Float64Array(count);
    this.lookbackNs = secondsToNsNumber(params.inferenceLookbackSeconds);
    this.slackNs = secondsToNsNumber(options.evaluationSlackS ?? 1);
    this.baseNs = options.baseNs;
  }

  /** Epoch ns to the session-relative number every boundary test uses (exact for ~104 days around the base). */
  toRelative(tsNs: bigint): number {
    this.baseNs ??= tsNs;
    return Number(tsNs - this.baseNs);
  }

  onLeader(tsNs: bigint, value: number): TickOutcome {
    return this.onLeaderRelative(this.toRelative(tsNs), value);
  }

  onLagger(tsNs: bigint, value: number): TickOutcome {
    return this.onLaggerRelative(this.toRelative(tsNs), value);
  }

  /** Hot path for callers that already hold relative ns: no bigint arithmetic, no allocation. */
  onLeaderRelative(time: number, value: number): TickOutcome {
    return this.observe(this.leader, this.lagger, true, time, value);
  }

  onLaggerRelative(time: number, value: number): TickOutcome {
    return this.observe(this.lagger, this.leader, false, time, value);
  }

  /** The scan of the window [T − W, T] (§2.3). */
  evaluate(endNs: bigint, withCurve = false): HyResult {
    return this.evaluateRelative(this.toRelative(endNs), withCurve);
  }

  /** The window used for a leader jump at t_J: it ends 1 ns before the jump tick (§2.3). */
  evaluateBeforeJump(jumpTsNs: bigint, withCurve = false): HyResult {
    return this.evaluate(jumpTsNs - 1n, withCurve);
  }

  evaluateRelative(end: number, withCurve = false): HyResult {
    this.prepareWindow(end);
    const w = this.window;
    const inputs = {
      nLeader: w.nLeader,
      nLagger: w.nLagger,
      nonZeroLeader: w.nonZeroLeader,
      nonZeroLagger: w.nonZeroLagger,
      rvLeader: w.rvLeader,
      rvLagger: w.rvLagger,
    };
    this.lastInputs = inputs;
    return scanHy(this.scratchSums, this.grid, inputs, this.params, withCurve);
  }

  /**
   * Copies what a scan of the window ending at `end` (relative ns) needs, without scanning and without
   * allocating: per-lag HY into `hyOut[hyOffset …+L)`, the six scan inputs into `inputsOut[inputsOffset …+6)`
   * in `SNAPSHOT_INPUT_FIELDS` order. O(L) when nothing stamped after `end` is held. Lets a caller keep cheap
   * pre-tick snapshots, e.g. the window just before each leader tick (§2.3), and scan one later with
   * `snapshotInputs` + `scanHy`. Evicts to `end − W` like `evaluateRelative`.
   */
  captureWindowRelative(
    end: number,
    hyOut: Float64Array,
    hyOffset: number,
    inputsOut: Float64Array,
    inputsOffset: number,
  ): void {
    this.prepareWindow(end);
    hyOut.set(this.scratchSums, hyOffset);
    const w = this.window;
    inputsOut[inputsOffset] = w.nLeader;
    inputsOut[inputsOffset + 1] = w.nLagger;
    inputsOut[inputsOffset + 2] = w.nonZeroLeader;
    inputsOut[inputsOffset + 3] = w.nonZeroLagger;
    inputsOut[inputsOffset + 4] = w.rvLeader;
    inputsOut[inputsOffset + 5] = w.rvLagger;
  }

  /** Session-relative time of the newest leader observation (−Infinity before the first). */
  get lastLeaderTime(): number {
    return this.leader.lastTime;
  }

  /** HY at every lag as of the last evaluation (a view, overwritten by the next one). */
  get lastEvaluatedHy(): Float64Array {
    return this.scratchSums;
  }

  /** Counts and realised variances of the last evaluated window. */
  get lastEvaluatedWindow(): ScanInputs | undefined {
    return this.lastInputs;
  }

  get counters(): { leaderDropped: number; leaderReplaced: number; laggerDropped: number; laggerReplaced: number } {
    return {
      leaderDropped: this.leader.dropped,
      leaderReplaced: this.leader.replaced,
      laggerDropped: this.lagger.dropped,
      laggerReplaced: this.lagger.replaced,
    };
  }

  private observe(own: SeriesState, other: SeriesState, isLeader: boolean, time: number, value: number): TickOutcome {
    if (time < own.lastTime) {
      own.dropped++;
      return "dropped";
    }
    const obs = own.observations;
    if (time === own.lastTime) {
      own.replaced++;
      // The observation may already have left the window; then there is nothing to revise.
      if (obs.size > 0 && obs.lastTime === time) this.replaceNewest(own, other, isLeader, value);
      return "replaced";
    }
    own.lastTime = time;
    this.evictBefore(time - this.lookbackNs - this.slackNs);
    obs.push(time, value);
    if (obs.size >= 2) {
      const increment = value - obs.values[obs.end - 2];
      this.addInterval(other, isLeader, increment, obs.times[obs.end - 2], time);
      own.addSquare(increment, 1);
    }
    return "added";
  }

  /**
   * Same-timestamp re-print: the pair terms are linear in the increment, so adding the change retracts the old terms.
   */
  private replaceNewest(own: SeriesState, other: SeriesState, isLeader: boolean, value: number): void {
    const obs = own.observations;
    const newest = obs.end - 1;
    if (obs.size >= 2) {
      const before = obs.values[newest - 1];
      const oldIncrement = obs.values[newest] - before;
      const newIncrement = value - before;
      this.addInterval(other, isLeader, newIncrement - oldIncrement, obs.times[newest - 1], obs.times[newest]);
      own.addSquare(oldIncrement, -1);
      own.addSquare(newIncrement, 1);
    }
    obs.values[newest] = value;
  }

  private addInterval(other: SeriesState, isLeader: boolean, increment: number, from: number, to: number): void {
    const o = other.observations;
    accumulateInterval(this.sums, this.compensations, this.grid.lagsNs, increment, from, to, o, o.end, isLeader);
  }

  /** Evicts to `end − W`, fills the scratch sums and `window` for the window ending at `end`. */
  private prepareWindow(end: number): void {
    this.evictBefore(end - this.lookbackNs);
    this.prepareWindowSums(end);
    const x = this.leader;
    const y = this.lagger;
    const xCut = x.observations.firstAfter(end);
    const yCut = y.observations.firstAfter(end);
    const w = this.window;
    w.nLeader = xCut - x.observations.start;
    w.nLagger = yCut - y.observations.start;
    w.nonZeroLeader = x.nonZeroIncrements - countNonZero(x.observations, xCut);
    w.nonZeroLagger = y.nonZeroIncrements - countNonZero(y.observations, yCut);
    w.rvLeader = x.rv + x.rvCompensation - sumSquares(x.observations, xCut);
    w.rvLagger = y.rv + y.rvCompensation - sumSquares(y.observations, yCut);
  }

  private evictBefore(bound: number): void {
    this.evictSeries(this.leader, this.lagger, true, bound);
    this.evictSeries(this.lagger, this.leader, false, bound);
  }

  private evictSeries(own: SeriesState, other: SeriesState, isLeader: boolean, bound: number): void {
    const obs = own.observations;
    if (obs.size === 0 || obs.times[obs.start] >= bound) return;
    while (obs.size > 0 && obs.times[obs.start] < bound) {
      if (obs.size >= 2) {
        const increment = obs.values[obs.start + 1] - obs.values[obs.start];
        this.addInterval(other, isLeader, -increment, obs.times[obs.start], obs.times[obs.start + 1]);
        own.addSquare(increment, -1);
      }
      obs.start++;
    }
    // With no interval left there are no pairs: restart the sums from exact zeros instead of rounding residue.
    if (obs.size < 2) {
      own.reset();
      this.sums.fill(0);
      this.compensations.fill(0);
    }
    if (obs.size === 0) obs.clear();
  }

  /**
   * Copies the accumulators into the scratch sums and removes the pairs of intervals ending after `end`
   * (observations that arrived before the evaluation but are stamped later, e.g. a lagger tick at t_J).
   */
  private prepareWindowSums(end: number): void {
    const x = this.leader.observations;
    const y = this.lagger.observations;
    const xCut = x.firstAfter(end);
    const yCut = y.firstAfter(end);
    const count = this.sums.length;
    if (xCut === x.end && yCut === y.end) {
      for (let k = 0; k < count; k++) this.scratchSums[k] = this.sums[k] + this.compensations[k];
      return;
    }
    this.scratchSums.set(this.sums);
    this.scratchCompensations.set(this.compensations);
    const lags = this.grid.lagsNs;
    for (let i = Math.max(xCut, x.start + 1); i < x.end; i++) {
      const increment = x.values[i] - x.values[i - 1];
      accumulateInterval(
        this.scratchSums,
        this.scratchCompensations,
        lags,
        -increment,
        x.times[i - 1],
        x.times[i],
        y,
        y.end,
        true,
      );
    }
    for (let j = Math.max(yCut, y.start + 1); j < y.end; j++) {
      const increment = y.values[j] - y.values[j - 1];
      accumulateInterval(
        this.scratchSums,
        this.scratchCompensations,
        lags,
        -increment,
        y.times[j - 1],
        y.times[j],
        x,
        xCut,
        false,
      );
    }
    for (let k = 0; k < count; k++) this.scratchSums[k] += this.scratchCompensations[k];
  }
}

/** Order of the scan inputs written by `captureWindowRelative`. */
export const SNAPSHOT_INPUT_FIELDS = [
  "nLeader",
  "nLagger",
  "nonZeroLeader",
  "nonZeroLagger",
  "rvLeader",
  "rvLagger",
] as const;

/** Reads back the scan inputs `captureWindowRelative` wrote at `offset`. */
export function snapshotInputs(inputs: Float64Array, offset: number): ScanInputs {
  return {
    nLeader: inputs[offset],
    nLagger: inputs[offset + 1],
    nonZeroLeader: inputs[offset + 2],
    nonZeroLagger: inputs[offset + 3],
    rvLeader: inputs[offset + 4],
    rvLagger: inputs[offset + 5],
  };
}

/** Non-zero increments of the intervals ending at or after `cut`. */
function countNonZero(obs: ObservationSeries, cut: number): number {
  let count = 0;
  for (let i = Math.max(cut, obs.start + 1); i < obs.end; i++) if (obs.values[i] !== obs.values[i - 1]) count++;
  return count;
}

function sumSquares(obs: ObservationSeries, cut: number): number {
  let sum = 0;
  for (let i = Math.max(cut, obs.start + 1); i < obs.end; i++) sum += (obs.values[i] - obs.values[i - 1]) ** 2;
  return sum;
}
