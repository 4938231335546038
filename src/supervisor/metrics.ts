import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Logger } from "pino";
import type { MetricsReport } from "../protocol/host.js";
import { Ring } from "../transport/ring.js";
import { ActorCounters, HANDLER_BUCKETS_S, Slot } from "../runtime/metrics.js";
import type { Topology } from "./topology.js";
import type { Supervisor } from "./supervisor.js";

const PREFIX = "leadlag_";
const METRIC_ERRORS = `${PREFIX}metric_errors_total`;

/** Buckets for custom histograms shipped by actors (seconds for latencies, any unit otherwise). */
const CUSTOM_BUCKETS = [1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 0.1, 1, 10];

type Sample = MetricsReport["samples"][number];

/** One series of a metric as `/status.json` reads it; a histogram's are `…_bucket` (label `le`), `…_sum`, `…_count`. */
export interface MetricSeries {
  name: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * The Prometheus view of the daemon. Per-actor counters are read from the shared metrics block at scrape
 * time (no messages); actors' own labelled metrics arrive in `MetricsReport`s and are kept here.
 * A scrape never fails: a metric that cannot be collected is left out of it, logged once and counted in
 * `leadlag_metric_errors_total`, and everything else is served.
 */
export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly custom = new Map<string, Counter | Gauge | Histogram>();
  private readonly customValues = new Map<string, Map<string, Sample>>();
  private readonly errors: Counter;
  private readonly leftOpen: Counter;
  /** Metrics already logged as broken: a scrape every few seconds must not repeat the same error. */
  private readonly reported = new Set<string>();

  constructor(
    topology: Topology,
    supervisor: () => Pick<Supervisor, "actors"> | undefined,
    private readonly log: Logger,
  ) {
    this.errors = new Counter({
      name: METRIC_ERRORS,
      help: "Metrics left out of a scrape, or actor samples refused, because they could not be collected",
      labelNames: ["metric"],
      registers: [this.registry],
    });
    this.leftOpen = new Counter({
      name: `${PREFIX}shutdown_left_open_total`,
      help: "Orders and positions a stop could not close before runtime.shutdown.timeout_ms",
      labelNames: ["what"],
      registers: [this.registry],
    });
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    const block = new Float64Array(topology.metricsBlock);
    const counters = topology.children.map((c, i) => ({
      actor: c.name,
      thread: c.thread,
      counters: new ActorCounters(block, i),
    }));
    const perActor = (name: string, help: string, slot: Slot, kind: "counter" | "gauge") => {
      const Metric = kind === "counter" ? Counter : Gauge;
      new Metric({
        name: `${PREFIX}${name}`,
        help,
        labelNames: ["actor", "thread"],
        registers: [this.registry],
        collect(this: Counter | Gauge) {
          this.reset();
          for (const a of counters) {
            const labels = { actor: a.actor, thread: a.thread };
            if (this instanceof Counter) this.inc(labels, a.counters.get(slot));
            else this.set(labels, a.counters.get(slot));
          }
        },
      });
    };
    perActor("actor_messages_in_total", "Messages delivered to the actor's handlers", Slot.MessagesIn, "counter");
    perActor("actor_messages_out_total", "Messages the actor sent", Slot.MessagesOut, "counter");
    perActor(
      "actor_drops_total",
      "Messages dropped for the actor while it was down and its buffer full",
      Slot.Drops,
      "counter",
    );
    perActor(
      "actor_handler_errors_total",
      "Handler calls that threw (each one restarts the actor)",
      Slot.HandlerErrors,
      "counter",
    );
    perActor("actor_mailbox_depth", "Messages waiting for the actor while it restarts", Slot.MailboxDepth, "gauge");
    new Counter({
      name: `${PREFIX}actor_restarts_total`,
      help: "Restarts of the actor (in place, with its worker, or by an operator)",
      labelNames: ["actor", "thread"],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const s of supervisor()?.actors() ?? []) this.inc({ actor: s.name, thread: s.thread }, s.restarts);
      },
    });
    new Gauge({
      name: `${PREFIX}actor_up`,
      help: "1 when the actor is running",
      labelNames: ["actor", "thread", "state"],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const s of supervisor()?.actors() ?? [])
          this.set({ actor: s.name, thread: s.thread, state: s.state }, s.state === "running" ? 1 : 0);
      },
    });
    const ringLabels = ["from", "to", "policy"] as const;
    new Gauge({
      name: `${PREFIX}ring_fill_ratio`,
      help: "Fraction of the ring's bytes in use",
      labelNames: ringLabels,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const r of topology.rings) {
          const stats = Ring.stats(r.buffer);
          this.set({ from: r.from, to: r.to, policy: r.policy }, stats.usedBytes / stats.capacity);
        }
      },
    });
    new Counter({
      name: `${PREFIX}ring_dropped_total`,
      help: "Frames dropped by drop-oldest rings (gaps seen by the consumer)",
      labelNames: ringLabels,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const r of topology.rings)
          this.inc({ from: r.from, to: r.to, policy: r.policy }, Ring.stats(r.buffer).dropped);
      },
    });
    this.handlerHistogramText = () => handlerHistogramText(counters);
  }

  private readonly handlerHistogramText: () => string;

  /** What a stop left open (`leadlag_shutdown_left_open_total`); the log line names each. */
  countLeftOpen(orders: number, positions: number): void {
    this.leftOpen.inc({ what: "order" }, orders);
    this.leftOpen.inc({ what: "position" }, positions);
  }

  /**
   * Merges one host's report: counters and gauges replace that (metric, labels) value; histogram values
   * are observed. A sample that cannot be taken (a name already used, other label names) is refused alone.
   */
  ingest(samples: readonly Sample[]): void {
    for (const s of samples) {
      try {
        const metric = this.customMetric(s);
        if (s.kind === "histogram") {
          (metric as Histogram).observe(s.labels, s.value);
          continue;
        }
        const key = JSON.stringify(s.labels);
        this.customValues.get(s.name)!.set(key, s);
      } catch (err) {
        this.failed(s.name, err, "actor metric sample refused");
      }
    }
  }

  /** The sum of an actor-reported counter or gauge over its label sets that match `where`; 0 if none yet. */
  total(name: string, where: Readonly<Record<string, string>> = {}): number {
    let sum = 0;
    for (const s of this.customValues.get(name)?.values() ?? []) {
      if (Object.entries(where).every(([key, value]) => s.labels[key] === value)) sum += s.value;
    }
    return sum;
  }

  private failed(metric: string, err: unknown, what: string): void {
    this.errors.inc({ metric });
    if (this.reported.has(metric)) return;
    this.reported.add(metric);
    this.log.error({ err, metric }, `${what} (logged once per metric; counted in ${METRIC_ERRORS})`);
  }

  private customMetric(s: Sample): Counter | Gauge | Histogram {
    const existing = this.custom.get(s.name);
    if (existing !== undefined) return existing;
    const name = `${PREFIX}${s.name}`;
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`'${s.name}' is not a Prometheus metric name`);
    const labelNames = Object.keys(s.labels);
    const values = new Map<string, Sample>();
    this.customValues.set(s.name, values);
    const help = `leadlag ${s.kind} ${s.name} (reported by actors)`;
    let metric: Counter | Gauge | Histogram;
    if (s.kind === "histogram") {
      metric = new Histogram({ name, help, labelNames, buckets: CUSTOM_BUCKETS, registers: [this.registry] });
    } else {
      const Metric = s.kind === "counter" ? Counter : Gauge;
      const failed = (err: Error) => this.failed(s.name, err, "counter series left out of the scrape");
      metric = new Metric({
        name,
        help,
        labelNames,
        registers: [this.registry],
        collect(this: Counter | Gauge) {
          this.reset();
          for (const v of values.values()) {
            if (!(this instanceof Counter)) this.set(v.labels, v.value);
            // A counter may not go down: a signed total belongs in a gauge (ActorMetrics.add).
            else if (v.value < 0) failed(new Error(`${s.name}${JSON.stringify(v.labels)} is negative (${v.value})`));
            else this.inc(v.labels, v.value);
          }
        },
      });
    }
    this.custom.set(s.name, metric);
    return metric;
  }

  /**
   * One actor metric's current series (`decisions_total` → `leadlag_decisions_total`), for `/status.json`;
   * none when no actor reported it yet or it cannot be collected (logged and counted like a scrape's).
   */
  async series(name: string): Promise<MetricSeries[]> {
    const full = `${PREFIX}${name}`;
    const metric = this.registry.getSingleMetric(full);
    if (metric === undefined) return [];
    try {
      // Histogram series carry `metricName` (`…_bucket`, `…_sum`, `…_count`); prom-client's type omits it.
      const { values } = await metric.get();
      return (values as ((typeof values)[number] & { metricName?: string })[]).map((v) => ({
        name: v.metricName ?? full,
        labels: v.labels as Record<string, string | number>,
        value: v.value,
      }));
    } catch (err) {
      this.failed(name, err, "metric left out of the scrape");
      return [];
    }
  }

  /** Collects metric by metric, so one that throws is left out rather than failing the scrape. */
  async text(): Promise<string> {
    const parts: string[] = [];
    for (const metric of this.registry.getMetricsAsArray()) {
      if (metric.name === METRIC_ERRORS) continue; // last, so that it counts this scrape's failures
      try {
        parts.push(await this.registry.getSingleMetricAsString(metric.name));
      } catch (err) {
        this.failed(metric.name.slice(PREFIX.length), err, "metric left out of the scrape");
      }
    }
    parts.push(await this.registry.getSingleMetricAsString(METRIC_ERRORS));
    let handlerHistogram = "";
    try {
      handlerHistogram = this.handlerHistogramText();
    } catch (err) {
      this.failed("actor_handler_seconds", err, "metric left out of the scrape");
    }
    return parts.join("\n\n") + "\n" + handlerHistogram;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** The handler latency histogram comes pre-bucketed from shared memory, so it is rendered directly. */
function handlerHistogramText(actors: readonly { actor: string; thread: string; counters: ActorCounters }[]): string {
  const name = `${PREFIX}actor_handler_seconds`;
  const lines = [`# HELP ${name} Time spent in one handler call`, `# TYPE ${name} histogram`];
  for (const a of actors) {
    const { buckets, count, sum } = a.counters.handlerHistogram();
    const base = `actor="${a.actor}",thread="${a.thread}"`;
    HANDLER_BUCKETS_S.forEach((le, i) => lines.push(`${name}_bucket{${base},le="${le}"} ${buckets[i]}`));
    lines.push(
      `${name}_bucket{${base},le="+Inf"} ${count}`,
      `${name}_sum{${base}} ${sum}`,
      `${name}_count{${base}} ${count}`,
    );
  }
  return lines.join("\n") + "\n";
}
