/**
 * A window's events held in memory, replayed as often as asked: a sweep decodes its window once per worker
 * thread and runs every job from here (a walk-forward fold from a slice of it), instead of decoding the
 * file or table per job. A slice replays exactly the events the source gives for the slice's window, in
 * the same order (the source's window is a range of receipt times, and so is a slice). Its `drops()` are
 * those of the whole decoded window: the sources count skipped rows by reason, not by time.
 */
import type { Nanos } from "../../model/time.js";
import type { SourceDropReason } from "./checks.js";
import type { ReplayEvent, ReplaySource, SourceProbe, SourceStats } from "./source.js";

/** What `loadIntoMemory` keeps of a source: shared, read-only, by every replay of the window. */
export interface LoadedWindow {
  readonly description: string;
  readonly events: readonly ReplayEvent[];
  readonly probe: SourceProbe;
  readonly drops: Partial<Record<SourceDropReason, number>>;
  readonly rows: number;
}

/** Drains `source` (probe first, then every batch); the caller still closes it. */
export async function loadIntoMemory(source: ReplaySource): Promise<LoadedWindow> {
  const probe = await source.probe();
  const events: ReplayEvent[] = [];
  for await (const batch of source.batches()) for (const e of batch) events.push(e);
  return { description: source.description, events, probe, drops: { ...source.drops() }, rows: source.stats().rows };
}

/** The events of `[startNs, endNs)` (receipt time) out of a loaded window that holds that range. */
export function sliceWindow(loaded: LoadedWindow, startNs: Nanos, endNs: Nanos): LoadedWindow {
  const { events } = loaded;
  const from = firstAtOrAfter(events, startNs);
  const to = firstAtOrAfter(events, endNs);
  const slice = events.slice(from, to);
  const perSymbol = new Map<string, number>([...loaded.probe.perSymbol.keys()].map((symbol) => [symbol, 0]));
  for (const e of slice) perSymbol.set(e.topic.symbol, (perSymbol.get(e.topic.symbol) ?? 0) + 1);
  return { ...loaded, events: slice, probe: { perSymbol, total: slice.length }, rows: slice.length };
}

/** Index of the first event received at or after `ns` (events are in receipt-time order). */
function firstAtOrAfter(events: readonly ReplayEvent[], ns: Nanos): number {
  let [lo, hi] = [0, events.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid].recvNs < ns) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class MemorySource implements ReplaySource {
  readonly description: string;

  constructor(
    private readonly loaded: LoadedWindow,
    private readonly batchSize: number,
  ) {
    this.description = loaded.description;
  }

  async probe(): Promise<SourceProbe> {
    return this.loaded.probe;
  }

  async *batches(): AsyncGenerator<readonly ReplayEvent[], void, undefined> {
    const { events } = this.loaded;
    for (let i = 0; i < events.length; i += this.batchSize) yield events.slice(i, i + this.batchSize);
  }

  drops(): Partial<Record<SourceDropReason, number>> {
    return { ...this.loaded.drops };
  }

  stats(): SourceStats {
    return {
      rows: this.loaded.rows,
      events: this.loaded.events.length,
      peakHeldRows: { memory: this.loaded.events.length },
    };
  }

  async close(): Promise<void> {}
}
