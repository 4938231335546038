import { afterAll, describe, expect, it } from "vitest";
import { ftruncateSync, mkdtempSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { compiledUrl } from "../../src/runtime/paths.js";
import { InlineRuntime } from "../../src/runtime/inline.js";
import { resolveChildSpecs } from "../../src/supervisor/child-spec.js";
import { loadDefs } from "../../src/supervisor/system.js";
import { scanRecords } from "../../src/actors/orders/journal/record.js";
import type { JournalIo } from "../../src/actors/orders/journal/local-log.js";
import type { Pong } from "../../src/protocol/control.js";

const dir = mkdtempSync(join(tmpdir(), "leadlag-write-gate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const actor = (name: string) => compiledUrl(new URL(`../fixtures/actors/${name}.ts`, import.meta.url)).href;
/** Actors the restart benchmark runs too. */
const benchActor = (name: string) => compiledUrl(new URL(`../../bench/actors/${name}.ts`, import.meta.url)).href;
const MS = 1_000_000n;
const T0 = 1_000_000_000n;

/** Writes through until `budget` bytes are used up, then ENOSPC: a disk that fills mid-record. */
class FillingDisk implements JournalIo {
  budget = Number.POSITIVE_INFINITY;
  write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    if (this.budget <= 0) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    const n = Math.min(length, this.budget);
    this.budget -= n;
    return writeSync(fd, buffer, offset, n, position);
  }
  truncate(fd: number, length: number): void {
    ftruncateSync(fd, length);
  }
}

describe("journal write gate under the inline runtime", () => {
  it("holds every input a full journal refuses, in order, keeps the tail whole, resumes with room", async () => {
    const path = join(dir, "journal.log");
    const disk = new FillingDisk();
    const probe = { failure: undefined as string | undefined, held: 0 };
    const out: number[] = [];
    const collect = (p: Pong) => out.push(p.id);
    const pings = { count: 100, perTick: 1, everyMs: 1 };
    const children = resolveChildSpecs([
      { name: "collector", module: benchActor("collector"), thread: "main", config: { collect } },
      { name: "writer", module: actor("gated-journal-writer"), thread: "main", config: { path, io: disk, probe } },
      { name: "source", module: benchActor("counter-source"), thread: "main", config: pings },
    ]);
    const runtime = new InlineRuntime(children, await loadDefs(children), T0, pino({ level: "silent" }));
    await runtime.start();
    runtime.runUntil(T0 + 20n * MS);
    expect(out).toHaveLength(20);

    disk.budget = 30; // the next record is cut off mid-write
    runtime.runUntil(T0 + 150n * MS); // every ping sent, the first retry (100 ms) found no room
    expect(out).toHaveLength(20);
    const noSpace = `writing ${path}: ENOSPC: no space left on device, write`;
    expect(probe.failure).toMatch(new RegExp(`^${noSpace} \\(.* free\\)$`));
    expect(probe.held).toBe(80);
    const whileFull = readFileSync(path);
    expect(scanRecords(whileFull)).toMatchObject({ problem: "", validBytes: whileFull.length });
    expect(scanRecords(whileFull).records).toHaveLength(20);

    disk.budget = Number.POSITIVE_INFINITY;
    runtime.runUntil(T0 + 2_000n * MS);
    expect(probe).toEqual({ failure: undefined, held: 0 });
    expect(out).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const after = scanRecords(readFileSync(path));
    expect(after.problem).toBe("");
    expect(after.records.map((r) => (r.event as { amount: number }).amount)).toEqual(out);
    expect(after.records.map((r) => r.seq)).toEqual(out.map((_, i) => BigInt(i + 1)));
    await runtime.stop(["collector", "writer", "source"]);
  });
});
