/** Reading the daemon's `/metrics` text: samples, sums over labels, histogram windows. Pure. */

export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(LABEL)) labels[l[1]] = l[2].replace(/\\(.)/g, "$1");
    const value = m[3] === "+Inf" ? Infinity : m[3] === "-Inf" ? -Infinity : Number(m[3]);
    samples.push({ name: m[1], labels, value });
  }
  return samples;
}

export type LabelFilter = Readonly<Record<string, string>>;

function matches(sample: MetricSample, name: string, filter: LabelFilter): boolean {
  if (sample.name !== name) return false;
  for (const [k, v] of Object.entries(filter)) if (sample.labels[k] !== v) return false;
  return true;
}

/** Sum of every sample of `name` whose labels include `filter`; undefined when there is none. */
export function sumOf(samples: readonly MetricSample[], name: string, filter: LabelFilter = {}): number | undefined {
  let sum: number | undefined;
  for (const s of samples) if (matches(s, name, filter)) sum = (sum ?? 0) + s.value;
  return sum;
}

/** `label value → sum` over the samples of `name`, e.g. drops by reason. */
export function sumBy(samples: readonly MetricSample[], name: string, label: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== name) continue;
    const key = s.labels[label] ?? "";
    out.set(key, (out.get(key) ?? 0) + s.value);
  }
  return out;
}

/** A histogram summed over its label sets: cumulative bucket counts by upper bound, sum and count. */
export interface HistogramState {
  readonly buckets: ReadonlyMap<number, number>;
  readonly sum: number;
  readonly count: number;
}

export function histogramOf(samples: readonly MetricSample[], name: string): HistogramState {
  const buckets = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket`) continue;
    const le = s.labels.le === "+Inf" ? Infinity : Number(s.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  return { buckets, sum: sumOf(samples, `${name}_sum`) ?? 0, count: sumOf(samples, `${name}_count`) ?? 0 };
}

/** What was observed between two scrapes of the same histogram. */
export function histogramDelta(before: HistogramState, after: HistogramState): HistogramState {
  const buckets = new Map<number, number>();
  for (const [le, n] of after.buckets) buckets.set(le, n - (before.buckets.get(le) ?? 0));
  return { buckets, sum: after.sum - before.sum, count: after.count - before.count };
}

export function histogramMean(h: HistogramState): number | undefined {
  return h.count > 0 ? h.sum / h.count : undefined;
}

/** Quantile by linear interpolation inside the bucket that holds it (as Prometheus' histogram_quantile). */
export function histogramQuantile(h: HistogramState, q: number): number | undefined {
  if (h.count <= 0) return undefined;
  const bounds = [...h.buckets.keys()].sort((a, b) => a - b);
  const rank = q * h.count;
  let lower = 0;
  let below = 0;
  for (const le of bounds) {
    const cumulative = h.buckets.get(le)!;
    if (cumulative >= rank) {
      if (le === Infinity) return lower;
      const inBucket = cumulative - below;
      return inBucket <= 0 ? le : lower + ((le - lower) * (rank - below)) / inBucket;
    }
    lower = le;
    below = cumulative;
  }
  return lower;
}
