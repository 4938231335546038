/** One benchmark scenario: `leadlag bench <name> --json` prints the object `run` returns as one JSON line. */
export interface Bench {
  readonly name: string;
  readonly summary: string;
  /** How long `--quick` takes when it cannot finish in 20 s, and why (`leadlag bench`'s usage shows it). */
  readonly quickTakes?: string;
  run(options: BenchOptions): Promise<BenchResult>;
}

export interface BenchOptions {
  /** Fewer iterations, same measurements: under 20 s unless the bench's `quickTakes` says otherwise. */
  readonly quick: boolean;
}

export type BenchResult = { bench: string } & Record<string, unknown>;

/** Percentile of an ascending-sorted sample (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** Rounds for the JSON line: benchmarks report 3 significant decimals, not float noise. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A trade told apart from others with its timestamp (a sweep, another symbol) by its stream's seq. */
export function tradeKey(tsNs: bigint, seq: number): string {
  return `${tsNs}:${seq}`;
}
