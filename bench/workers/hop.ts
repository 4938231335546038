/**
 * One side of the `hop` benchmark (bench/hop.bench.ts). The pinger sends an encoded trade and times
 * until the reply is decoded; the ponger decodes each ping and sends the same bytes back. Over rings
 * both sides poll (spin) for data, as a hot worker does; over a MessagePort they wait on the event loop.
 * An empty frame / `null` message tells the ponger to stop. The pinger reports its round-trip times in µs.
 */
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { RingConsumer, RingProducer } from "../../src/transport/ring.js";
import { createTradePackr, encodedSampleTrade } from "./bench-trade.js";
import { announceReadyAndWait } from "./gate.js";

export type HopJob = { readonly warmup: number; readonly samples: number; readonly gate: SharedArrayBuffer } & (
  | { readonly role: "ring-ping" | "ring-pong"; readonly inbox: SharedArrayBuffer; readonly outbox: SharedArrayBuffer }
  | { readonly role: "port-ping" | "port-pong"; readonly port: MessagePort }
);

export interface HopReport {
  readonly roundTripsUs: Float64Array<ArrayBuffer>;
}

/** Spin budget per wait, in µs: long enough that a polling thread never parks during a measurement. */
const POLL_MICROS = 1_000_000;
const WRITE_TIMEOUT_MS = 1_000;
const STOP = new Uint8Array(0);

const job = workerData as HopJob;
const packr = createTradePackr();
const span = { start: 0, end: 0 };

function decode(bytes: Uint8Array, start: number, end: number): void {
  span.start = start;
  span.end = end;
  packr.unpack(bytes, span);
}

function ringPing(inbox: SharedArrayBuffer, outbox: SharedArrayBuffer): HopReport {
  const replies = new RingConsumer(inbox);
  const pings = new RingProducer(outbox);
  const frame = encodedSampleTrade();
  const roundTripsUs = new Float64Array(job.samples);
  announceReadyAndWait(job.gate);
  for (let i = -job.warmup; i < job.samples; i++) {
    const sentAt = performance.now();
    pings.write(frame, WRITE_TIMEOUT_MS);
    while (!replies.waitForData(POLL_MICROS));
    replies.drain(decode, 1);
    if (i >= 0) roundTripsUs[i] = (performance.now() - sentAt) * 1000;
  }
  pings.write(STOP, WRITE_TIMEOUT_MS);
  return { roundTripsUs };
}

function ringPong(inbox: SharedArrayBuffer, outbox: SharedArrayBuffer): null {
  const pings = new RingConsumer(inbox);
  const replies = new RingProducer(outbox);
  let running = true;
  const onPing = (bytes: Uint8Array, start: number, end: number): void => {
    if (start === end) {
      running = false;
      return;
    }
    decode(bytes, start, end);
    replies.write(bytes.subarray(start, end), WRITE_TIMEOUT_MS);
  };
  parentPort!.postMessage("ready");
  while (running) if (pings.waitForData(POLL_MICROS)) pings.drain(onPing);
  return null;
}

async function portPing(port: MessagePort): Promise<HopReport> {
  const frame = encodedSampleTrade();
  const roundTripsUs = new Float64Array(job.samples);
  let onReply!: () => void;
  port.on("message", (reply: Uint8Array) => {
    packr.unpack(reply);
    onReply();
  });
  announceReadyAndWait(job.gate);
  for (let i = -job.warmup; i < job.samples; i++) {
    const sentAt = performance.now();
    const replied = new Promise<void>((resolve) => (onReply = resolve));
    port.postMessage(frame);
    await replied;
    if (i >= 0) roundTripsUs[i] = (performance.now() - sentAt) * 1000;
  }
  port.postMessage(null);
  port.close();
  return { roundTripsUs };
}

function portPong(port: MessagePort): Promise<null> {
  parentPort!.postMessage("ready");
  return new Promise((resolve) => {
    port.on("message", (ping: Uint8Array | null) => {
      if (ping === null) {
        port.close();
        resolve(null);
        return;
      }
      packr.unpack(ping);
      port.postMessage(ping);
    });
  });
}

async function run(): Promise<HopReport | null> {
  switch (job.role) {
    case "ring-ping":
      return ringPing(job.inbox, job.outbox);
    case "ring-pong":
      return ringPong(job.inbox, job.outbox);
    case "port-ping":
      return portPing(job.port);
    case "port-pong":
      return portPong(job.port);
  }
}

const report = await run();
parentPort!.postMessage(report, report ? [report.roundTripsUs.buffer] : []);
