import { FrameTooLargeError, RingFullError } from "./ring-errors.js";
import type { BackpressurePolicy } from "../protocol/host.js";
import { frameBytes, maxPayloadBytes, ringViews, WRAP_MARKER, Word } from "./ring-layout.js";
import { spinUntil } from "./ring-wait.js";

/** Default spin before a blocked producer parks, in µs: covers a consumer busy with one batch. */
export const DEFAULT_PRODUCER_SPIN_MICROS = 50;

/**
 * The writing end of a ring. Exactly one producer per ring (the supervisor's topology guarantees it);
 * a producer that dies mid-frame leaves nothing visible, since a frame is published only by the HEAD
 * store that follows its last byte, so a replacement producer simply attaches to the same buffer.
 */
export class RingProducer {
  readonly capacity: number;
  readonly policy: BackpressurePolicy;
  readonly maxPayload: number;

  private readonly control: Int32Array;
  private readonly data: Uint8Array;
  private readonly dataWords: Int32Array;
  private readonly mask: number;
  /** This producer's private copy of HEAD: it is the only writer, so it never reloads it. */
  private head: number;
  /**
   * Last TAIL seen. Free space only grows while it is stale (except by our own drops), so it is reloaded only when it
   * looks too small.
   */
  private knownTail: number;
  private writtenFrames = 0;
  private droppedFrames = 0;

  constructor(buffer: SharedArrayBuffer) {
    const views = ringViews(buffer);
    this.control = views.control;
    this.data = views.data;
    this.dataWords = views.dataWords;
    this.capacity = views.capacity;
    this.mask = views.mask;
    this.policy = views.policy;
    this.maxPayload = maxPayloadBytes(views.capacity);
    this.head = Atomics.load(this.control, Word.Head);
    this.knownTail = Atomics.load(this.control, Word.Tail);
  }

  /** Frames this producer published (exact, unlike the wrapping shared counter). */
  get written(): number {
    return this.writtenFrames;
  }

  /** Frames this producer discarded to make room (drop-oldest only). */
  get dropped(): number {
    return this.droppedFrames;
  }

  /**
   * Writes one frame without waiting. Under `drop-oldest` it always succeeds, discarding the oldest
   * unread frames if needed; under `block` it returns false when the ring lacks room (it may still have
   * published a wrap marker, which is invisible to the consumer). Throws `FrameTooLargeError`.
   */
  tryWrite(payload: Uint8Array): boolean {
    const length = payload.length;
    if (length > this.maxPayload) throw new FrameTooLargeError(length, this.maxPayload);
    const size = frameBytes(length);
    if (!this.reserveContiguous(size)) return false;
    const offset = this.head & this.mask;
    this.dataWords[offset >> 2] = length;
    this.data.set(payload, offset + 4);
    this.head = (this.head + size) | 0;
    this.writtenFrames++;
    // A plain store is enough for a single-writer counter: the HEAD store below publishes it.
    this.control[Word.Written] = (this.control[Word.Written] + 1) | 0;
    this.publish();
    return true;
  }

  /**
   * Writes one frame, waiting for room up to `timeoutMs`: spins `spinMicros`, then parks with
   * `Atomics.wait` on TAIL until the consumer releases space. Past the deadline throws `RingFullError`
   * and nothing is written. Blocks the calling thread: the daemon's threads use `tryWrite` and hold back what does not
   * fit (runtime/host.ts).
   */
  write(payload: Uint8Array, timeoutMs: number, spinMicros = DEFAULT_PRODUCER_SPIN_MICROS): void {
    if (this.tryWrite(payload)) return;
    const deadline = performance.now() + timeoutMs;
    const attempt = (): boolean => this.tryWrite(payload);
    for (;;) {
      if (spinUntil(attempt, spinMicros)) return;
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw this.fullError(payload, timeoutMs);
      const tail = this.announceWaiting();
      const written = this.tryWrite(payload);
      if (!written) Atomics.wait(this.control, Word.Tail, tail, remaining);
      this.stopWaiting();
      if (written) return;
    }
  }

  /** Bytes currently free, as this producer would see them now. */
  freeBytes(): number {
    this.knownTail = Atomics.load(this.control, Word.Tail);
    return this.capacity - ((this.head - this.knownTail) | 0);
  }

  /**
   * Makes `size` contiguous bytes available at HEAD. A frame never wraps: if it does not fit before the
   * end of the data region, the rest of the region becomes padding (a wrap marker), published at once so
   * that a consumer can release it even if the frame itself must wait for room.
   */
  private reserveContiguous(size: number): boolean {
    const untilEnd = this.capacity - (this.head & this.mask);
    if (size > untilEnd) {
      if (!this.ensureFree(untilEnd)) return false;
      this.dataWords[(this.head & this.mask) >> 2] = WRAP_MARKER;
      this.head = (this.head + untilEnd) | 0;
      this.publish();
    }
    return this.ensureFree(size);
  }

  private ensureFree(bytes: number): boolean {
    if (this.capacity - ((this.head - this.knownTail) | 0) >= bytes) return true;
    if (this.freeBytes() >= bytes) return true;
    if (this.policy === "block") return false;
    this.dropOldestUntilFree(bytes);
    return true;
  }

  /**
   * drop-oldest: advance TAIL past whole frames until `bytes` are free. The consumer may be advancing
   * TAIL at the same moment, so the move is a compare-and-swap from the TAIL we walked from; on failure
   * we walk again from the consumer's new TAIL. Only the producer writes frames, so the lengths it walks
   * are its own and stable. The consumer validates every batch it copied with its own CAS on TAIL and
   * discards whatever we reclaimed under it, so no frame is ever delivered torn (ring-consumer.ts).
   */
  private dropOldestUntilFree(bytes: number): void {
    for (;;) {
      const tail = Atomics.load(this.control, Word.Tail);
      let cursor = tail;
      let frames = 0;
      while (this.capacity - ((this.head - cursor) | 0) < bytes) {
        const offset = cursor & this.mask;
        const length = this.dataWords[offset >> 2];
        if (length === WRAP_MARKER) {
          cursor = (cursor + this.capacity - offset) | 0;
        } else {
          cursor = (cursor + frameBytes(length)) | 0;
          frames++;
        }
      }
      if (Atomics.compareExchange(this.control, Word.Tail, tail, cursor) === tail) {
        this.knownTail = cursor;
        if (frames > 0) {
          this.droppedFrames += frames;
          Atomics.add(this.control, Word.Dropped, frames);
        }
        return;
      }
    }
  }

  /** Publishes HEAD; wakes the consumer only if it said it is parked (a notify is a syscall). */
  private publish(): void {
    Atomics.store(this.control, Word.Head, this.head);
    if (Atomics.load(this.control, Word.ConsumerParked) !== 0) Atomics.notify(this.control, Word.Head, 1);
  }

  /**
   * Raises PRODUCER_WAITING before the last check for room, so a consumer that releases space after
   * that check sees the flag and notifies; returns the TAIL to park on.
   */
  private announceWaiting(): number {
    Atomics.store(this.control, Word.ProducerWaiting, 1);
    return Atomics.load(this.control, Word.Tail);
  }

  private stopWaiting(): void {
    Atomics.store(this.control, Word.ProducerWaiting, 0);
  }

  private fullError(payload: Uint8Array, timeoutMs: number): RingFullError {
    return new RingFullError(timeoutMs, frameBytes(payload.length), this.freeBytes());
  }
}
