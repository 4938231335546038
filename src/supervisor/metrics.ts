import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { MetricsReport } from "../protocol/host.js";
import { Ring } from "../protocol/ring.js";
import { ActorCounters, HANDLER_BUCKETS_S, Slot } from "../runtime/metrics.js";
import type { Topology } from "./topology.js";
import type { Supervisor } from "./supervisor.js";

const PREFIX = "leadlag_";

/** Buckets for custom histograms shipped by actors (seconds for latencies, any unit otherwise). */
const CUSTOM_BUCKETS = [1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 0.1, 1, 10];

type Sample = MetricsReport["samples"][number];

/**
 * The Prometheus view of the daemon. Per-actor counters are read from the shared metrics block at scrape
 * time (no messages); actors' own labelled metrics arrive in `MetricsReport`s and are kept here.
 */
export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly custom = new Map<string, Counter | Gauge | Histogram>();
  private readonly customValues = new Map<string, Map<string, Sample>>();

  constructor(topology: Topology, supervisor: () => Supervisor | undefined) {
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    const block = new Float64Array(topology.metricsBlock);
    const counters = topology.children.map((c, i) => ({ actor: c.name, thread: c.thread, counters: new ActorCounters(block, i) }));
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
    perActor("actor_drops_total", "Messages dropped for the actor while it was down and its buffer full", Slot.Drops, "counter");
    perActor("actor_handler_errors_total", "Handler calls that threw (each one restarts the actor)", Slot.HandlerErrors, "counter");
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
        for (const s of supervisor()?.actors() ?? []) this.set({ actor: s.name, thread: s.thread, state: s.state }, s.state === "running" ? 1 : 0);
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
        for (const r of topology.rings) this.inc({ from: r.from, to: r.to, policy: r.policy }, Ring.stats(r.buffer).dropped);
      },
    });
    this.handlerHistogramText = () => handlerHistogramText(counters);
  }

  private readonly handlerHistogramText: () => string;

  /** Merges one host's report: counters and gauges replace that (metric, labels) value; histogram values are observed. */
  ingest(samples: readonly Sample[]): void {
    for (const s of samples) {
      const metric = this.customMetric(s);
      if (metric === undefined) continue;
      if (s.kind === "histogram") {
        (metric as Histogram).observe(s.labels, s.value);
        continue;
      }
      const key = JSON.stringify(s.labels);
      this.customValues.get(s.name)!.set(key, s);
    }
  }

  private customMetric(s: Sample): Counter | Gauge | Histogram | undefined {
    const existing = this.custom.get(s.name);
    if (existing !== undefined) return existing;
    const name = `${PREFIX}${s.name}`;
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) return undefined;
    const labelNames = Object.keys(s.labels);
    const values = new Map<string, Sample>();
    this.customValues.set(s.name, values);
    const help = `leadlag ${s.kind} ${s.name} (reported by actors)`;
    let metric: Counter | Gauge | Histogram;
    if (s.kind === "histogram") {
      metric = new Histogram({ name, help, labelNames, buckets: CUSTOM_BUCKETS, registers: [this.registry] });
    } else {
      const Metric = s.kind === "counter" ? Counter : Gauge;
      metric = new Metric({
        name,
        help,
        labelNames,
        registers: [this.registry],
        collect(this: Counter | Gauge) {
          this.reset();
          for (const v of values.values()) {
            if (this instanceof Counter) this.inc(v.labels, v.value);
            else this.set(v.labels, v.value);
          }
        },
      });
    }
    this.custom.set(s.name, metric);
    return metric;
  }

  async text(): Promise<string> {
    return (await this.registry.metrics()) + this.handlerHistogramText();
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
    lines.push(`${name}_bucket{${base},le="+Inf"} ${count}`, `${name}_sum{${base}} ${sum}`, `${name}_count{${base}} ${count}`);
  }
  return lines.join("\n") + "\n";
}
