import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { ftruncateSync, mkdtempSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fork } from "node:child_process";
import { pino } from "pino";
import type { OrderEvent } from "../../src/actors/orders/events.js";
import { LocalJournal, type JournalIo } from "../../src/actors/orders/journal/local-log.js";
import { LockHeldError } from "../../src/actors/orders/journal/lock.js";
import { StorageError } from "../../src/actors/orders/journal/storage.js";
import { compiledUrl } from "../../src/runtime/paths.js";
import { T0 } from "../../bench/order-harness.js";

const logger = pino({ level: "silent" });
const dir = mkdtempSync(join(tmpdir(), "leadlag-journal-fail-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
const freshPath = () => join(dir, `journal-${++fileNo}.log`);

const balance = (amount: number): OrderEvent => ({ type: "BalanceSet", asset: "USDC", amount, tsNs: T0 });
const enospc = () => Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });

/** File io whose writes stop after `budget` bytes with ENOSPC (a disk filling mid-record); truncate can fail too. */
class FillingDisk implements JournalIo {
  budget = Number.POSITIVE_INFINITY;
  truncateFails = false;
  write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    if (this.budget <= 0) throw enospc();
    const n = Math.min(length, this.budget);
    this.budget -= n;
    return writeSync(fd, buffer, offset, n, position);
  }
  truncate(fd: number, length: number): void {
    if (this.truncateFails) throw Object.assign(new Error("EIO: i/o error, ftruncate"), { code: "EIO" });
    ftruncateSync(fd, length);
  }
}

const openWith = (path: string, io?: JournalIo) =>
  LocalJournal.open({ path, fsync: "none", fsyncIntervalMs: 100, io, owner: "test writer" }, logger);

function reopen(path: string) {
  const opened = openWith(path);
  opened.journal.close();
  return opened;
}

describe("local journal on a filling disk", () => {
  it("a write cut short by ENOSPC appends nothing: no number used, torn bytes cut, path and free space named", () => {
    const path = freshPath();
    const disk = new FillingDisk();
    const { journal } = openWith(path, disk);
    journal.append([balance(1), balance(2)]);
    const size = statSync(path).size;
    disk.budget = 20; // part of the next record's header and payload
    let thrown: unknown;
    try {
      journal.append([balance(3)]);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(StorageError);
    const error = thrown as StorageError;
    expect(error.code).toBe("ENOSPC");
    expect(error.noRoom).toBe(true);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/\d+(\.\d)? (B|KiB|MiB|GiB|TiB) free\)$/);
    expect(journal.lastSeq).toBe(2n);
    expect(statSync(path).size).toBe(size);

    disk.budget = Number.POSITIVE_INFINITY;
    const [next] = journal.append([balance(3)]);
    expect(next.seq).toBe(3n);
    journal.close();
    const after = reopen(path);
    expect(after.problem).toBe("");
    const amounts = after.records.map((r) => [r.seq, (r.event as { amount: number }).amount]);
    expect(amounts).toEqual([
      [1n, 1],
      [2n, 2],
      [3n, 3],
    ]);
  });

  it("writes nothing more until the torn bytes of a failed write are cut", () => {
    const path = freshPath();
    const disk = new FillingDisk();
    const { journal } = openWith(path, disk);
    journal.append([balance(1)]);
    const size = statSync(path).size;
    disk.budget = 7;
    disk.truncateFails = true;
    expect(() => journal.append([balance(2)])).toThrow(StorageError);
    expect(statSync(path).size).toBe(size + 7);
    disk.budget = Number.POSITIVE_INFINITY;
    // Room again, but the torn tail is still there: refused rather than written after it.
    expect(() => journal.append([balance(2)])).toThrow(/cutting the torn tail/);
    expect(journal.lastSeq).toBe(1n);
    disk.truncateFails = false;
    expect(journal.append([balance(2)])[0].seq).toBe(2n);
    journal.close();
    expect(reopen(path).records.map((r) => r.seq)).toEqual([1n, 2n]);
  });

  it("after failures at any byte of any append, the file replays exactly the appends that succeeded", () => {
    const failAt = fc.option(fc.nat({ max: 120 }), { freq: 2 });
    const appendArb = fc.record({ events: fc.integer({ min: 1, max: 3 }), failAt });
    fc.assert(
      fc.property(fc.array(appendArb, { minLength: 1, maxLength: 12 }), (appends) => {
        const path = freshPath();
        const disk = new FillingDisk();
        const { journal } = openWith(path, disk);
        const kept: number[] = [];
        let amount = 0;
        for (const a of appends) {
          const events = Array.from({ length: a.events }, () => balance(++amount));
          disk.budget = a.failAt ?? Number.POSITIVE_INFINITY;
          try {
            journal.append(events);
            kept.push(...events.map((e) => (e as { amount: number }).amount));
          } catch (err) {
            expect(err).toBeInstanceOf(StorageError);
          }
        }
        journal.close();
        const after = reopen(path);
        expect(after.problem).toBe("");
        expect(after.records.map((r) => (r.event as { amount: number }).amount)).toEqual(kept);
        expect(after.records.map((r) => r.seq)).toEqual(kept.map((_, i) => BigInt(i + 1)));
      }),
      { numRuns: 150 },
    );
  });

  it("probes for room by writing and cutting, leaving the file as it was", () => {
    const path = freshPath();
    const disk = new FillingDisk();
    const { journal } = openWith(path, disk);
    journal.append([balance(1)]);
    const size = statSync(path).size;
    disk.budget = 100;
    expect(journal.probeRoom(4096)?.code).toBe("ENOSPC");
    expect(statSync(path).size).toBe(size);
    disk.budget = Number.POSITIVE_INFINITY;
    expect(journal.probeRoom(4096)).toBeUndefined();
    expect(statSync(path).size).toBe(size);
    journal.close();
  });
});

describe("journal lock", () => {
  it("refuses a second writer in this process, naming the path and the holder, until the first closes", () => {
    const path = freshPath();
    const first = openWith(path);
    expect(() => openWith(path)).toThrow(LockHeldError);
    expect(() => openWith(path)).toThrow(`${path}.lock is locked by this process (pid ${process.pid}`);
    expect(() => openWith(path)).toThrow(/test writer, since \d{4}-/);
    first.journal.close();
    openWith(path).journal.close();
  });

  it("refuses a writer while another process holds the journal, and is free once that process is killed", async () => {
    const path = freshPath();
    const script = compiledUrl(new URL("../fixtures/hold-journal.ts", import.meta.url));
    const holder = fork(script, [path], { stdio: "ignore" });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.once("message", () => resolve());
        holder.once("exit", (code) => reject(new Error(`holder exited ${code}`)));
      });
      expect(() => openWith(path)).toThrow(new RegExp(`locked by pid ${holder.pid} on .*, other daemon, since`));
    } finally {
      holder.kill("SIGKILL");
      await new Promise((r) => holder.once("exit", r));
    }
    openWith(path).journal.close();
  });
});
