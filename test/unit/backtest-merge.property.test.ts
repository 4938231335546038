import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compareEvents, TopicTable, tradeEvent, bookEvent } from "../../src/backtest/sources/events.js";
import { HeldRows, mergeInputs, type SortedInput } from "../../src/backtest/sources/merge.js";
import type { ReplayEvent } from "../../src/backtest/sources/source.js";

const topics = new TopicTable();

/** Few distinct times and symbols, so that ties on every key prefix are common. */
const eventArb = fc
  .record({
    recv: fc.integer({ min: 0, max: 5 }),
    ts: fc.integer({ min: 0, max: 3 }),
    trade: fc.boolean(),
    symbol: fc.constantFrom("A", "B", "BB"),
    seq: fc.integer({ min: 0, max: 4 }),
  })
  .map(({ recv, ts, trade, symbol, seq }) =>
    trade
      ? tradeEvent(topics, BigInt(ts), BigInt(recv), "X", symbol, 1, 1, "buy", "id", seq)
      : bookEvent(topics, "checkpoint", BigInt(ts), BigInt(recv), "X", symbol, seq, [1], [1], [2], [1]),
  );

/** A sorted input served in batches of `size`, counting what it holds. */
function input(name: string, events: ReplayEvent[], size: number): SortedInput {
  let at = 0;
  const held = new HeldRows();
  return {
    name,
    held,
    async next() {
      if (at >= events.length) return undefined;
      const batch = events.slice(at, at + size);
      at += size;
      held.add(batch.length);
      return batch;
    },
    async close() {},
  };
}

describe("k-way merge", () => {
  it("outputs every input event once, in compareEvents order, ties kept in input order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(eventArb, { maxLength: 40 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 9 }),
        async (lists, batchSize) => {
          const sorted = lists.map((l) => [...l].sort(compareEvents));
          const inputs = sorted.map((l, i) => input(`in${i}`, l, batchSize));
          const out: ReplayEvent[] = [];
          for await (const batch of mergeInputs(inputs, batchSize)) {
            expect(batch.length).toBeLessThanOrEqual(batchSize);
            out.push(...batch);
          }
          // A permutation of the inputs (the same objects, each once)…
          const all = sorted.flat();
          expect(out.length).toBe(all.length);
          expect(new Set(out).size).toBe(all.length);
          for (const e of all) expect(out).toContain(e);
          // …sorted, and among equal events the lower input first, each input's own order kept.
          const origin = new Map(sorted.flatMap((l, i) => l.map((e, j) => [e, [i, j] as const])));
          for (let k = 1; k < out.length; k++) {
            const order = compareEvents(out[k - 1], out[k]);
            expect(order).toBeLessThanOrEqual(0);
            if (order === 0) {
              const [ia, ja] = origin.get(out[k - 1])!;
              const [ib, jb] = origin.get(out[k])!;
              expect(ia < ib || (ia === ib && ja < jb)).toBe(true);
            }
          }
          for (const i of inputs) {
            expect(i.held.peak).toBeLessThanOrEqual(batchSize);
            expect(i.held.held).toBe(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("orders by receipt time, then exchange time, trades before books, symbol, seq", () => {
    const t = (recv: number, ts: number, symbol: string, seq: number) =>
      tradeEvent(topics, BigInt(ts), BigInt(recv), "X", symbol, 1, 1, "buy", "", seq);
    const b = (recv: number, ts: number) =>
      bookEvent(topics, "checkpoint", BigInt(ts), BigInt(recv), "X", "A", 0, [], [], [], []);
    const events = [b(2, 1), t(2, 1, "B", 0), t(2, 1, "A", 1), t(2, 1, "A", 0), t(2, 0, "Z", 9), t(1, 9, "Z", 9)];
    expect([...events].sort(compareEvents)).toEqual([events[5], events[4], events[3], events[2], events[1], events[0]]);
  });
});
