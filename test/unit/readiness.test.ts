import { describe, expect, it } from "vitest";
import { subsystemOf, subsystemReadiness } from "../../src/supervisor/readiness.js";
import type { ActorStatus } from "../../src/supervisor/supervisor.js";

const actor = (name: string, state: ActorStatus["state"] = "running"): ActorStatus => ({
  name,
  thread: "main",
  state,
  restarts: 0,
});
const all = ["market-synth", "feed", "jumps", "estimator-0", "strategy", "risk", "orders", "venue"].map((n) =>
  actor(n),
);
const ok = { health: { status: "ok", reasons: [] } };

describe("trading_core's subsystems from leadlag's actors", () => {
  it("puts each actor under one subsystem", () => {
    expect(all.map((a) => [a.name, subsystemOf(a.name)])).toEqual([
      ["market-synth", "market_data"],
      ["feed", "market_data"],
      ["jumps", "strategies"],
      ["estimator-0", "strategies"],
      ["strategy", "strategies"],
      ["risk", "execution"],
      ["orders", "execution"],
      ["venue", "execution"],
    ]);
    expect(subsystemOf("shadow-fast")).toBe("strategies");
  });

  it("is ready while every actor runs and says it is ok", () => {
    expect(subsystemReadiness(all, () => ok, false)).toEqual({
      market_data: "ready",
      execution: "ready",
      strategies: "ready",
    });
  });

  it("is degraded where an actor says so (stale feed, unanswering engine), down where one does not run", () => {
    const statuses: Record<string, unknown> = {
      feed: { health: { status: "degraded", reasons: ["BTC-USDT-PERP stale 0.9 s"] } },
      venue: { health: { status: "degraded", reasons: ["engine: no report for 16 s after an order"] } },
    };
    const actors = all.map((a) => (a.name === "jumps" ? actor("jumps", "restarting") : a));
    expect(subsystemReadiness(actors, (n) => statuses[n], false)).toEqual({
      market_data: "degraded",
      execution: "degraded",
      strategies: "down",
    });
    statuses.orders = { health: "fine" };
    expect(subsystemReadiness(all, (n) => statuses[n], false).execution).toBe("degraded");
  });

  it("degrades execution while the risk breaker is not ACTIVE", () => {
    const breaker = (state: string) => (n: string) => (n === "risk" ? { breaker: { state, drawdownUsd: 1 } } : ok);
    expect(subsystemReadiness(all, breaker("ACTIVE"), false).execution).toBe("ready");
    expect(subsystemReadiness(all, breaker("REDUCING"), false).execution).toBe("degraded");
    expect(subsystemReadiness(all, breaker("HALTED"), false)).toEqual({
      market_data: "ready",
      execution: "degraded",
      strategies: "ready",
    });
  });

  it("is down everywhere while the daemon stops", () => {
    expect(subsystemReadiness(all, () => ok, true)).toEqual({
      market_data: "down",
      execution: "down",
      strategies: "down",
    });
  });
});
