/**
 * Single-producer/single-consumer byte ring in a SharedArrayBuffer: the transport between actors on
 * different threads (architecture §4-§5). Layout and frame format: ring-layout.ts; the two ends:
 * ring-producer.ts and ring-consumer.ts.
 *
 * ```ts
 * const ring = Ring.create(1 << 20, "block");            // supervisor; pass `ring` to both workers
 * const out = new RingProducer(ring.buffer);              // producer thread
 * out.write(bytes, 100);                                  // RingFullError after 100 ms without room
 * const inbox = new RingConsumer(ring.buffer);            // consumer thread
 * while (inbox.waitForData(20)) inbox.drain((buf, start, end) => handle(unpackr.unpack(buf, { start, end })));
 * ```
 *
 * The daemon's threads read several rings each, so they park on one doorbell per thread rather than on
 * a ring (runtime/doorbell.ts; the main thread with `Atomics.waitAsync`): `waitForData` is for a thread
 * that reads a single ring, as the benchmarks' workers do.
 */
import { RingCorruptError } from "./ring-errors.js";
import {
  createRing,
  frameBytes,
  maxPayloadBytes,
  openRing,
  ringStats,
  ringViews,
  WRAP_MARKER,
  Word,
} from "./ring-layout.js";

export type { RingDescriptor, RingStats } from "./ring-layout.js";
export { RingProducer, DEFAULT_PRODUCER_SPIN_MICROS } from "./ring-producer.js";
export { RingConsumer, type FrameHandler, type RingConsumerOptions } from "./ring-consumer.js";
export {
  RingError,
  FrameTooLargeError,
  RingFullError,
  RingAttachError,
  RingDetachedError,
  RingCorruptError,
} from "./ring-errors.js";

/**
 * What happens to frames still in the ring when its consumer is replaced:
 * - `keep`: the next consumer starts where the dead one last released, so it receives every frame the
 *   dead one had not taken. Frames the dead one had taken (copied and released, up to one batch) but
 *   not finished handling are lost: delivery across a consumer crash is at-most-once.
 * - `discard`: the unread frames are dropped and added to the drop counter, so the next consumer sees
 *   them as one gap. For market data, where stale frames are worthless.
 */
export type UnreadFrames = "keep" | "discard";

export interface ResetResult {
  readonly generation: number;
  readonly discardedFrames: number;
}

/**
 * Detaches the ring's consumer (dead, or terminated by the supervisor) so a new one can attach. The
 * producer is untouched and may keep writing throughout; a producer blocked for room is woken. A
 * consumer that is in fact still running sees `RingDetachedError` on its next `drain`: terminate it
 * before resetting, since a drain already under way when the reset lands can still complete.
 */
function resetRing(buffer: SharedArrayBuffer, unread: UnreadFrames = "keep"): ResetResult {
  const { control } = ringViews(buffer);
  const generation = (Atomics.add(control, Word.Generation, 1) + 1) >>> 0;
  const discardedFrames = unread === "discard" ? discardUnread(buffer) : 0;
  Atomics.store(control, Word.ConsumerParked, 0);
  Atomics.store(control, Word.ConsumerAttached, 0);
  Atomics.notify(control, Word.Tail);
  return { generation, discardedFrames };
}

/**
 * Moves TAIL to HEAD and counts the frames skipped as dropped. Under drop-oldest the producer may move
 * TAIL meanwhile (and overwrite what it reclaimed), so the walk is validated by a CAS and retried.
 */
function discardUnread(buffer: SharedArrayBuffer): number {
  const { control, dataWords, capacity, mask } = ringViews(buffer);
  const maxPayload = maxPayloadBytes(capacity);
  for (;;) {
    const tail = Atomics.load(control, Word.Tail);
    const head = Atomics.load(control, Word.Head);
    let cursor = tail;
    let frames = 0;
    while (((head - cursor) | 0) > 0) {
      const offset = cursor & mask;
      const length = dataWords[offset >> 2];
      if (length === WRAP_MARKER) {
        cursor = (cursor + capacity - offset) | 0;
      } else if (length >= 0 && length <= maxPayload) {
        cursor = (cursor + frameBytes(length)) | 0;
        frames++;
      } else {
        break;
      }
    }
    if (cursor !== head) {
      if (Atomics.load(control, Word.Tail) === tail)
        throw new RingCorruptError(cursor, dataWords[(cursor & mask) >> 2]);
      continue;
    }
    if (Atomics.compareExchange(control, Word.Tail, tail, head) === tail) {
      Atomics.add(control, Word.Dropped, frames);
      return frames;
    }
  }
}

/** Creating, inspecting and resetting rings; the ends are `RingProducer` and `RingConsumer`. */
export const Ring = {
  /** A new ring of `capacityBytes` (a power of two, 64 B to 1 GiB) plus a 256-byte control block. */
  create: createRing,
  /** Descriptor of an existing ring buffer (validates its header). */
  open: openRing,
  reset: resetRing,
  /** Counters and fill level for observers (metrics); frame counters are wrapping u32. */
  stats: ringStats,
  /** Largest payload a ring of `capacity` bytes accepts. */
  maxPayload: maxPayloadBytes,
} as const;
