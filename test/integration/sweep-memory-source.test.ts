import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CsvDirectorySource } from "../../src/backtest/sources/csv.js";
import { loadIntoMemory, MemorySource, sliceWindow } from "../../src/backtest/sources/memory.js";
import type { ReplayEvent, ReplaySource, SourceWindow } from "../../src/backtest/sources/source.js";
import { NS_PER_S } from "../../src/model/time.js";
import { RECORDING_START_NS } from "../../bench/backtest-recording.js";
import { BACKTEST_SYMBOLS, recordJumpyMarket } from "../fixtures/backtest.js";

let dir: string;
let csv: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "leadlag-memory-source-"));
  ({ csv } = await recordJumpyMarket(dir, 40));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = (s: number) => RECORDING_START_NS + BigInt(s) * NS_PER_S;
const open = (window: SourceWindow) =>
  CsvDirectorySource.open(csv, { window, symbols: BACKTEST_SYMBOLS, batchSize: 500 });

async function drain(source: ReplaySource): Promise<ReplayEvent[]> {
  const out: ReplayEvent[] = [];
  for await (const batch of source.batches()) out.push(...batch);
  return out;
}

const key = (e: ReplayEvent) => [e.recvNs, e.exchTsNs, e.topic.name, e.wire];

describe("the sweep's in-memory source", () => {
  it("replays a slice of a decoded window exactly as the source replays that slice's window", async () => {
    const whole = await open({ startNs: at(0), endNs: at(40) });
    const loaded = await loadIntoMemory(whole);
    await whole.close();
    for (const [from, to] of [
      [0, 40],
      [10, 25],
      [25, 40],
    ]) {
      const direct = await open({ startNs: at(from), endNs: at(to) });
      const expected = await drain(direct);
      const probe = await direct.probe();
      await direct.close();
      const memory = new MemorySource(sliceWindow(loaded, at(from), at(to)), 500);
      const got = await drain(memory);
      expect(got.length).toBeGreaterThan(100);
      expect(got.map(key)).toEqual(expected.map(key));
      expect((await memory.probe()).perSymbol).toEqual(probe.perSymbol);
      // Replayable again: every job of a thread replays the same memory.
      expect((await drain(memory)).length).toBe(got.length);
    }
  });
});
