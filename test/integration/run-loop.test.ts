import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { compiledUrl } from "../../src/runtime/paths.js";
import { resolveChildSpecs } from "../../src/supervisor/child-spec.js";
import { loadDefs } from "../../src/supervisor/system.js";
import { buildTopology } from "../../src/supervisor/topology.js";
import { createHost } from "../../src/runtime/host-factory.js";
import { runHostLoop } from "../../src/runtime/run-loop.js";
import { wallClock } from "../../src/runtime/clock.js";
import { waitFor } from "../fixtures/wait.js";
import type { HostToSupervisor } from "../../src/protocol/host.js";
import { createCodec } from "../../src/protocol/catalog.js";
import type { Ping } from "../../src/protocol/control.js";
import { RingProducer } from "../../src/transport/ring.js";
import { ChannelFrames } from "../../src/transport/frames.js";

const log = pino({ level: "silent" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("thread loop: a reply an actor expects keeps its thread polling instead of parking", () => {
  it("polls while the reply is expected, parks once the expectation is withdrawn", async () => {
    let expectReply: (withinMs: number) => void = () => undefined;
    const module = compiledUrl(new URL("../fixtures/actors/reply-waiter.ts", import.meta.url)).href;
    const children = resolveChildSpecs([
      { name: "waiter", module, thread: "main", config: { expose: (f: typeof expectReply) => (expectReply = f) } },
    ]);
    const topology = buildTopology(children, await loadDefs(children));
    const startup = topology.startupFor("main", {
      spinUs: 0,
      rehearseEveryUs: 0,
      blockDeadlineMs: 5000,
      faultInjection: false,
      logLevel: "silent",
    });
    const { host, bell, close } = createHost(startup, wallClock, log, () => undefined);
    await host.start();
    let stopped = false;
    const loop = runHostLoop(
      host,
      bell,
      { spinUs: 0, rehearseEveryUs: 0, yieldEveryMs: 1, metricsEveryMs: 1000, blockingParkSliceMs: 0 },
      () => stopped,
    );
    const parked = () => Atomics.load(bell.words, 1) === 1;
    try {
      await waitFor(parked);
      expectReply(60_000);
      await waitFor(() => !parked());
      expect(host.replyExpectedUntil()).toBeGreaterThan(performance.now());
      await sleep(50);
      expect(parked()).toBe(false);
      expectReply(0);
      expect(host.replyExpectedUntil()).toBe(0);
      await waitFor(parked);
    } finally {
      stopped = true;
      host.wake();
      await loop;
      close();
    }
  });
});

describe("actor status", () => {
  it("builds a status given as a function only when the host ships it, once for many publications", async () => {
    let publish: (status: unknown) => void = () => undefined;
    const module = compiledUrl(new URL("../fixtures/actors/reply-waiter.ts", import.meta.url)).href;
    const expose = (_: unknown, p: typeof publish) => (publish = p);
    const children = resolveChildSpecs([{ name: "waiter", module, thread: "main", config: { expose } }]);
    const topology = buildTopology(children, await loadDefs(children));
    const startup = topology.startupFor("main", {
      spinUs: 0,
      rehearseEveryUs: 0,
      blockDeadlineMs: 5000,
      faultInjection: false,
      logLevel: "silent",
    });
    const shipped: HostToSupervisor[] = [];
    const { host, close } = createHost(startup, wallClock, log, (e) => shipped.push(e));
    await host.start();
    try {
      let builds = 0;
      for (let i = 0; i < 50; i++) publish(() => ({ build: ++builds }));
      expect(builds).toBe(0);
      host.flushStatuses(performance.now() + 1000);
      expect(builds).toBe(1);
      expect(shipped.filter((e) => e.type === "ActorStatusReport")).toEqual([
        { type: "ActorStatusReport", actor: "waiter", status: { build: 1 } },
      ]);
      publish(() => {
        throw new Error("no status today");
      });
      host.flushStatuses(performance.now() + 2000);
      expect(shipped.filter((e) => e.type === "ActorStatusReport")).toHaveLength(1);
    } finally {
      close();
    }
  });
});

describe("rehearsals", () => {
  const rehearser = compiledUrl(new URL("../fixtures/actors/rehearser.ts", import.meta.url)).href;

  async function spinWith(rehearseEveryUs: number, sendWhileRehearsing: boolean) {
    let rehearsals = 0;
    const children = resolveChildSpecs([
      {
        name: "rehearser",
        module: rehearser,
        thread: "main",
        config: { onRehearse: () => rehearsals++, sendWhileRehearsing },
      },
    ]);
    const topology = buildTopology(children, await loadDefs(children));
    const startup = topology.startupFor("main", {
      spinUs: 40_000,
      rehearseEveryUs,
      blockDeadlineMs: 5000,
      faultInjection: false,
      logLevel: "silent",
    });
    const { host, bell, close } = createHost(startup, wallClock, log, () => undefined);
    await host.start();
    let stopped = false;
    const startedAt = performance.now();
    const loop = runHostLoop(
      host,
      bell,
      { spinUs: 40_000, rehearseEveryUs, yieldEveryMs: 1, metricsEveryMs: 1000, blockingParkSliceMs: 0 },
      () => stopped,
    );
    return {
      host,
      rehearsals: () => rehearsals,
      elapsedMs: () => performance.now() - startedAt,
      stop: async () => {
        stopped = true;
        host.wake();
        await loop;
        close();
      },
    };
  }

  it("a spinning thread has its actors rehearse, at most once per rehearse_every_us", async () => {
    const run = await spinWith(2000, false);
    try {
      await waitFor(() => run.rehearsals() >= 3);
      const [count, elapsedMs] = [run.rehearsals(), run.elapsedMs()];
      expect(count).toBeLessThanOrEqual(Math.floor(elapsedMs / 2) + 1);
    } finally {
      await run.stop();
    }
  });

  it("no rehearsal when rehearse_every_us is 0", async () => {
    const run = await spinWith(0, false);
    try {
      await sleep(60); // longer than the 40 ms spin
      expect(run.rehearsals()).toBe(0);
    } finally {
      await run.stop();
    }
  });

  it("a frame that arrives during a rehearsal ends the round before the next actor's rehearsal", async () => {
    const order: string[] = [];
    let deliver = () => {};
    const rehearserOf = (name: string) => ({
      name,
      module: rehearser,
      thread: "main",
      config: { onRehearse: () => (order.push(name), name === "first" && deliver()), sendWhileRehearsing: false },
    });
    const children = resolveChildSpecs([
      rehearserOf("first"),
      rehearserOf("second"),
      { name: "peer", module: rehearser, thread: "worker-peer", config: {} },
    ]);
    const topology = buildTopology(children, await loadDefs(children));
    const startup = topology.startupFor("main", {
      spinUs: 40_000,
      rehearseEveryUs: 1000,
      blockDeadlineMs: 5000,
      faultInjection: false,
      logLevel: "silent",
    });
    const fromPeer = new RingProducer(startup.inbound.find((r) => r.peer === "worker-peer")!.buffer);
    const ping: Ping = { type: "Ping", id: 1, sentNs: 0n };
    const frame = new ChannelFrames(createCodec()).encode(
      startup.channels.findIndex((c) => c.name === "test.ping"),
      ping,
    );
    // The peer's frame lands while "first" rehearses, once: that round must stop before "second".
    let delivered = false;
    deliver = () => {
      if (delivered) return;
      delivered = true;
      expect(fromPeer.tryWrite(frame)).toBe(true);
    };
    const { host, bell, close } = createHost(startup, wallClock, log, () => undefined);
    await host.start();
    let stopped = false;
    const loop = runHostLoop(
      host,
      bell,
      { spinUs: 40_000, rehearseEveryUs: 1000, yieldEveryMs: 1, metricsEveryMs: 1000, blockingParkSliceMs: 0 },
      () => stopped,
    );
    try {
      await waitFor(() => order.length >= 5);
      expect(order.slice(0, 3)).toEqual(["first", "first", "second"]);
    } finally {
      stopped = true;
      host.wake();
      await loop;
      close();
    }
  });

  it("a rehearsal that sends is refused and not repeated; the actor keeps running", async () => {
    const run = await spinWith(1000, true);
    try {
      await waitFor(() => run.rehearsals() >= 1);
      await sleep(20);
      expect(run.rehearsals()).toBe(1);
      expect(run.host.actorState("rehearser")).toBe("running");
    } finally {
      await run.stop();
    }
  });
});
