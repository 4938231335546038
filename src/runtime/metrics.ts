/**
 * Per-actor telemetry. The fixed counters live in a SharedArrayBuffer block the supervisor reads at
 * scrape time without messages; labelled custom metrics are aggregated per thread and shipped to the
 * supervisor about once a second.
 */
export interface ActorMetrics {
  /** Adds to a labelled counter (`leadlag_` prefix added by the exporter). */
  count(name: string, labels?: Readonly<Record<string, string>>, by?: number): void;
  /** Sets a labelled gauge. */
  gauge(name: string, value: number, labels?: Readonly<Record<string, string>>): void;
  /**
   * Adds a signed amount to a labelled running total (realised PnL), exported as a gauge: a Prometheus
   * counter may never go down. Kept by the thread, so it survives the actor's restarts as counters do.
   */
  add(name: string, by: number, labels?: Readonly<Record<string, string>>): void;
  /** Records one observation of a labelled histogram (seconds for latencies). */
  observe(name: string, value: number, labels?: Readonly<Record<string, string>>): void;
}

/** Slots of one actor's fixed counters in the shared metrics block (Float64 each). */
// biome-ignore lint/suspicious/noConstEnum: tsc inlines the offsets on the hot path; nothing compiles files one by one
export const enum Slot {
  MessagesIn = 0,
  MessagesOut = 1,
  Drops = 2,
  HandlerErrors = 3,
  Restarts = 4,
  /** Wall-clock ms when the current handler call started; 0 when idle. Read by the stuck-actor watchdog. */
  BusySinceMs = 5,
  /** Wall-clock ms of the last completed handler call or idle loop turn. */
  HeartbeatMs = 6,
  MailboxDepth = 7,
  /** Handler latency histogram: bucket counts follow, bounds in HANDLER_BUCKETS_S. */
  HistogramStart = 8,
}

/** Upper bounds (seconds) of the handler latency histogram buckets; the last bucket is +Inf. */
export const HANDLER_BUCKETS_S = [1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 0.1, 1] as const;

export const SLOTS_PER_ACTOR = Slot.HistogramStart + HANDLER_BUCKETS_S.length + 2; // + Inf bucket + sum

/** A view of one actor's slots in a block shared by every actor of the daemon. */
export class ActorCounters {
  private readonly base: number;
  constructor(
    private readonly block: Float64Array,
    index: number,
  ) {
    this.base = index * SLOTS_PER_ACTOR;
  }

  add(slot: Slot, by = 1): void {
    this.block[this.base + slot] += by;
  }

  set(slot: Slot, value: number): void {
    this.block[this.base + slot] = value;
  }

  get(slot: Slot): number {
    return this.block[this.base + slot];
  }

  observeHandlerSeconds(seconds: number): void {
    let i = 0;
    while (i < HANDLER_BUCKETS_S.length && seconds > HANDLER_BUCKETS_S[i]) i++;
    this.block[this.base + Slot.HistogramStart + i] += 1;
    this.block[this.base + Slot.HistogramStart + HANDLER_BUCKETS_S.length + 1] += seconds;
  }

  /** Cumulative bucket counts (Prometheus `le` semantics) and the sum. */
  handlerHistogram(): { buckets: number[]; count: number; sum: number } {
    const buckets: number[] = [];
    let running = 0;
    for (let i = 0; i <= HANDLER_BUCKETS_S.length; i++) {
      running += this.block[this.base + Slot.HistogramStart + i];
      buckets.push(running);
    }
    return { buckets, count: running, sum: this.block[this.base + Slot.HistogramStart + HANDLER_BUCKETS_S.length + 1] };
  }
}

export function createMetricsBlock(actorCount: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(1, actorCount) * SLOTS_PER_ACTOR * Float64Array.BYTES_PER_ELEMENT);
}

type Labels = Readonly<Record<string, string>>;

export interface CustomMetricSample {
  kind: "counter" | "gauge" | "histogram";
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Thread-local aggregation of custom metrics. Counters and gauges keep one value per (name, labels);
 * histograms keep the raw observations since the last flush (the exporter buckets them).
 */
export class CustomMetrics {
  private readonly values = new Map<string, CustomMetricSample>();
  private observations: CustomMetricSample[] = [];

  forActor(actor: string): ActorMetrics {
    return {
      count: (name, labels, by = 1) => this.bump("counter", actor, name, labels, by, true),
      gauge: (name, value, labels) => this.bump("gauge", actor, name, labels, value, false),
      add: (name, by, labels) => this.bump("gauge", actor, name, labels, by, true),
      observe: (name, value, labels) => {
        this.observations.push({ kind: "histogram", name, labels: { actor, ...labels }, value });
      },
    };
  }

  /** Called per order or event on hot paths: the labels object is only built the first time a series is seen. */
  private bump(
    kind: "counter" | "gauge",
    actor: string,
    name: string,
    labels: Labels | undefined,
    value: number,
    accumulate: boolean,
  ): void {
    const key = labels === undefined ? `${name}|${actor}` : `${name}|${actor}|${JSON.stringify(labels)}`;
    const sample = this.values.get(key);
    if (sample === undefined) this.values.set(key, { kind, name, labels: { actor, ...labels }, value });
    else if (accumulate) sample.value += value;
    else sample.value = value;
  }

  /** Counters and running totals are cumulative; histogram observations are drained. */
  flush(): CustomMetricSample[] {
    const out = [...this.values.values()].map((s) => ({ ...s }));
    out.push(...this.observations);
    this.observations = [];
    return out;
  }
}
