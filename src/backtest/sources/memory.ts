/**
 * A window's events held in memory, replayed as often as asked: a sweep decodes a window once per worker
 * thread and runs every job of that window from here, instead of decoding the file or table per job.
 * Replays exactly what the source it was loaded from gave: the same events, order, probe and drops.
 */
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
