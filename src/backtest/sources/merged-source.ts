/** What every source shares: its inputs merged (merge.ts), drop counts, statistics, close. */
import { DropCounts, type SourceDropReason } from "./checks.js";
import { mergeInputs, type SortedInput } from "./merge.js";
import type { ReplayEvent, ReplaySource, SourceOptions, SourceProbe, SourceStats } from "./source.js";

export abstract class MergedSource implements ReplaySource {
  readonly dropCounts = new DropCounts();
  private events = 0;
  private closed = false;
  protected inputs: readonly SortedInput[] = [];

  protected constructor(
    readonly description: string,
    protected readonly options: SourceOptions,
  ) {}

  abstract probe(): Promise<SourceProbe>;

  /** Opens the inputs (tables, files) for reading, in tie order: trades first. */
  protected abstract openInputs(): Promise<readonly SortedInput[]>;

  async *batches(): AsyncGenerator<readonly ReplayEvent[], void, undefined> {
    this.inputs = await this.openInputs();
    try {
      for await (const batch of mergeInputs(this.inputs, this.options.batchSize)) {
        this.events += batch.length;
        yield batch;
      }
    } finally {
      await this.closeInputs();
    }
  }

  drops(): Partial<Record<SourceDropReason, number>> {
    return this.dropCounts.snapshot();
  }

  stats(): SourceStats {
    const peakHeldRows = Object.fromEntries(this.inputs.map((i) => [i.name, i.held.peak]));
    return { rows: this.events + this.dropCounts.total, events: this.events, peakHeldRows };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closeInputs();
    await this.release();
  }

  /** Anything the source holds besides its inputs (a connection pool). */
  protected async release(): Promise<void> {}

  private async closeInputs(): Promise<void> {
    await Promise.all(this.inputs.map((i) => i.close().catch(() => undefined)));
  }
}

/** Every requested symbol with 0, then the counts found. */
export function probeResult(symbols: readonly string[] | undefined, counts: Map<string, number>): SourceProbe {
  const perSymbol = new Map<string, number>();
  for (const s of symbols ?? []) perSymbol.set(s, 0);
  let total = 0;
  for (const [symbol, n] of counts) {
    perSymbol.set(symbol, (perSymbol.get(symbol) ?? 0) + n);
    total += n;
  }
  return { perSymbol, total };
}
