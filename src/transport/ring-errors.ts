/** Faults a ring raises. The supervisor matches on the class; `code` is what lands in logs and metrics. */
export abstract class RingError extends Error {
  abstract readonly code: string;
}

/** A payload that cannot fit even in an empty ring. Raised before anything is written. */
export class FrameTooLargeError extends RingError {
  readonly code = "ring_frame_too_large";
  constructor(
    readonly payloadBytes: number,
    readonly maxPayloadBytes: number,
  ) {
    super(`frame of ${payloadBytes} bytes exceeds the ring's maximum payload of ${maxPayloadBytes} bytes`);
  }
}

/**
 * A `block` channel stayed full past the producer's deadline: the consumer is stuck or dead. Nothing was
 * written; the producer remains usable (retry after the supervisor restarts or resets the consumer).
 */
export class RingFullError extends RingError {
  readonly code = "ring_full";
  constructor(
    readonly timeoutMs: number,
    readonly frameBytes: number,
    readonly freeBytes: number,
  ) {
    super(`ring still full after ${timeoutMs} ms (frame needs ${frameBytes} bytes, ${freeBytes} free)`);
  }
}

/** A second consumer tried to attach while one is attached; `Ring.reset` detaches a dead one first. */
export class RingAttachError extends RingError {
  readonly code = "ring_consumer_attached";
  constructor() {
    super("ring already has a consumer attached (reset the ring if that consumer died)");
  }
}

/** This consumer was superseded by `Ring.reset`: it must stop reading, another consumer owns the ring. */
export class RingDetachedError extends RingError {
  readonly code = "ring_consumer_detached";
  constructor() {
    super("ring was reset: this consumer is detached");
  }
}

/** A frame header that no producer could have written: shared memory was overwritten by something else. */
export class RingCorruptError extends RingError {
  readonly code = "ring_corrupt";
  constructor(
    readonly position: number,
    readonly lengthWord: number,
  ) {
    super(`corrupt frame header ${lengthWord} at ring position ${position >>> 0}`);
  }
}
