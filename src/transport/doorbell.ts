/**
 * One doorbell per thread, in a SharedArrayBuffer:
 *
 *   Int32[0]  ring count     bumped by any producer after writing a frame for this thread
 *   Int32[1]  parked flag    1 while the thread waits; producers only pay for notify then
 *   Int32[2]  current actor  global index + 1 of the actor inside a handler, 0 when none
 *   F64[2]    busy since ms  wall ms when the current loop turn started, 0 when parked
 *
 * The supervisor's heartbeat check reads the last two to find a stuck worker and the actor responsible;
 * the main thread's watchdog (src/supervisor/watchdog.ts) reads main's current actor from its own thread.
 */
export const DOORBELL_BYTES = 32;

export function createDoorbell(): SharedArrayBuffer {
  return new SharedArrayBuffer(DOORBELL_BYTES);
}

export class Doorbell {
  readonly words: Int32Array;
  private readonly times: Float64Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer, 0, 4);
    this.times = new Float64Array(buffer, 16, 2);
  }

  ring(): void {
    Atomics.add(this.words, 0, 1);
    if (Atomics.load(this.words, 1) === 1) Atomics.notify(this.words, 0);
  }

  count(): number {
    return Atomics.load(this.words, 0);
  }

  setParked(parked: boolean): void {
    Atomics.store(this.words, 1, parked ? 1 : 0);
  }

  /** -1 (what `currentActor` returns when none) clears it. */
  setCurrentActor(globalIndex: number): void {
    this.words[2] = globalIndex + 1;
  }

  clearCurrentActor(): void {
    this.words[2] = 0;
  }

  /** Global index of the actor inside a handler, or -1. */
  currentActor(): number {
    return this.words[2] - 1;
  }

  setBusySince(ms: number): void {
    this.times[0] = ms;
  }

  busySince(): number {
    return this.times[0];
  }
}
