import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { BreakerMemory } from "./circuit-breaker.js";

const memorySchema = z.strictObject({
  state: z.enum(["ACTIVE", "REDUCING", "HALTED"]),
  day: z.string().regex(/^\d*$/),
  dayStartEquity: z.number().finite(),
});

export type BreakerLoad =
  | { readonly ok: true; readonly memory: BreakerMemory | undefined }
  | { readonly ok: false; readonly error: string };

/**
 * The circuit breaker's memory on disk, so that neither a crash of the risk actor nor a restart of the
 * daemon un-trips it or forgets the day's starting equity (only an operator's reset does). Written
 * whole to a temporary file and renamed: a crash mid-write leaves the previous version.
 */
export class BreakerStore {
  private lastWritten = "";

  constructor(readonly file: string) {}

  load(): BreakerLoad {
    if (!existsSync(this.file)) return { ok: true, memory: undefined };
    try {
      const parsed = memorySchema.safeParse(JSON.parse(readFileSync(this.file, "utf8")));
      if (!parsed.success)
        return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
      this.lastWritten = JSON.stringify(parsed.data);
      return { ok: true, memory: parsed.data };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  /** Writes `memory` if it differs from what is on disk. */
  save(memory: BreakerMemory): void {
    const text = JSON.stringify(memory);
    if (text === this.lastWritten) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.file);
    this.lastWritten = text;
  }
}

/** Next to the order journal, one file per account. */
export function breakerFileFor(journalPath: string, accountId: string): string {
  return path.join(path.dirname(journalPath), `risk-breaker-${accountId.replace(/[^\w.-]/g, "_")}.json`);
}
