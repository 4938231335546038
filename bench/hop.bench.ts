import { MessageChannel, type MessagePort } from "node:worker_threads";
import type { Bench } from "./bench.js";
import { percentile, round, sortedCopy } from "./bench.js";
import { startBenchWorker } from "./thread-harness.js";
import { openGate } from "./workers/gate.js";
import type { HopJob, HopReport } from "./workers/hop.js";
import { Ring } from "../src/transport/ring.js";
import { pino } from "pino";
import { compiledUrl } from "../src/runtime/paths.js";
import { InlineRuntime } from "../src/runtime/inline.js";
import { resolveChildSpecs } from "../src/supervisor/child-spec.js";
import { loadDefs } from "../src/supervisor/system.js";

const RING_CAPACITY = 64 * 1024;

interface HopRun {
  readonly warmup: number;
  readonly samples: number;
}

/**
 * One way of moving a message between two actors and back. Each contributes its own fields to the
 * JSON line; adding a placement (e.g. co-located actors on one thread) is one more entry in `hops`.
 */
interface HopMeasurement {
  measure(run: HopRun): Promise<Record<string, number>>;
}

/** Starts the pinger and ponger workers, opens the gate when both are up, returns the round trips (µs). */
async function pingPong(
  ping: HopJob,
  pong: HopJob,
  transfers: { ping?: MessagePort; pong?: MessagePort } = {},
): Promise<Float64Array> {
  const ponger = startBenchWorker<null>("hop", pong, transfers.pong ? [transfers.pong] : []);
  const pinger = startBenchWorker<HopReport>("hop", ping, transfers.ping ? [transfers.ping] : []);
  await Promise.all([ponger.ready, pinger.ready]);
  openGate(ping.gate);
  const [report] = await Promise.all([pinger.result, ponger.result]);
  return sortedCopy(report.roundTripsUs);
}

function latencyFields(prefix: string, sorted: Float64Array): Record<string, number> {
  return {
    [`${prefix}_p50_us`]: round(percentile(sorted, 50), 2),
    [`${prefix}_p99_us`]: round(percentile(sorted, 99), 2),
    [`${prefix}_p999_us`]: round(percentile(sorted, 99.9), 2),
  };
}

/** Two worker threads, one ring each way, both consumers polling. */
const crossThreadRing: HopMeasurement = {
  async measure({ warmup, samples }) {
    const pings = Ring.create(RING_CAPACITY, "block").buffer;
    const replies = Ring.create(RING_CAPACITY, "block").buffer;
    const gate = new SharedArrayBuffer(4);
    const sorted = await pingPong(
      { role: "ring-ping", inbox: replies, outbox: pings, warmup, samples, gate },
      { role: "ring-pong", inbox: pings, outbox: replies, warmup, samples, gate },
    );
    return latencyFields("cross", sorted);
  },
};

/** The same exchange of encoded trades over a MessageChannel between the same two kinds of threads. */
const postMessageRoundTrip: HopMeasurement = {
  async measure({ warmup, samples }) {
    const { port1, port2 } = new MessageChannel();
    const gate = new SharedArrayBuffer(4);
    const sorted = await pingPong(
      { role: "port-ping", port: port1, warmup, samples, gate },
      { role: "port-pong", port: port2, warmup, samples, gate },
      { ping: port1, pong: port2 },
    );
    return latencyFields("postmessage", sorted);
  },
};

/** Two actors on one thread: each hop is a push onto the in-thread mailbox and a handler call. */
const colocatedActors: HopMeasurement = {
  async measure({ samples }) {
    const perBatchUs: number[] = [];
    const actor = (name: string) => compiledUrl(new URL(`./actors/${name}.ts`, import.meta.url)).href;
    const batch = 100;
    const children = resolveChildSpecs([
      {
        name: "pinger",
        module: actor("hop-pinger"),
        thread: "main",
        config: { batch, batches: Math.ceil(samples / batch), record: (us: number) => perBatchUs.push(us) },
      },
      { name: "ponger", module: actor("hop-ponger"), thread: "main" },
    ]);
    const runtime = new InlineRuntime(children, await loadDefs(children), 0n, pino({ level: "silent" }));
    await runtime.start();
    runtime.runUntil(1n);
    return { colocated_p50_us: round(percentile(sortedCopy(perBatchUs), 50), 3) };
  },
};

const hops: readonly HopMeasurement[] = [colocatedActors, crossThreadRing, postMessageRoundTrip];

/**
 * Round-trip latency between two actors: across threads over rings with polling consumers, and via
 * postMessage. A round trip is: encode-free send of a ~100-byte encoded trade, decode on the far side,
 * the same bytes sent back, decoded again on arrival.
 */
export const hopBench: Bench = {
  name: "hop",
  summary: "round-trip latency between two actors: co-located, across threads over rings (polling), via postMessage",
  async run({ quick }) {
    const run: HopRun = quick ? { warmup: 5_000, samples: 50_000 } : { warmup: 20_000, samples: 200_000 };
    const result: Record<string, number> = {};
    for (const hop of hops) Object.assign(result, await hop.measure(run));
    return { bench: "hop", ...result, samples: run.samples };
  },
};
