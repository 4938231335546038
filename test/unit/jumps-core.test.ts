import { describe, expect, it } from "vitest";
import { JumpsCore } from "../../src/actors/jumps/core.js";
import type { JumpParams } from "../../src/actors/jumps/params.js";
import type { JumpDetected } from "../../src/protocol/signals.js";
import { book, MS, S, T0, trade } from "../fixtures/strategy.js";

const LM2_PRICES = [100, 100.01, 99.99, 100.005, 99.995, 100.115];
const SMALL: JumpParams = { windowK: 5, alpha: 0.01, coJumpThreshold: 3, coJumpWindowS: 0.5 };
const SYMBOLS = ["BTC", "ETH", "SOL", "XRP", "DOGE"].map((symbol, id) => ({ id, symbol }));

/** The LM-2 price path for one symbol, its last (jump) tick at `jumpNs`, earlier ticks 10 ms apart. */
function lm2Ticks(instrument: number, jumpNs: bigint) {
  return LM2_PRICES.map((price, i) => trade(instrument, jumpNs - BigInt(LM2_PRICES.length - 1 - i) * 10n * MS, price));
}

describe("jumps core", () => {
  it("reports the LM-2 jump with the spec's numbers", () => {
    const core = new JumpsCore({ symbols: SYMBOLS, params: SMALL });
    const out = lm2Ticks(0, T0 + 5n * S).map((t) => core.onTrade(t));
    expect(out.slice(0, 5)).toEqual([null, null, null, null, null]);
    const jump = out[5]!;
    expect(jump).toMatchObject({
      type: "JumpDetected",
      instrument: 0,
      tsNs: T0 + 5n * S,
      coJumpCount: 0,
      systematic: false,
    });
    expect(jump.jumpBps).toBeCloseTo(11.99340506562994, 9);
    expect(jump.sigmaHat).toBeCloseTo(0.00014719615637911676, 15);
    expect(jump.statistic).toBeCloseTo(8.14790641322173, 9);
    expect(jump.xi).toBeCloseTo(9.255181687713481, 9);
    expect(core.counts.get(0)).toEqual({ detected: 1, systematic: 0 });
  });

  it("flags a leader jump as systematic when three other symbols jumped within the window before it (CJ-1)", () => {
    const core = new JumpsCore({ symbols: SYMBOLS, params: SMALL, leaders: new Set([0]) });
    const at = (s: number) => T0 + BigInt(Math.round(s * 1000)) * MS;
    const ticks = [
      ...lm2Ticks(1, at(9.8)),
      ...lm2Ticks(2, at(9.6)),
      ...lm2Ticks(3, at(9.4)),
      ...lm2Ticks(4, at(10.0)),
      ...lm2Ticks(0, at(10.0)),
    ];
    // Time order; at equal times the order above holds (DOGE's jump is seen before BTC's).
    const ordered = ticks
      .map((t, i) => ({ t, i }))
      .sort((a, b) => (a.t.tsNs < b.t.tsNs ? -1 : a.t.tsNs > b.t.tsNs ? 1 : a.i - b.i));
    const reported = ordered.map(({ t }) => core.onTrade(t)).filter((j): j is JumpDetected => j !== null);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ instrument: 0, coJumpCount: 3, systematic: true });
    // Non-leaders are not reported but count: every symbol detected its jump.
    for (const s of SYMBOLS) expect(core.counts.get(s.id)!.detected).toBe(1);
  });

  it(
    "rehearses the newest tick's test with its statistic, and a core that rehearses reports exactly what one " +
      "that does not does",
    () => {
      const at = (s: number) => T0 + BigInt(Math.round(s * 1000)) * MS;
      const ticks = [
        ...lm2Ticks(1, at(9.8)),
        ...lm2Ticks(2, at(9.6)),
        ...lm2Ticks(3, at(9.4)),
        ...lm2Ticks(4, at(10.0)),
        ...lm2Ticks(0, at(10.0)),
        ...lm2Ticks(0, at(12)),
      ];
      const ordered = ticks
        .map((t, i) => ({ t, i }))
        .sort((a, b) => (a.t.tsNs < b.t.tsNs ? -1 : a.t.tsNs > b.t.tsNs ? 1 : a.i - b.i))
        .map(({ t }) => t);
      const plain = new JumpsCore({ symbols: SYMBOLS, params: SMALL, leaders: new Set([0]) });
      const rehearsing = new JumpsCore({ symbols: SYMBOLS, params: SMALL, leaders: new Set([0]) });
      expect(rehearsing.rehearse()).toBeNull();
      let rehearsed = 0;
      const outputs = ordered.map((t) => {
        const out = rehearsing.onTrade(t);
        for (let i = 0; i < 3; i++) if (rehearsing.rehearse() !== null) rehearsed++;
        return out;
      });
      expect(outputs).toEqual(ordered.map((t) => plain.onTrade(t)));
      expect([...rehearsing.counts]).toEqual([...plain.counts]);
      expect(rehearsed).toBeGreaterThan(0);
      // After the last LM-2 path (BTC at 12 s, alone in its window): its jump, tested again, unchanged.
      expect(rehearsing.rehearse()).toMatchObject({ instrument: 0, tsNs: at(12), coJumpCount: 0, systematic: false });
      expect(rehearsing.rehearse()?.statistic).toBeCloseTo(8.14790641322173, 9);
    },
  );

  it("tests mids when configured to, and skips invalid books", () => {
    const core = new JumpsCore({ symbols: SYMBOLS, params: SMALL, source: "mid" });
    const books = LM2_PRICES.map((mid, i) => book(0, T0 + BigInt(i) * S, mid));
    expect(core.onTrade(trade(0, T0, 100))).toBeNull();
    expect(core.onBook(book(0, T0 + 5n * S - 1n, 500, { valid: false }))).toBeNull();
    const out = books.map((b) => core.onBook(b));
    expect(out[5]?.jumpBps).toBeCloseTo(11.99340506562994, 9);
  });

  it("ignores instruments outside the configured symbols", () => {
    const core = new JumpsCore({ symbols: SYMBOLS, params: SMALL });
    expect(lm2Ticks(9, T0).map((t) => core.onTrade(t))).toEqual([null, null, null, null, null, null]);
  });
});
