import { describe, expect, it } from "vitest";
import { EngineLiveness } from "../../src/actors/venues/engine-liveness.js";

describe("EngineLiveness: the engine has no heartbeat, so an order is the probe", () => {
  it("stays ok while nothing was asked of the engine, however long it is quiet", () => {
    const l = new EngineLiveness(15_000);
    expect(l.status(3_600_000)).toEqual({
      last_report_age_s: null,
      awaiting_report_s: null,
      events_link: "not yet connected",
      health: { status: "ok", reasons: [] },
    });
  });

  it("is degraded once an order waited past the deadline with no report, and ok again at the next report", () => {
    const l = new EngineLiveness(15_000);
    l.sent(1_000);
    l.sent(5_000); // the oldest unanswered order counts
    expect(l.status(16_000).health.status).toBe("ok");
    const late = l.status(16_100);
    expect(late.awaiting_report_s).toBe(15.1);
    expect(late.health).toEqual({
      status: "degraded",
      reasons: ["engine: no report for 15.1 s after an order (deadline 15 s)"],
    });
    l.received(17_000);
    expect(l.status(20_000)).toMatchObject({
      last_report_age_s: 3,
      awaiting_report_s: null,
      health: { status: "ok" },
    });
  });

  it("is degraded while the events link that was connected is down", () => {
    const l = new EngineLiveness(15_000);
    l.linked(true);
    expect(l.status(0).health.status).toBe("ok");
    l.linked(false);
    expect(l.status(0).health).toEqual({ status: "degraded", reasons: ["engine: events link disconnected"] });
    l.linked(true);
    expect(l.status(0)).toMatchObject({ events_link: "connected", health: { status: "ok" } });
  });
});
