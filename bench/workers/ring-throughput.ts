/**
 * One side of the `ring` benchmark (bench/ring.bench.ts): a producer or consumer of `count` encoded
 * trades, over a ring or over a MessagePort. Producers report when they started, consumers when they
 * decoded the last message (absolute ms), so the bench measures first send to last decode. Producers
 * wait at the start gate until both threads are up, so worker start-up is not part of the measurement.
 */
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { announceReadyAndWait } from "./gate.js";
import { RingConsumer, RingProducer } from "../../src/transport/ring.js";
import { absoluteNowMs, type BenchTrade, createTradePackr, encodedSampleTrade, sampleTrade } from "./bench-trade.js";

export type ThroughputJob = { readonly count: number; readonly gate: SharedArrayBuffer } & (
  | {
      readonly role: "ring-producer" | "ring-consumer";
      readonly ring: SharedArrayBuffer;
      /** false: the consumer only touches each frame (one byte), to show the ring's own cost apart from msgpackr's. */
      readonly decode: boolean;
    }
  | {
      readonly role: "port-producer" | "port-consumer";
      readonly port: MessagePort;
      readonly mode: PostMessageMode;
      /** Messages consumed so far (word 0), so the producer keeps at most a window in flight. */
      readonly progress: SharedArrayBuffer;
    }
);

/** `bytes`: the encoded trade (structured clone copies it, the receiver decodes); `object`: the trade object itself. */
export type PostMessageMode = "bytes" | "object";

export interface ThroughputReport {
  readonly atMs: number;
  /** Folds in every message handled, so the JIT cannot drop the decode as dead code. */
  readonly checksum: number;
}

/** postMessage has no backpressure: cap the unconsumed messages so the queue does not grow without bound. */
const POST_WINDOW = 65_536;
const PROGRESS_EVERY = 1024;
const WRITE_TIMEOUT_MS = 30_000;
const CONSUMER_SPIN_MICROS = 200;
/**
 * The consumer (decoding) is the slower side: a producer finding the ring full parks at once rather than spin on a core
 * the consumer needs.
 */
const PRODUCER_SPIN_MICROS = 0;

const job = workerData as ThroughputJob;

function ringProducer(ring: SharedArrayBuffer, count: number): ThroughputReport {
  const producer = new RingProducer(ring);
  const frame = encodedSampleTrade();
  announceReadyAndWait(job.gate);
  const atMs = absoluteNowMs();
  for (let i = 0; i < count; i++) producer.write(frame, WRITE_TIMEOUT_MS, PRODUCER_SPIN_MICROS);
  return { atMs, checksum: producer.written };
}

function ringConsumer(ring: SharedArrayBuffer, count: number, decode: boolean): ThroughputReport {
  const consumer = new RingConsumer(ring);
  const packr = createTradePackr();
  // One options object for every decode: msgpackr reads start/end from it, no allocation per frame.
  const span = { start: 0, end: 0 };
  let received = 0;
  let checksum = 0;
  const onFrame = decode
    ? (bytes: Uint8Array, start: number, end: number): void => {
        span.start = start;
        span.end = end;
        const trade = packr.unpack(bytes, span) as BenchTrade;
        checksum += trade.seq;
        received++;
      }
    : (bytes: Uint8Array, start: number): void => {
        checksum += bytes[start];
        received++;
      };
  parentPort!.postMessage("ready");
  while (received < count) {
    if (consumer.waitForData(CONSUMER_SPIN_MICROS, 1000)) consumer.drain(onFrame);
  }
  return { atMs: absoluteNowMs(), checksum };
}

async function portProducer(
  port: MessagePort,
  mode: PostMessageMode,
  count: number,
  progress: Int32Array,
): Promise<ThroughputReport> {
  const frame = encodedSampleTrade();
  const trade = sampleTrade(123_456);
  announceReadyAndWait(job.gate);
  const atMs = absoluteNowMs();
  for (let i = 0; i < count; i++) {
    while (i - Atomics.load(progress, 0) >= POST_WINDOW) Atomics.wait(progress, 0, Atomics.load(progress, 0), 1);
    port.postMessage(mode === "bytes" ? frame : trade);
  }
  return { atMs, checksum: count };
}

function portConsumer(
  port: MessagePort,
  mode: PostMessageMode,
  count: number,
  progress: Int32Array,
): Promise<ThroughputReport> {
  const packr = createTradePackr();
  let received = 0;
  let checksum = 0;
  parentPort!.postMessage("ready");
  return new Promise((resolve) => {
    port.on("message", (message: Uint8Array | BenchTrade) => {
      const trade = mode === "bytes" ? (packr.unpack(message as Uint8Array) as BenchTrade) : (message as BenchTrade);
      checksum += trade.seq;
      if (++received % PROGRESS_EVERY === 0) {
        Atomics.store(progress, 0, received);
        Atomics.notify(progress, 0);
      }
      if (received === count) {
        port.close();
        resolve({ atMs: absoluteNowMs(), checksum });
      }
    });
  });
}

async function run(): Promise<ThroughputReport> {
  switch (job.role) {
    case "ring-producer":
      return ringProducer(job.ring, job.count);
    case "ring-consumer":
      return ringConsumer(job.ring, job.count, job.decode);
    case "port-producer":
      return portProducer(job.port, job.mode, job.count, new Int32Array(job.progress));
    case "port-consumer":
      return portConsumer(job.port, job.mode, job.count, new Int32Array(job.progress));
  }
}

parentPort!.postMessage(await run());
