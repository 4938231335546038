import { MessageChannel, type MessagePort } from "node:worker_threads";
import type { Bench } from "./bench.js";
import { round } from "./bench.js";
import { startBenchWorker } from "./thread-harness.js";
import { openGate } from "./workers/gate.js";
import type { PostMessageMode, ThroughputJob, ThroughputReport } from "./workers/ring-throughput.js";
import { encodedSampleTrade } from "./workers/bench-trade.js";
import { Ring } from "../src/transport/ring.js";

const RING_CAPACITY = 1 << 20;

/** Runs one producer and one consumer thread over `count` messages; returns messages per second. */
async function measure(
  count: number,
  job: (role: "producer" | "consumer", gate: SharedArrayBuffer) => { data: ThroughputJob; transfer?: MessagePort[] },
): Promise<number> {
  const gate = new SharedArrayBuffer(4);
  const consumerJob = job("consumer", gate);
  const producerJob = job("producer", gate);
  const consumer = startBenchWorker<ThroughputReport>("ring-throughput", consumerJob.data, consumerJob.transfer);
  const producer = startBenchWorker<ThroughputReport>("ring-throughput", producerJob.data, producerJob.transfer);
  await Promise.all([consumer.ready, producer.ready]);
  openGate(gate);
  const [sent, received] = await Promise.all([producer.result, consumer.result]);
  return count / ((received.atMs - sent.atMs) / 1000);
}

function overRing(count: number, decode: boolean): Promise<number> {
  const { buffer } = Ring.create(RING_CAPACITY, "block");
  return measure(count, (side, gate) => ({
    data: { role: side === "producer" ? "ring-producer" : "ring-consumer", ring: buffer, decode, count, gate },
  }));
}

function overPostMessage(count: number, mode: PostMessageMode): Promise<number> {
  const { port1, port2 } = new MessageChannel();
  const progress = new SharedArrayBuffer(4);
  return measure(count, (side, gate) => {
    const port = side === "producer" ? port1 : port2;
    return {
      data: { role: side === "producer" ? "port-producer" : "port-consumer", port, mode, count, progress, gate },
      transfer: [port],
    };
  });
}

async function best(trials: number, trial: () => Promise<number>): Promise<number> {
  let top = 0;
  for (let i = 0; i < trials; i++) top = Math.max(top, await trial());
  return top;
}

/**
 * Throughput of encoded trades between two threads: one `block` ring (the consumer drains in batches
 * and decodes every frame with msgpackr from its non-shared copy) against `postMessage` of the same
 * messages. postMessage is measured both ways (the encoded bytes, decoded on arrival; the trade object,
 * structured-cloned) and the faster counts, so the ratio is against postMessage at its best.
 * `ring_undecoded_msgs_per_s` is the same ring run with a consumer that does not decode: the ring's own
 * ceiling, the difference being msgpackr's decode time. Each figure
 * is the best of a few trials: the machine is shared, and the best trial is the least disturbed one.
 */
export const ringBench: Bench = {
  name: "ring",
  summary: "msgs/s of ~100-byte encoded trades through one SharedArrayBuffer ring vs postMessage",
  async run({ quick }) {
    const ringCount = quick ? 2_000_000 : 5_000_000;
    const postCount = quick ? 300_000 : 1_000_000;
    const trials = quick ? 2 : 3;
    const ringRate = await best(trials, () => overRing(ringCount, true));
    const undecodedRate = await best(trials, () => overRing(ringCount, false));
    const bytesRate = await best(trials, () => overPostMessage(postCount, "bytes"));
    const objectRate = await best(trials, () => overPostMessage(postCount, "object"));
    const postRate = Math.max(bytesRate, objectRate);
    return {
      bench: "ring",
      ring_msgs_per_s: Math.round(ringRate),
      postmessage_msgs_per_s: Math.round(postRate),
      ratio: round(ringRate / postRate, 2),
      ring_undecoded_msgs_per_s: Math.round(undecodedRate),
      postmessage_mode: bytesRate >= objectRate ? "bytes" : "object",
      postmessage_bytes_msgs_per_s: Math.round(bytesRate),
      postmessage_object_msgs_per_s: Math.round(objectRate),
      frame_bytes: encodedSampleTrade().length,
      ring_capacity_bytes: RING_CAPACITY,
      messages: ringCount,
      trials,
    };
  },
};
