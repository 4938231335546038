import { RingAttachError, RingCorruptError, RingDetachedError } from "./ring-errors.js";
import type { BackpressurePolicy } from "../protocol/host.js";
import { frameBytes, maxPayloadBytes, ringViews, WRAP_MARKER, Word } from "./ring-layout.js";
import { spinUntil } from "./ring-wait.js";

/**
 * Receives one frame. `bytes[start, end)` is the payload, in a private, non-shared buffer (msgpackr
 * decodes ~50x faster from it than from shared memory): pass it as `unpack(bytes, { start, end })`.
 * Valid only until the handler returns: the next `drain` overwrites it. Copy whatever must outlive the
 * call (and decode with msgpackr's `copyBuffers` if a message carries binary fields).
 */
export type FrameHandler = (bytes: Uint8Array, start: number, end: number) => void;

export interface RingConsumerOptions {
  /**
   * Most bytes copied out of shared memory per pass (default min(capacity, 64 KiB)). Bounds the work a
   * `drain(handler, few)` does on a full ring; a frame larger than this is still copied whole.
   */
  readonly batchBytes?: number;
}

const DEFAULT_BATCH_BYTES = 64 * 1024;

/**
 * The reading end of a ring; one per ring at a time (attaching claims the ring, `close` or `Ring.reset`
 * releases it).
 *
 * A pass copies a run of published frames out of shared memory into a private buffer, then releases
 * them with a compare-and-swap on TAIL from the value it copied at, and only then hands them to the
 * handler. Under `drop-oldest` the producer may move TAIL past frames we were copying (and overwrite
 * them): our CAS then fails and returns the producer's TAIL; everything we copied from that point on is
 * intact (the producer overwrites only what it reclaimed), so we keep it and retry the CAS from there.
 * A frame is therefore delivered only if it was whole in shared memory for the entire copy: never torn.
 * Releasing before handling frees room for the producer as early as possible; the copied frames stay
 * pending here, so a handler that throws loses nothing (the next `drain` resumes after that frame).
 */
export class RingConsumer {
  readonly capacity: number;
  readonly policy: BackpressurePolicy;

  private readonly control: Int32Array;
  private readonly data: Uint8Array;
  private readonly mask: number;
  private readonly maxPayload: number;
  private readonly batchBytes: number;
  /** Frames copied out of shared memory, delivered from `cursor` up to `batchEnd` (byte offsets). */
  private readonly copy: Uint8Array;
  private readonly copyWords: Int32Array;
  /** Ring position of `copy[0]`: padding length depends on the absolute position of a wrap marker. */
  private batchBase = 0;
  private cursor = 0;
  private batchEnd = 0;
  /** Frames counted by the last `scan`. */
  private scannedFrames = 0;
  private readonly generation: number;
  private readFrames = 0;
  private gapFrames = 0;
  private readonly hasPublishedData = (): boolean => this.hasData();

  constructor(buffer: SharedArrayBuffer, options: RingConsumerOptions = {}) {
    const views = ringViews(buffer);
    this.control = views.control;
    this.data = views.data;
    this.capacity = views.capacity;
    this.mask = views.mask;
    this.policy = views.policy;
    this.maxPayload = maxPayloadBytes(views.capacity);
    const batchBytes = options.batchBytes ?? Math.min(views.capacity, DEFAULT_BATCH_BYTES);
    if (!Number.isInteger(batchBytes) || batchBytes < 64 || batchBytes > views.capacity) {
      throw new RangeError(`batchBytes must be an integer in [64, ${views.capacity}], got ${batchBytes}`);
    }
    this.batchBytes = batchBytes;
    // The batch copy may be extended to one whole frame (up to capacity) and wraps are skipped, not copied.
    this.copy = new Uint8Array(views.capacity);
    this.copyWords = new Int32Array(this.copy.buffer);
    if (Atomics.compareExchange(this.control, Word.ConsumerAttached, 0, 1) !== 0) throw new RingAttachError();
    this.generation = Atomics.load(this.control, Word.Generation);
  }

  /** Frames handed to handlers so far. */
  get read(): number {
    return this.readFrames;
  }

  /**
   * Frames the producer dropped (drop-oldest) or `Ring.reset` discarded, as seen by this consumer: the
   * gaps in its stream. Exact in total; refreshed at the start and end of every `drain`, so a gap may be
   * counted one drain before or after the frames around it are delivered.
   */
  get dropped(): number {
    return this.gapFrames;
  }

  /** True when a `drain` would deliver at least one frame (or skip a wrap marker). */
  hasData(): boolean {
    return (
      this.cursor < this.batchEnd || Atomics.load(this.control, Word.Head) !== Atomics.load(this.control, Word.Tail)
    );
  }

  /**
   * Delivers up to `maxFrames` frames, in order, to `handler`, copying them out of shared memory in
   * batches of up to `batchBytes`. Reads only what was published when it was called, so a fast producer
   * cannot keep it here forever. Returns the number of frames delivered. Throws `RingDetachedError` if
   * the ring was reset under this consumer, and rethrows what `handler` throws (that frame counts as read).
   */
  drain(handler: FrameHandler, maxFrames = Number.POSITIVE_INFINITY): number {
    if (Atomics.load(this.control, Word.Generation) !== this.generation) throw new RingDetachedError();
    this.noteGaps();
    let delivered = this.deliver(handler, maxFrames);
    const publishedHead = Atomics.load(this.control, Word.Head);
    while (delivered < maxFrames && this.fetchBatch(publishedHead, maxFrames - delivered)) {
      delivered += this.deliver(handler, maxFrames - delivered);
    }
    this.noteGaps();
    return delivered;
  }

  /**
   * Returns true once there is data, false after `timeoutMs`. Spins `spinMicros` first, then parks with
   * `Atomics.wait` (worker threads only: it blocks the thread).
   */
  waitForData(spinMicros = 0, timeoutMs = Number.POSITIVE_INFINITY): boolean {
    if (spinUntil(this.hasPublishedData, spinMicros)) return true;
    const head = this.announceParked();
    if (head === Atomics.load(this.control, Word.Tail) && this.cursor >= this.batchEnd) {
      Atomics.wait(this.control, Word.Head, head, timeoutMs);
    }
    Atomics.store(this.control, Word.ConsumerParked, 0);
    return this.hasData();
  }

  /**
   * Releases the ring for another consumer. Frames still in the ring stay there for it; frames this
   * consumer already took but has not delivered (the rest of a batch whose handler threw) are lost.
   */
  close(): void {
    if (Atomics.load(this.control, Word.Generation) === this.generation) {
      Atomics.store(this.control, Word.ConsumerAttached, 0);
    }
  }

  /**
   * Raises CONSUMER_PARKED, then reads HEAD: a producer publishing after this read sees the flag and
   * notifies, and one publishing before it changed HEAD so the wait returns at once. No lost wake-up.
   */
  private announceParked(): number {
    Atomics.store(this.control, Word.ConsumerParked, 1);
    return Atomics.load(this.control, Word.Head);
  }

  private deliver(handler: FrameHandler, maxFrames: number): number {
    let delivered = 0;
    while (delivered < maxFrames && this.cursor < this.batchEnd) {
      const at = this.cursor;
      const length = this.copyWords[at >> 2];
      if (length === WRAP_MARKER) {
        this.cursor = at + this.paddingAt(at);
        continue;
      }
      this.cursor = at + frameBytes(length);
      delivered++;
      this.readFrames++;
      handler(this.copy, at + 4, at + 4 + length);
    }
    return delivered;
  }

  /**
   * Copies the next run of frames (at most `maxFrames`, none past `limit`) into the private buffer and
   * releases them in shared memory. Returns false when there is nothing to take.
   */
  private fetchBatch(limit: number, maxFrames: number): boolean {
    for (;;) {
      const tail = Atomics.load(this.control, Word.Tail);
      const available = (limit - tail) | 0;
      if (available <= 0) return false;
      let copied = Math.min(available, this.batchBytes);
      this.copyOut(tail, 0, copied);
      const firstLength = this.copyWords[0];
      if (firstLength >= 0 && firstLength <= this.maxPayload) {
        const firstSize = frameBytes(firstLength);
        if (firstSize > copied && firstSize <= available) {
          this.copyOut((tail + copied) | 0, copied, firstSize - copied);
          copied = firstSize;
        }
      }
      let start = 0;
      let expectedTail = tail;
      for (;;) {
        const end = this.scan(tail, start, copied, available, maxFrames);
        if (end === start) {
          // At an unmoved TAIL the first frame was copied whole, so a header that stops the scan there is
          // one no producer wrote. Anywhere else it was torn by a concurrent drop, or cut off by the
          // batch bound: start a fresh pass from the current TAIL.
          if (start === 0 && Atomics.load(this.control, Word.Tail) === tail) {
            throw new RingCorruptError(tail, this.copyWords[0]);
          }
          break;
        }
        const newTail = (tail + end) | 0;
        const seen = Atomics.compareExchange(this.control, Word.Tail, expectedTail, newTail);
        if (seen === expectedTail) {
          this.batchBase = tail;
          this.cursor = start;
          this.batchEnd = end;
          this.control[Word.Read] = (this.control[Word.Read] + this.scannedFrames) | 0;
          if (Atomics.load(this.control, Word.ProducerWaiting) !== 0) Atomics.notify(this.control, Word.Tail, 1);
          return true;
        }
        // The producer dropped frames under us (drop-oldest). What we copied from its new TAIL on is intact.
        const skipped = (seen - tail) | 0;
        if (skipped <= 0 || skipped >= end) break;
        start = skipped;
        expectedTail = seen;
      }
    }
  }

  /**
   * Walks frame headers in `copy` from `from`, stopping at `maxFrames` frames, at the first frame not
   * wholly inside `copied`, or at a header no producer could write. Wrap padding is consumed without
   * being copied (it is published whole, so it only has to end within `available`). Returns the offset
   * after the last whole frame or padding and sets `scannedFrames`.
   */
  private scan(base: number, from: number, copied: number, available: number, maxFrames: number): number {
    let at = from;
    let frames = 0;
    while (frames < maxFrames && at + 4 <= copied) {
      const length = this.copyWords[at >> 2];
      if (length === WRAP_MARKER) {
        const next = at + this.paddingAt(at, base);
        if (next > available) break;
        at = next;
        continue;
      }
      if (length < 0 || length > this.maxPayload) break;
      const next = at + frameBytes(length);
      if (next > copied) break;
      at = next;
      frames++;
    }
    this.scannedFrames = frames;
    return at;
  }

  /** Bytes from a wrap marker at `copy` offset `at` to the end of the data region. */
  private paddingAt(at: number, base = this.batchBase): number {
    return this.capacity - ((base + at) & this.mask);
  }

  /** Copies `bytes` ring bytes starting at ring position `from` to `copy[to…]`, in two runs across the end. */
  private copyOut(from: number, to: number, bytes: number): void {
    const offset = from & this.mask;
    const firstRun = Math.min(bytes, this.capacity - offset);
    this.copy.set(this.data.subarray(offset, offset + firstRun), to);
    if (firstRun < bytes) this.copy.set(this.data.subarray(0, bytes - firstRun), to + firstRun);
  }

  /** Folds DROPPED into this consumer's gap count and acknowledges it in DROPPED_SEEN. */
  private noteGaps(): void {
    const dropped = Atomics.load(this.control, Word.Dropped);
    const seen = this.control[Word.DroppedSeen];
    if (dropped === seen) return;
    this.gapFrames += (dropped - seen) >>> 0;
    Atomics.store(this.control, Word.DroppedSeen, dropped);
  }
}
