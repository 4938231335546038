import { parentPort } from "node:worker_threads";

/**
 * Start gate for benchmark workers: a worker says "ready" and blocks until the bench opens the gate
 * (word 0 set to 1, see `openGate`), so every thread of a measurement starts at the same moment.
 */
export function announceReadyAndWait(gate: SharedArrayBuffer): void {
  parentPort!.postMessage("ready");
  Atomics.wait(new Int32Array(gate), 0, 0);
}

export function openGate(gate: SharedArrayBuffer): void {
  const word = new Int32Array(gate);
  Atomics.store(word, 0, 1);
  Atomics.notify(word, 0);
}
