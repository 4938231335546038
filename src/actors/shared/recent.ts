/**
 * The most recent `capacity` keys, oldest evicted first: what the order manager keeps of finished
 * orders, cancel requests and fill ids so that memory stays flat in a daemon that runs for months (the
 * journal keeps everything). Insertion-ordered, so eviction is deterministic and a replay of the journal
 * evicts exactly what the live run did.
 */
export class RecentKeys {
  private readonly keys = new Set<string>();

  constructor(readonly capacity: number) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Adds `key` (a repeat is a no-op) and returns the key it evicted, if the set was full. */
  add(key: string): string | undefined {
    if (this.keys.has(key)) return undefined;
    this.keys.add(key);
    if (this.keys.size <= this.capacity) return undefined;
    const oldest = this.keys.values().next().value as string;
    this.keys.delete(oldest);
    return oldest;
  }

  keysOldestFirst(): string[] {
    return [...this.keys];
  }

  get size(): number {
    return this.keys.size;
  }
}
