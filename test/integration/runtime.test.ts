import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { compiledUrl } from "../../src/runtime/paths.js";
import { startSystem } from "../../src/supervisor/system.js";
import type { Supervisor } from "../../src/supervisor/supervisor.js";
import type { ChildSpec } from "../../src/supervisor/child-spec.js";
import { resolveChildSpecs } from "../../src/supervisor/child-spec.js";
import { loadDefs } from "../../src/supervisor/system.js";
import { InlineRuntime } from "../../src/runtime/inline.js";
import type { Pong } from "../../src/protocol/control.js";
import { DEFAULT_RESTART_POLICY } from "../../src/supervisor/restart.js";
import { freePort } from "../fixtures/ports.js";
import { waitFor } from "../fixtures/wait.js";

const log = pino({ level: "silent" });
const quiet = { log, logLevel: "silent" };
const actor = (name: string) => compiledUrl(new URL(`../fixtures/actors/${name}.ts`, import.meta.url)).href;
/** Actors the restart benchmark runs too. */
const benchActor = (name: string) => compiledUrl(new URL(`../../bench/actors/${name}.ts`, import.meta.url)).href;

function topology(
  collect: (p: Pong) => void,
  count: number,
  extra: Partial<Record<"doubler", object>> = {},
): ChildSpec[] {
  return [
    { name: "collector", module: benchActor("collector"), thread: "main", config: { collect } },
    { name: "doubler", module: benchActor("doubler"), thread: "worker-b", config: extra.doubler ?? {} },
    {
      name: "source",
      module: benchActor("counter-source"),
      thread: "worker-a",
      config: { count, perTick: 50, everyMs: 1 },
    },
  ];
}

let running: Supervisor | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe("actor runtime", () => {
  it("gives the same output sequence under the inline transport and under threads", async () => {
    const count = 2000;
    const threaded: number[] = [];
    running = await startSystem(
      topology((p) => threaded.push(p.id), count),
      quiet,
    );
    await waitFor(() => threaded.length === count);

    const inlineOut: number[] = [];
    const children = resolveChildSpecs(topology((p) => inlineOut.push(p.id), count));
    const inline = new InlineRuntime(children, await loadDefs(children), 1_000_000_000n, log);
    await inline.start();
    inline.runUntil(1_000_000_000n + 10_000_000_000n);

    expect(inlineOut).toHaveLength(count);
    expect(threaded).toEqual(inlineOut);
    expect(inlineOut.slice(0, 4)).toEqual([0, 2, 4, 6]);
  });

  it(
    "restarts a crashed actor in place and retries the message once; a message that crashes twice is " + "dropped",
    async () => {
      const out: number[] = [];
      running = await startSystem(
        topology((p) => out.push(p.id), 500, { doubler: { crashOn: [100] } }),
        quiet,
      );
      await waitFor(() => out.length === 499);
      expect(out).not.toContain(200);
      expect(out.at(-1)).toBe(998);
      const doubler = running.actors().find((a) => a.name === "doubler")!;
      expect(doubler).toMatchObject({ state: "running", restarts: 2, lastError: "doubler refuses 100" });
    },
  );

  it("delivers the message a transient crash interrupted to the restarted actor", async () => {
    const out: number[] = [];
    running = await startSystem(
      topology((p) => out.push(p.id), 500, { doubler: { crashOn: [100], crashOnce: true } }),
      quiet,
    );
    await waitFor(() => out.length === 500);
    expect(out).toEqual(Array.from({ length: 500 }, (_, i) => i * 2));
  });

  it("restarts a dead worker with the actors it hosted, which resume from the ring", async () => {
    const out: number[] = [];
    running = await startSystem(
      topology((p) => out.push(p.id), 100_000),
      { ...quiet, faultInjection: true },
    );
    await waitFor(() => out.length > 1000);
    expect(await running.killWorkerOf("doubler")).toBe(true);
    const before = out.length;
    await waitFor(() => running!.actors().find((a) => a.name === "doubler")!.restarts === 1);
    await waitFor(() => out.length > before + 1000);
    expect(running.actors().find((a) => a.name === "doubler")!.state).toBe("running");
  });

  it(
    "releases a crashed actor's resources before restarting it (a bound port does not block the " + "restart)",
    async () => {
      const port = await freePort();
      running = await startSystem(
        [{ name: "holder", module: actor("port-holder"), thread: "worker-h", config: { port } }],
        { ...quiet, faultInjection: true },
      );
      expect(running.crashActor("holder")).toBe(true);
      await waitFor(() => running!.actors()[0].restarts === 1 && running!.actors()[0].state === "running");
      await new Promise((r) => setTimeout(r, 100));
      expect(running.actors()[0]).toMatchObject({ state: "running", restarts: 1 });
    },
  );

  it("ends a crashed incarnation: signal aborted, late sends dropped, releases done before the next init", async () => {
    const events: string[] = [];
    const pongs: number[] = [];
    const pongsOf = (p: Pong) => pongs.push(p.id);
    running = await startSystem(
      [
        { name: "collector", module: benchActor("collector"), thread: "main", config: { collect: pongsOf } },
        {
          name: "slow",
          module: actor("slow-starter"),
          thread: "main",
          config: { stepMs: 40, record: (e: string) => events.push(e) },
        },
      ],
      { ...quiet, faultInjection: true },
    );
    await waitFor(() => pongs.length === 1);
    // The next incarnation crashes at its fault point, while its step is pending; the one after runs.
    expect(running.crashActor("slow", "slow:step")).toBe(true);
    expect(running.restartActor("slow")).toBe(true);
    await waitFor(() => events.includes("step 3 live") && pongs.length === 2);
    expect(events).toEqual([
      "init 1",
      "step 1 live",
      "released 1",
      "init 2",
      "step 2 aborted",
      "released 2",
      "init 3",
      "step 3 live",
    ]);
    expect(pongs).toEqual([1, 3]);
    expect(running.actors().find((a) => a.name === "slow")).toMatchObject({ state: "running", restarts: 2 });
  });

  it("holds the inputs an actor hands back, in order, across a crash, and delivers each once", async () => {
    const out: number[] = [];
    const state = { refusing: false, held: 0 };
    const outOf = (p: Pong) => out.push(p.id);
    const source = { count: 3000, perTick: 10, everyMs: 1 };
    running = await startSystem(
      [
        { name: "collector", module: benchActor("collector"), thread: "main", config: { collect: outOf } },
        { name: "doubler", module: actor("refusing-doubler"), thread: "main", config: { state } },
        { name: "source", module: benchActor("counter-source"), thread: "worker-a", config: source },
      ],
      { ...quiet, faultInjection: true },
    );
    await waitFor(() => out.length > 100);
    state.refusing = true;
    await waitFor(() => state.held > 200);
    expect(running.crashActor("doubler")).toBe(true);
    await waitFor(() => running!.actors().find((a) => a.name === "doubler")!.restarts === 1 && state.held > 400);
    const before = out.length;
    state.refusing = false;
    await waitFor(() => out.length === 3000);
    expect(before).toBeLessThan(3000);
    expect(out).toEqual(Array.from({ length: 3000 }, (_, i) => i * 2));
  });

  it("terminates and restarts a thread whose actor is stuck past the heartbeat deadline", async () => {
    const specs: ChildSpec[] = [
      { name: "spinner", module: actor("spinner"), thread: "worker-s" },
      {
        name: "source",
        module: benchActor("counter-source"),
        thread: "worker-a",
        config: { count: 1, perTick: 1, everyMs: 1 },
      },
    ];
    running = await startSystem(specs, { ...quiet, heartbeatTimeoutMs: 300 });
    await waitFor(() => running!.actors()[0].restarts >= 1);
    expect(running.actors()[0].lastError).toMatch(/stuck: spinner made no progress/);
  });

  it("escalates past the restart intensity and stops every actor", async () => {
    const crashOn = Array.from({ length: 50 }, (_, i) => i);
    const supervisor = await startSystem(
      topology(() => undefined, 50, { doubler: { crashOn } }),
      {
        ...quiet,
        policy: { ...DEFAULT_RESTART_POLICY, intensity: 3, periodMs: 60_000, backoffInitialMs: 1 },
      },
    );
    const report = await supervisor.escalated;
    expect(report).toMatchObject({ context: "reached_max_restart_intensity", offender: "doubler" });
    expect(supervisor.actors().every((a) => a.state === "stopped")).toBe(true);
  });
});
