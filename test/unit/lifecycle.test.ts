import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ACTOR_STATES,
  IllegalLifecycleTransition,
  LIFECYCLE,
  LIFECYCLE_TRIGGERS,
  lifecycleStep,
  nextLifecycleState,
  type ActorState,
} from "../../src/runtime/lifecycle.js";

const state = fc.constantFrom(...ACTOR_STATES);
const trigger = fc.constantFrom(...LIFECYCLE_TRIGGERS);

/** Walks a trigger sequence from `starting`, skipping refused steps as the supervisor does. */
function walk(triggers: readonly (typeof LIFECYCLE_TRIGGERS)[number][]): ActorState[] {
  const states: ActorState[] = ["starting"];
  for (const t of triggers) {
    const step = lifecycleStep(states.at(-1)!, t);
    if (step.ok) states.push(step.to);
  }
  return states;
}

describe("actor lifecycle table", () => {
  it("answers every (state, trigger) pair from the table: its target if listed, refused otherwise", () => {
    fc.assert(
      fc.property(state, trigger, (s, t) => {
        const step = lifecycleStep(s, t);
        const next = LIFECYCLE[s][t];
        if (next === undefined) {
          expect(step).toEqual({ ok: false, state: s, trigger: t });
          expect(() => nextLifecycleState("feed", s, t)).toThrow(IllegalLifecycleTransition);
        } else {
          expect(step).toEqual({ ok: true, from: s, to: next });
          expect(ACTOR_STATES).toContain(next);
          expect(nextLifecycleState("feed", s, t)).toBe(next);
        }
      }),
    );
  });

  it("names the actor, the state and the trigger when it refuses a step", () => {
    expect(() => nextLifecycleState("risk", "stopped", "init")).toThrow(
      "actor risk: no lifecycle transition from stopped on init",
    );
  });

  it("never leaves stopped, and every other state can be stopped", () => {
    fc.assert(
      fc.property(fc.array(trigger, { maxLength: 40 }), (triggers) => {
        const states = walk(triggers);
        const firstStop = states.indexOf("stopped");
        if (firstStop >= 0) expect(states.slice(firstStop).every((s) => s === "stopped")).toBe(true);
        const last = states.at(-1)!;
        if (last !== "stopped") {
          expect(lifecycleStep(last, "stop")).toEqual({ ok: true, from: last, to: "stopping" });
          expect(lifecycleStep(last, "stopped")).toEqual({ ok: true, from: last, to: "stopped" });
        }
      }),
    );
  });

  it("reaches running only through a start: an incarnation's init, then started", () => {
    fc.assert(
      fc.property(state, trigger, (s, t) => {
        const step = lifecycleStep(s, t);
        if (step.ok && step.to === "running" && s !== "running") {
          expect(t).toBe("started");
          expect(["starting", "restarting"]).toContain(s);
        }
        // Only a crashed actor is given up; a given-up actor comes back only through a restart.
        if (step.ok && step.to === "failed") expect([s, t]).toEqual(["crashed", "give_up"]);
        if (step.ok && s === "failed" && step.to !== "failed")
          expect(["restart", "crash", "stop", "stopped"]).toContain(t);
      }),
    );
  });

  it("from any reachable state a crash is followed by a restart back to running", () => {
    fc.assert(
      fc.property(fc.array(trigger, { maxLength: 30 }), (triggers) => {
        const s = walk(triggers).at(-1)!;
        if (s === "stopped" || s === "stopping") return;
        let now = lifecycleStep(s, "crash");
        const crashed = now.ok ? now.to : s;
        expect(crashed).toBe("crashed");
        for (const t of ["restart", "init", "started"] as const) {
          now = lifecycleStep(now.ok ? now.to : crashed, t);
          expect(now.ok).toBe(true);
        }
        expect(now).toMatchObject({ ok: true, to: "running" });
      }),
    );
  });

  it("a stopping actor is never started again: a start reported meanwhile leaves it stopping", () => {
    fc.assert(
      fc.property(trigger, (t) => {
        const step = lifecycleStep("stopping", t);
        if (step.ok) expect(["stopping", "stopped", "crashed"]).toContain(step.to);
      }),
    );
    expect(lifecycleStep("stopping", "started")).toEqual({ ok: true, from: "stopping", to: "stopping" });
    for (const t of ["init", "restart"] as const) expect(lifecycleStep("stopping", t).ok).toBe(false);
  });
});
