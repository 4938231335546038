import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { stallVerdict } from "../../src/supervisor/watchdog-verdict.js";
import { parseConfig } from "../../src/config/index.js";
import { catchConfigError } from "../fixtures/config.js";

const reading = (beatMs: number, previousCheckMs: number, actor = 3) => ({ beatMs, actor, previousCheckMs });

describe("stallVerdict", () => {
  it("calls the main thread stalled once it has been silent past the threshold, naming the actor and the time", () => {
    expect(stallVerdict(reading(10_000, 14_900), 15_000, 5000)).toEqual({ stalled: false, why: "beating" });
    const stalled = (stalledMs: number, actor: number) => ({ stalled: true, stalledMs, actor });
    expect(stallVerdict(reading(10_000, 14_900, 3), 15_001, 5000)).toEqual(stalled(5001, 3));
    expect(stallVerdict(reading(10_000, 39_900, -1), 40_000, 5000)).toEqual(stalled(30_000, -1));
  });

  it("never fires while disarmed (start-up, shutdown)", () => {
    expect(stallVerdict(reading(0, 99_900), 100_000, 5000)).toEqual({ stalled: false, why: "disarmed" });
  });

  it("gives the main thread another round when the watchdog itself did not run (process stopped, VM suspended)", () => {
    // Both threads were frozen for 60 s: the stale beat says nothing about the main thread yet.
    expect(stallVerdict(reading(10_000, 10_100), 70_000, 5000)).toEqual({ stalled: false, why: "watchdog_paused" });
    // One check later the main thread has beaten again: no stall.
    expect(stallVerdict(reading(70_050, 70_000), 70_250, 5000)).toEqual({ stalled: false, why: "beating" });
  });

  it("a pause below the threshold (a long GC) is no stall", () => {
    expect(stallVerdict(reading(10_000, 14_750), 14_999, 5000).stalled).toBe(false);
  });

  it("property: stalled exactly when armed, the watchdog ran on time, and the beat is older than the threshold", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 500, max: 60_000 }),
        fc.integer({ min: -1, max: 64 }),
        (beatMs, sinceBeat, sinceCheck, stallMs, actor) => {
          const now = beatMs + sinceBeat;
          const verdict = stallVerdict({ beatMs, actor, previousCheckMs: now - sinceCheck }, now, stallMs);
          const expected = sinceCheck <= stallMs && sinceBeat > stallMs;
          expect(verdict.stalled).toBe(expected);
          if (verdict.stalled) expect(verdict).toEqual({ stalled: true, stalledMs: sinceBeat, actor });
        },
      ),
    );
  });
});

describe("runtime.watchdog config", () => {
  it("is on by default with a 5 s threshold", () => {
    expect(parseConfig("{}", { env: {} }).runtime.watchdog).toEqual({ enabled: true, stall_ms: 5000 });
    const custom = parseConfig("runtime: { watchdog: { enabled: false, stall_ms: 800 } }", { env: {} });
    expect(custom.runtime.watchdog).toEqual({ enabled: false, stall_ms: 800 });
  });

  it("refuses a threshold an ordinary GC pause could reach", () => {
    const text = "runtime: { watchdog: { stall_ms: 100 } }";
    const { issues } = catchConfigError(() => parseConfig(text, { env: {}, sourceName: "t.yaml" }));
    const expected = { path: "runtime.watchdog.stall_ms", value: 100, expected: "a number ≥ 500" };
    expect(issues).toEqual([expect.objectContaining(expected)]);
  });
});
