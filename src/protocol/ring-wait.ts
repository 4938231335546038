/**
 * Spinning and parking helpers shared by both ends of a ring. A spin keeps a thread hot for a short,
 * bounded time (waking a parked thread costs ~25 µs here, a spinning check ~1 µs); past it the thread
 * parks on a control word. Never configure more spinning threads than cores − 1 (architecture §4).
 */

/** `Atomics.waitAsync` is in Node 20 but only in TypeScript's ES2024 lib; this project targets ES2022. */
type WaitAsyncResult = { async: false; value: "not-equal" | "timed-out" } | { async: true; value: Promise<"ok" | "timed-out"> };
type AtomicsWithWaitAsync = typeof Atomics & {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMs?: number): WaitAsyncResult;
};

/** Resolves when `control[index]` is no longer `expected`, on notify, or after `timeoutMs`. Never blocks. */
export async function waitAsyncWhileEqual(control: Int32Array, index: number, expected: number, timeoutMs: number): Promise<void> {
  const result = (Atomics as AtomicsWithWaitAsync).waitAsync(control, index, expected, timeoutMs);
  if (result.async) await result.value;
}

/** How often a spin loop reads the clock: `performance.now()` costs about as much as 30 polls. */
const POLLS_PER_CLOCK_READ = 64;

/**
 * Polls `ready` for up to `spinMicros` µs. Returns true as soon as it holds, false when the budget is
 * spent (a budget of 0 polls exactly once).
 */
export function spinUntil(ready: () => boolean, spinMicros: number): boolean {
  if (ready()) return true;
  if (!(spinMicros > 0)) return false;
  const until = performance.now() + spinMicros / 1000;
  for (let polls = 1; ; polls++) {
    if (ready()) return true;
    if (polls % POLLS_PER_CLOCK_READ === 0 && performance.now() >= until) return false;
  }
}
