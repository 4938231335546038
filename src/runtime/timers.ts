import type { Nanos } from "../model/time.js";

export interface TimerEntry {
  readonly owner: number;
  readonly name: string;
  due: Nanos;
  readonly everyNs: Nanos;
  /** Bumped when the timer is replaced or cleared, so stale heap entries are skipped instead of searched for. */
  readonly generation: number;
  /** `owner:name`, built once: the liveness check runs on every turn. */
  readonly key: string;
}

/**
 * Named per-owner timers on a binary min-heap ordered by due time, then insertion order (deterministic
 * under simulated time). Replacing or clearing a timer leaves the old heap entry to be skipped lazily.
 */
export class TimerQueue {
  private heap: { entry: TimerEntry; order: number }[] = [];
  private readonly live = new Map<string, number>();
  private nextOrder = 0;
  private nextGeneration = 1;

  set(owner: number, name: string, due: Nanos, everyNs: Nanos = 0n): void {
    const generation = this.nextGeneration++;
    const key = `${owner}:${name}`;
    this.live.set(key, generation);
    this.push({ entry: { owner, name, due, everyNs, generation, key }, order: this.nextOrder++ });
  }

  clear(owner: number, name: string): void {
    this.live.delete(`${owner}:${name}`);
  }

  /** Removes every timer of an owner (actor stopped or restarted). */
  clearOwner(owner: number): void {
    for (const key of [...this.live.keys()]) if (key.startsWith(`${owner}:`)) this.live.delete(key);
  }

  /** Due time of the earliest live timer, or undefined. */
  peekDue(): Nanos | undefined {
    this.dropStale();
    return this.heap[0]?.entry.due;
  }

  /** Pops the earliest live timer due at or before `now`; a repeating timer is re-armed. */
  popDue(now: Nanos): TimerEntry | undefined {
    this.dropStale();
    const top = this.heap[0];
    if (top === undefined || top.entry.due > now) return undefined;
    this.pop();
    if (top.entry.everyNs > 0n) {
      // Like setInterval, a late repeating timer does not fire a burst to catch up: the next firing is a
      // full period after now.
      const next = top.entry.due + top.entry.everyNs;
      const due = next > now ? next : now + top.entry.everyNs;
      this.push({ entry: { ...top.entry, due }, order: this.nextOrder++ });
    } else {
      this.live.delete(top.entry.key);
    }
    return top.entry;
  }

  private dropStale(): void {
    while (this.heap.length > 0) {
      const { entry } = this.heap[0];
      if (this.live.get(entry.key) === entry.generation) return;
      this.pop();
    }
  }

  private less(a: { entry: TimerEntry; order: number }, b: { entry: TimerEntry; order: number }): boolean {
    return a.entry.due < b.entry.due || (a.entry.due === b.entry.due && a.order < b.order);
  }

  private push(item: { entry: TimerEntry; order: number }): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
