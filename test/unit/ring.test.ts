import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  FrameTooLargeError,
  Ring,
  RingAttachError,
  RingConsumer,
  RingDetachedError,
  RingFullError,
  RingProducer,
} from "../../src/transport/ring.js";
import { frameBytes, Word } from "../../src/transport/ring-layout.js";
import { checkTestFrame, encodeTestFrame } from "../fixtures/ring-frames.js";

type Op = { kind: "write"; length: number } | { kind: "drain"; maxFrames: number };

/**
 * Reference model of the byte accounting under `block`: the queue of frames and wrap paddings between
 * TAIL and HEAD, following the documented rules (a frame never wraps; padding to the end is published
 * first when there is room for it; a drain stops right after its last allowed frame).
 */
class BlockRingModel {
  private head = 0;
  private tail = 0;
  readonly entries: { seq: number; bytes: number }[] = []; // seq -1 = padding

  constructor(private readonly capacity: number) {}

  get used(): number {
    return this.head - this.tail;
  }

  tryWrite(seq: number, length: number): boolean {
    const size = frameBytes(length);
    const untilEnd = this.capacity - (this.head % this.capacity);
    if (size > untilEnd) {
      if (this.capacity - this.used < untilEnd) return false;
      this.entries.push({ seq: -1, bytes: untilEnd });
      this.head += untilEnd;
    }
    if (this.capacity - this.used < size) return false;
    this.entries.push({ seq, bytes: size });
    this.head += size;
    return true;
  }

  drain(maxFrames: number): number[] {
    const seqs: number[] = [];
    while (this.entries.length > 0) {
      if (seqs.length >= maxFrames) break;
      const next = this.entries.shift()!;
      this.tail += next.bytes;
      if (next.seq >= 0) seqs.push(next.seq);
    }
    return seqs;
  }
}

const capacities = fc.constantFrom(64, 128, 256, 1024);
const ops = (maxLength: number): fc.Arbitrary<Op[]> =>
  fc.array(
    fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant("write" as const),
          length: fc.oneof(fc.integer({ min: 8, max: 24 }), fc.integer({ min: 8, max: maxLength })),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant("drain" as const), maxFrames: fc.integer({ min: 1, max: 12 }) }),
      },
    ),
    { maxLength: 300 },
  );

function drainSeqs(consumer: RingConsumer, maxFrames: number): number[] {
  const seqs: number[] = [];
  consumer.drain((bytes, start, end) => seqs.push(checkTestFrame(bytes, start, end)), maxFrames);
  return seqs;
}

describe("ring, single thread, against a model", () => {
  it("block: tryWrite accepts exactly what the byte model accepts, drains deliver the model's frames intact", () => {
    fc.assert(
      fc.property(
        capacities.chain((capacity) => fc.tuple(fc.constant(capacity), ops(capacity - 4))),
        ([capacity, script]) => {
          const ring = Ring.create(capacity, "block");
          const producer = new RingProducer(ring.buffer);
          const consumer = new RingConsumer(ring.buffer, { batchBytes: 64 });
          const model = new BlockRingModel(capacity);
          const scratch = new Uint8Array(capacity);
          let seq = 0;
          for (const op of script) {
            if (op.kind === "write") {
              const accepted = producer.tryWrite(encodeTestFrame(seq, scratch, op.length));
              expect(accepted).toBe(model.tryWrite(seq, op.length));
              if (accepted) seq++;
            } else {
              expect(drainSeqs(consumer, op.maxFrames)).toEqual(model.drain(op.maxFrames));
            }
            expect(Ring.stats(ring.buffer).usedBytes).toBe(model.used);
          }
          expect(drainSeqs(consumer, Infinity)).toEqual(model.drain(Infinity));
          expect(consumer.read).toBe(seq);
          expect(producer.written).toBe(seq);
          expect(Ring.stats(ring.buffer)).toMatchObject({ written: seq, read: seq, dropped: 0, usedBytes: 0 });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("drop-oldest: every write succeeds, delivery is an intact in-order subsequence, received + dropped = sent", () => {
    fc.assert(
      fc.property(
        capacities.chain((capacity) => fc.tuple(fc.constant(capacity), ops(capacity - 4))),
        ([capacity, script]) => {
          const ring = Ring.create(capacity, "drop-oldest");
          const producer = new RingProducer(ring.buffer);
          const consumer = new RingConsumer(ring.buffer, { batchBytes: 64 });
          const scratch = new Uint8Array(capacity);
          const received: number[] = [];
          let sent = 0;
          for (const op of script) {
            if (op.kind === "write") {
              expect(producer.tryWrite(encodeTestFrame(sent++, scratch, op.length))).toBe(true);
              expect(Ring.stats(ring.buffer).usedBytes).toBeLessThanOrEqual(capacity);
            } else {
              received.push(...drainSeqs(consumer, op.maxFrames));
            }
          }
          received.push(...drainSeqs(consumer, Infinity));
          expect(received.every((s) => s >= 0)).toBe(true);
          for (let i = 1; i < received.length; i++) expect(received[i]).toBeGreaterThan(received[i - 1]);
          // The newest frame is never the one dropped to make room for itself.
          if (sent > 0) expect(received.at(-1)).toBe(sent - 1);
          expect(received.length + consumer.dropped).toBe(sent);
          expect(consumer.dropped).toBe(producer.dropped);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("drop-oldest race between a consumer's copy and the producer's drop", () => {
  /**
   * Replays the interleaving two threads produce: the consumer has copied a batch, and before it
   * releases it (its CAS on TAIL) the producer reclaims the oldest frames and overwrites them with a new
   * one. Injected by running the producer's write inside the consumer's first CAS on TAIL.
   */
  function withProducerWriteBeforeConsumerCas<T>(inject: () => void, body: () => T): T {
    const compareExchange = Atomics.compareExchange;
    let pending = true;
    Atomics.compareExchange = ((array: Int32Array, index: number, expected: number, replacement: number): number => {
      if (pending && index === Word.Tail) {
        pending = false;
        inject();
      }
      return compareExchange(array, index, expected, replacement);
    }) as typeof Atomics.compareExchange;
    try {
      return body();
    } finally {
      Atomics.compareExchange = compareExchange;
    }
  }

  it("never delivers a reclaimed or overwritten frame, keeps the intact rest, and counts the gap", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 8, max: 40 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 8, max: 200 }),
        fc.integer({ min: 1, max: 20 }),
        (lengths, injectedLength, maxFrames) => {
          const ring = Ring.create(256, "drop-oldest");
          const producer = new RingProducer(ring.buffer);
          const consumer = new RingConsumer(ring.buffer);
          const scratch = new Uint8Array(256);
          let sent = 0;
          for (const length of lengths) producer.tryWrite(encodeTestFrame(sent++, scratch, length));
          const injectedSeq = sent++;
          const received = withProducerWriteBeforeConsumerCas(
            () => producer.tryWrite(encodeTestFrame(injectedSeq, scratch, injectedLength)),
            () => drainSeqs(consumer, maxFrames),
          );
          received.push(...drainSeqs(consumer, Infinity));
          expect(received.every((seq) => seq >= 0)).toBe(true);
          for (let i = 1; i < received.length; i++) expect(received[i]).toBeGreaterThan(received[i - 1]);
          expect(received.at(-1)).toBe(injectedSeq);
          expect(received.length + consumer.dropped).toBe(sent);
          expect(consumer.dropped).toBe(producer.dropped);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("ring edges", () => {
  it("rejects a frame larger than the ring with a typed error, and accepts the largest one", () => {
    const ring = Ring.create(64, "block");
    const producer = new RingProducer(ring.buffer);
    expect(() => producer.tryWrite(new Uint8Array(61))).toThrow(FrameTooLargeError);
    expect(producer.tryWrite(new Uint8Array(60).fill(7))).toBe(true);
    const consumer = new RingConsumer(ring.buffer);
    const lengths: number[] = [];
    consumer.drain((_bytes, start, end) => lengths.push(end - start));
    expect(lengths).toEqual([60]);
  });

  it("rejects bad capacities", () => {
    expect(() => Ring.create(100, "block")).toThrow(RangeError);
    expect(() => Ring.create(32, "block")).toThrow(RangeError);
    expect(() => Ring.open(new SharedArrayBuffer(1024))).toThrow(TypeError);
  });

  it("a handler that throws loses nothing: the next drain resumes after the throwing frame", () => {
    const ring = Ring.create(256, "block");
    const producer = new RingProducer(ring.buffer);
    const consumer = new RingConsumer(ring.buffer);
    const scratch = new Uint8Array(64);
    for (let seq = 0; seq < 5; seq++) producer.tryWrite(encodeTestFrame(seq, scratch));
    const seen: number[] = [];
    expect(() =>
      consumer.drain((bytes, start, end) => {
        const seq = checkTestFrame(bytes, start, end);
        seen.push(seq);
        if (seq === 1) throw new Error("handler bug");
      }),
    ).toThrow("handler bug");
    consumer.drain((bytes, start, end) => seen.push(checkTestFrame(bytes, start, end)));
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it("one consumer at a time; reset detaches it, keeping or discarding the unread frames", () => {
    const ring = Ring.create(1024, "block");
    const producer = new RingProducer(ring.buffer);
    const scratch = new Uint8Array(64);
    const first = new RingConsumer(ring.buffer);
    expect(() => new RingConsumer(ring.buffer)).toThrow(RingAttachError);
    for (let seq = 0; seq < 6; seq++) producer.tryWrite(encodeTestFrame(seq, scratch));
    expect(drainSeqs(first, 2)).toEqual([0, 1]);

    expect(Ring.reset(ring.buffer, "keep")).toEqual({ generation: 1, discardedFrames: 0 });
    expect(() => first.drain(() => undefined)).toThrow(RingDetachedError);
    const second = new RingConsumer(ring.buffer);
    expect(drainSeqs(second, 1)).toEqual([2]);

    expect(Ring.reset(ring.buffer, "discard")).toEqual({ generation: 2, discardedFrames: 3 });
    producer.tryWrite(encodeTestFrame(6, scratch));
    const third = new RingConsumer(ring.buffer);
    expect(drainSeqs(third, Infinity)).toEqual([6]);
    expect(third.dropped).toBe(3);
    third.close();
    expect(Ring.stats(ring.buffer).consumerAttached).toBe(false);
  });

  it("block: write gives up with RingFullError at the deadline and the producer stays usable", () => {
    const ring = Ring.create(64, "block");
    const producer = new RingProducer(ring.buffer);
    const consumer = new RingConsumer(ring.buffer);
    const frame = new Uint8Array(28);
    expect(producer.tryWrite(frame)).toBe(true);
    expect(producer.tryWrite(frame)).toBe(true);
    const started = performance.now();
    expect(() => producer.write(frame, 20)).toThrow(RingFullError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);

    // Once the consumer releases room, the same write goes through.
    consumer.drain(() => undefined, 1);
    producer.write(frame, 5_000);
    expect(producer.written).toBe(3);
  });
});
