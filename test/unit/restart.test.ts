import { describe, expect, it } from "vitest";
import {
  RestartBudget,
  affectedChildren,
  backoffMs,
  shouldRestart,
  DEFAULT_RESTART_POLICY,
} from "../../src/supervisor/restart.js";
import { resolveChildSpecs, ChildSpecError } from "../../src/supervisor/child-spec.js";

describe("restart decisions", () => {
  it("restarts permanent children always, transient only after a crash, temporary never", () => {
    expect(shouldRestart("permanent", "crash")).toBe(true);
    expect(shouldRestart("permanent", "normal")).toBe(true);
    expect(shouldRestart("transient", "crash")).toBe(true);
    expect(shouldRestart("transient", "normal")).toBe(false);
    expect(shouldRestart("temporary", "crash")).toBe(false);
    expect(shouldRestart("permanent", "shutdown")).toBe(false);
  });

  it("one_for_one takes only the failed child, rest_for_one the later ones, one_for_all every child", () => {
    const order = ["feed", "jumps", "strategy", "risk"];
    expect(affectedChildren("one_for_one", order, ["jumps"])).toEqual(["jumps"]);
    expect(affectedChildren("rest_for_one", order, ["jumps"])).toEqual(["jumps", "strategy", "risk"]);
    expect(affectedChildren("one_for_all", order, ["risk"])).toEqual(order);
    expect(affectedChildren("rest_for_one", order, ["strategy", "feed"])).toEqual(order);
  });

  it("escalates on the restart past the intensity within the period, and forgets old restarts", () => {
    const budget = new RestartBudget({ ...DEFAULT_RESTART_POLICY, intensity: 3, periodMs: 1000 });
    expect(budget.record(0).escalate).toBe(false);
    expect(budget.record(100).escalate).toBe(false);
    expect(budget.record(200).escalate).toBe(false);
    expect(budget.record(300).escalate).toBe(true);
    const fresh = new RestartBudget({ ...DEFAULT_RESTART_POLICY, intensity: 2, periodMs: 1000 });
    fresh.record(0);
    fresh.record(500);
    expect(fresh.record(1000).escalate).toBe(false);
    expect(fresh.recent).toBe(2);
  });

  it("restarts the first time at once, then backs off exponentially with jitter up to the cap", () => {
    const p = { ...DEFAULT_RESTART_POLICY, backoffInitialMs: 100, backoffMaxMs: 1000 };
    expect(backoffMs(p, 0, () => 0.5)).toBe(0);
    expect(backoffMs(p, 1, () => 0.5)).toBe(100);
    expect(backoffMs(p, 3, () => 0.5)).toBe(400);
    expect(backoffMs(p, 3, () => 0)).toBe(200);
    expect(backoffMs(p, 3, () => 0.999)).toBeCloseTo(599.6);
    expect(backoffMs(p, 10, () => 0.999)).toBe(1000);
  });
});

describe("child specs", () => {
  it("fills defaults and refuses duplicates, bad names and bad shutdown timeouts by name", () => {
    const [spec] = resolveChildSpecs([{ name: "feed", module: "m", thread: "hot" }]);
    expect(spec).toMatchObject({ restart: "permanent", shutdownMs: 2000 });
    const dup = () =>
      resolveChildSpecs([
        { name: "a", module: "m", thread: "main" },
        { name: "a", module: "m", thread: "main" },
      ]);
    expect(dup).toThrow(ChildSpecError);
    expect(dup).toThrow(/duplicate_name: child 'a'/);
    expect(() => resolveChildSpecs([{ name: "Bad", module: "m", thread: "main" }])).toThrow(/invalid_name/);
    expect(() => resolveChildSpecs([{ name: "a", module: "m", thread: "main", shutdownMs: -1 }])).toThrow(
      /invalid_shutdown/,
    );
  });
});
