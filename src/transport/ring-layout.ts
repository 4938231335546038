/**
 * Shared-memory layout of the SPSC byte ring (architecture §5). One SharedArrayBuffer holds a control
 * block of Int32 words followed by the data region:
 *
 * ```
 *  byte   cache line   Int32 words                                   written by
 *  ────   ──────────   ───────────────────────────────────────────   ─────────────────────────────
 *     0   0 header     MAGIC VERSION CAPACITY POLICY                 create() only
 *                      GENERATION CONSUMER_ATTACHED                  reset() / consumer attach+close
 *    64   1 producer   HEAD WRITTEN DROPPED PRODUCER_WAITING         producer (HEAD on every frame)
 *   128   2 consumer   TAIL READ DROPPED_SEEN                        consumer (every drain pass);
 *                                                                    producer CAS on TAIL (drop-oldest)
 *   192   3 parking    CONSUMER_PARKED                               consumer, only around a park
 *   256   data         capacity bytes (a power of two) of frames
 * ```
 *
 * HEAD and TAIL sit on separate 64-byte lines so the producer's publish and the consumer's release do not
 * invalidate each other's line on every frame. CONSUMER_PARKED has a line of its own because the producer
 * reads it after every publish: it must stay in the producer's cache until the consumer actually parks.
 *
 * Positions (HEAD, TAIL) are free-running byte counters kept as wrapping int32; `(head - tail) | 0` is the
 * number of bytes in use and `position & (capacity - 1)` the offset in the data region. Capacity is at
 * most 2^30 so the difference never overflows. WRITTEN, READ and DROPPED are wrapping u32 frame counters
 * with a single writer each: an observer takes deltas with `(now - before) >>> 0` (see `ringStats`).
 * DROPPED_SEEN is the DROPPED value the consumer has already reported as a gap; keeping it in shared memory
 * lets a consumer attached after `reset` report the frames lost before it arrived.
 *
 * Frame: `i32 payloadLength | payload | padding to 4 bytes`. Frames are 4-byte aligned so a length word
 * never straddles the end of the data region and can be read through an Int32Array. A frame never wraps:
 * when it does not fit before the end, the producer writes `WRAP_MARKER` as the length and the rest of
 * the region up to the end is padding that the consumer skips.
 */

import type { BackpressurePolicy } from "../protocol/host.js";

export const CONTROL_BYTES = 256;
export const RING_MAGIC = 0x4c4c5247; // "LLRG"
export const RING_LAYOUT_VERSION = 1;

/** Int32 word indices of the control block (see the diagram above). */
export const Word = {
  Magic: 0,
  Version: 1,
  Capacity: 2,
  Policy: 3,
  Generation: 4,
  ConsumerAttached: 5,
  Head: 16,
  Written: 17,
  Dropped: 18,
  ProducerWaiting: 19,
  Tail: 32,
  Read: 33,
  DroppedSeen: 34,
  ConsumerParked: 48,
} as const;

export const WRAP_MARKER = -1;
export const FRAME_HEADER_BYTES = 4;
export const MIN_CAPACITY = 64;
export const MAX_CAPACITY = 1 << 30;

const POLICY_CODES: Record<BackpressurePolicy, number> = { "drop-oldest": 1, block: 2 };

/** What a thread needs to attach to a ring. Plain data: `postMessage` / `workerData` carry it as is. */
export interface RingDescriptor {
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  readonly policy: BackpressurePolicy;
}

/** Largest payload a ring of this capacity accepts: one frame filling the whole data region. */
export function maxPayloadBytes(capacity: number): number {
  return capacity - FRAME_HEADER_BYTES;
}

/** Bytes a frame with this payload occupies in the data region, header and alignment padding included. */
export function frameBytes(payloadLength: number): number {
  return (payloadLength + FRAME_HEADER_BYTES + 3) & ~3;
}

export function createRing(capacityBytes: number, policy: BackpressurePolicy): RingDescriptor {
  if (!Number.isInteger(capacityBytes) || capacityBytes < MIN_CAPACITY || capacityBytes > MAX_CAPACITY) {
    throw new RangeError(`ring capacity must be an integer in [${MIN_CAPACITY}, 2^30], got ${capacityBytes}`);
  }
  if ((capacityBytes & (capacityBytes - 1)) !== 0) {
    throw new RangeError(`ring capacity must be a power of two, got ${capacityBytes}`);
  }
  if (!(policy in POLICY_CODES)) throw new RangeError(`unknown backpressure policy '${String(policy)}'`);
  const buffer = new SharedArrayBuffer(CONTROL_BYTES + capacityBytes);
  const control = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
  control[Word.Magic] = RING_MAGIC;
  control[Word.Version] = RING_LAYOUT_VERSION;
  control[Word.Capacity] = capacityBytes;
  control[Word.Policy] = POLICY_CODES[policy];
  return { buffer, capacity: capacityBytes, policy };
}

/** Reads the header of a ring buffer, rejecting anything that was not made by `createRing`. */
export function openRing(buffer: SharedArrayBuffer): RingDescriptor {
  if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < CONTROL_BYTES + MIN_CAPACITY) {
    throw new TypeError("not a ring: expected a SharedArrayBuffer made by Ring.create");
  }
  const control = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
  if (control[Word.Magic] !== RING_MAGIC || control[Word.Version] !== RING_LAYOUT_VERSION) {
    throw new TypeError("not a ring: bad magic or layout version");
  }
  const capacity = control[Word.Capacity];
  const policy = control[Word.Policy] === POLICY_CODES.block ? "block" : "drop-oldest";
  return { buffer, capacity, policy };
}

/** Views both ends use over one ring buffer. */
export interface RingViews {
  readonly control: Int32Array;
  readonly data: Uint8Array;
  /** The same data region as 32-bit words, for frame length reads and writes. */
  readonly dataWords: Int32Array;
  readonly capacity: number;
  readonly mask: number;
  readonly policy: BackpressurePolicy;
}

export function ringViews(buffer: SharedArrayBuffer): RingViews {
  const { capacity, policy } = openRing(buffer);
  return {
    control: new Int32Array(buffer, 0, CONTROL_BYTES / 4),
    data: new Uint8Array(buffer, CONTROL_BYTES, capacity),
    dataWords: new Int32Array(buffer, CONTROL_BYTES, capacity / 4),
    capacity,
    mask: capacity - 1,
    policy,
  };
}

/** Counters as seen by an observer such as the metrics collector. Frame counters are wrapping u32. */
export interface RingStats {
  readonly capacity: number;
  readonly usedBytes: number;
  readonly written: number;
  readonly read: number;
  readonly dropped: number;
  readonly generation: number;
  readonly consumerAttached: boolean;
}

export function ringStats(buffer: SharedArrayBuffer): RingStats {
  const { control, capacity } = ringViews(buffer);
  const head = Atomics.load(control, Word.Head);
  const tail = Atomics.load(control, Word.Tail);
  return {
    capacity,
    usedBytes: (head - tail) | 0,
    written: Atomics.load(control, Word.Written) >>> 0,
    read: Atomics.load(control, Word.Read) >>> 0,
    dropped: Atomics.load(control, Word.Dropped) >>> 0,
    generation: Atomics.load(control, Word.Generation) >>> 0,
    consumerAttached: Atomics.load(control, Word.ConsumerAttached) !== 0,
  };
}
