import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { Ring } from "../../src/transport/ring.js";
import { frameBytes } from "../../src/transport/ring-layout.js";
import { compiledUrl } from "../../src/runtime/paths.js";
import { testPayloadLength } from "../fixtures/ring-frames.js";
import type { ConsumerJob, ConsumerResult, ProducerJob, ProducerResult } from "../fixtures/ring-jobs.js";

// Workers run the compiled fixture: `npm run build` (or `npm test`, whose pretest builds) first.
const workerUrl = compiledUrl(new URL("../fixtures/ring-worker.ts", import.meta.url));

type WorkerMessage =
  | { kind: "done" }
  | { kind: "progress"; received: number; lastSeq: number }
  | { kind: "fault"; seq: number };

function start<R>(
  job: ProducerJob | ConsumerJob,
  onMessage: (message: WorkerMessage) => void = () => undefined,
): { worker: Worker; done: Promise<R> } {
  const worker = new Worker(workerUrl, { workerData: job });
  const done = new Promise<R>((resolve, reject) => {
    worker.on("message", (message: WorkerMessage) =>
      message.kind === "done" ? resolve(message as R) : onMessage(message),
    );
    worker.on("error", reject);
    worker.on("exit", (code) => reject(new Error(`${job.role} worker exited (${code}) before reporting`)));
  });
  return { worker, done };
}

function consumerJob(
  ring: SharedArrayBuffer,
  control: SharedArrayBuffer,
  overrides: Partial<ConsumerJob> = {},
): ConsumerJob {
  return {
    role: "consumer",
    ring,
    control,
    workNsPerFrame: 0,
    maxFramesPerDrain: 1024,
    progressEvery: 0,
    ...overrides,
  };
}

/**
 * Under `block` the byte positions are a pure function of the frame sizes (not of timing), so the wrap
 * events of a run can be replayed here: returns the padding left at each wrap (0 = a frame ended exactly
 * at the end of the data region) as a set.
 */
function wrapPaddings(capacity: number, frames: number): Set<number> {
  const paddings = new Set<number>();
  let offset = 0;
  for (let seq = 0; seq < frames; seq++) {
    const size = frameBytes(testPayloadLength(seq));
    if (size > capacity - offset) {
      paddings.add(capacity - offset);
      offset = 0;
    }
    offset += size;
    if (offset === capacity) {
      paddings.add(0);
      offset = 0;
    }
  }
  return paddings;
}

describe("ring between two worker threads", () => {
  it("block: 2 M variable-length frames, none lost, reordered or torn; wraps at every offset", async () => {
    const capacity = 4096;
    const frames = 2_000_000;
    const ring = Ring.create(capacity, "block");
    const control = new SharedArrayBuffer(8);
    const consumer = start<ConsumerResult>(consumerJob(ring.buffer, control));
    const producer = start<ProducerResult>({
      role: "producer",
      ring: ring.buffer,
      control,
      frames,
      writeTimeoutMs: 10_000,
    });
    const [sent, got] = await Promise.all([producer.done, consumer.done]);

    expect(sent).toMatchObject({ written: frames, dropped: 0, faults: 0 });
    expect(got).toMatchObject({
      received: frames,
      firstSeq: 0,
      lastSeq: frames - 1,
      torn: 0,
      reordered: 0,
      seqGaps: 0,
      dropped: 0,
    });
    expect(got.drains).toBeLessThan(frames); // batched: many frames per wake-up
    expect(Ring.stats(ring.buffer)).toMatchObject({ usedBytes: 0, written: frames, read: frames, dropped: 0 });

    // Wrap markers with every possible padding (4 .. largest frame - 4 bytes) and frames ending exactly
    // at the boundary: together with payload lengths covering every residue mod 8, the wrap point sweeps
    // every offset.
    const largest = frameBytes(testPayloadLength(0) + 60);
    const expected = new Set([0]);
    for (let padding = 4; padding < largest; padding += 4) expected.add(padding);
    expect(wrapPaddings(capacity, frames)).toEqual(expected);
    const residues = new Set(Array.from({ length: 61 }, (_, i) => testPayloadLength(i) % 8));
    expect(residues.size).toBe(8);
  });

  it("drop-oldest: a slow consumer sees every drop as a counted gap; received + dropped = sent", async () => {
    const frames = 300_000;
    const ring = Ring.create(4096, "drop-oldest");
    const control = new SharedArrayBuffer(8);
    const consumer = start<ConsumerResult>(
      consumerJob(ring.buffer, control, { workNsPerFrame: 100, maxFramesPerDrain: 64 }),
    );
    const producer = start<ProducerResult>({ role: "producer", ring: ring.buffer, control, frames, writeTimeoutMs: 0 });
    const [sent, got] = await Promise.all([producer.done, consumer.done]);

    expect(sent.written).toBe(frames);
    expect(got).toMatchObject({ torn: 0, reordered: 0, lastSeq: frames - 1 });
    expect(got.dropped).toBeGreaterThan(0);
    expect(got.dropped).toBe(sent.dropped);
    expect(got.seqGaps).toBe(got.dropped);
    expect(got.received + got.dropped).toBe(frames);
  });

  it(
    "a consumer killed mid-stream leaves the producer usable; after reset a new consumer continues in " + "order",
    async () => {
      const frames = 400_000;
      const ring = Ring.create(4096, "block");
      const control = new SharedArrayBuffer(8);

      let firstConsumerProgress = 0;
      let reachedProgress!: () => void;
      const progressed = new Promise<void>((resolve) => (reachedProgress = resolve));
      const first = start<ConsumerResult>(consumerJob(ring.buffer, control, { progressEvery: 10_000 }), (message) => {
        if (message.kind === "progress" && (firstConsumerProgress = message.lastSeq) >= 50_000) reachedProgress();
      });
      first.done.catch(() => undefined); // terminated on purpose: it never reports

      let faulted!: () => void;
      const producerFaulted = new Promise<void>((resolve) => (faulted = resolve));
      const producer = start<ProducerResult>(
        { role: "producer", ring: ring.buffer, control, frames, writeTimeoutMs: 20 },
        (message) => {
          if (message.kind === "fault") faulted();
        },
      );

      await progressed;
      await first.worker.terminate();
      await producerFaulted; // the ring filled up with nobody reading: RingFullError, and the producer retries
      expect(Ring.stats(ring.buffer).consumerAttached).toBe(true); // the dead consumer still holds its claim

      Ring.reset(ring.buffer, "keep");
      const second = start<ConsumerResult>(consumerJob(ring.buffer, control));
      const [sent, got] = await Promise.all([producer.done, second.done]);

      expect(sent.written).toBe(frames);
      expect(sent.faults).toBeGreaterThanOrEqual(1);
      expect(got).toMatchObject({ torn: 0, reordered: 0, lastSeq: frames - 1 });
      expect(got.firstSeq).toBeGreaterThan(firstConsumerProgress);
      // Contiguous from its first frame to the last one: only the dead consumer's last batch can be missing.
      expect(got.seqGaps).toBe(got.firstSeq);
      expect(got.received).toBe(frames - got.firstSeq);
    },
  );
});
