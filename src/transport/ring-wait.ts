/**
 * Spinning shared by both ends of a ring. A spin keeps a thread hot for a short, bounded time (waking a
 * parked thread costs far more than a spinning check); past it the thread parks on a control word. Never
 * configure more spinning threads than cores − 1 (architecture §4).
 */

/** How often a spin loop reads the clock: `performance.now()` costs many polls' worth (docs/benchmarks.md). */
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
