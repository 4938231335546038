import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { AnyMessage } from "../../src/protocol/codec.js";
import { createCodec } from "../../src/protocol/catalog.js";
import type { Ping, Pong } from "../../src/protocol/control.js";
import { type ActorContext, type ActorDef, defineActor } from "../../src/runtime/actor.js";
import { SimulatedClock } from "../../src/runtime/clock.js";
import { ThreadHost } from "../../src/runtime/host.js";
import { createMetricsBlock } from "../../src/runtime/metrics.js";
import { createDoorbell, Doorbell } from "../../src/transport/doorbell.js";

const ping = (id: number): Ping => ({ type: "Ping", id, sentNs: 0n });
const pong = (id: number): Pong => ({ type: "Pong", id, sentNs: 0n, actor: "subject" });

/** A host with a source (whose context the test sends through) and a subject that decides on pings. */
async function hostWith(subject: ActorDef) {
  let source: ActorContext | undefined;
  const defs = new Map<string, ActorDef>([
    [
      "source",
      defineActor({
        kind: "source",
        reads: [],
        writes: ["test.in"],
        init: (ctx) => ((source = ctx), { handle: {} }),
      }),
    ],
    ["subject", subject],
  ]);
  const names = ["source", "subject"];
  const host = new ThreadHost({
    thread: "test",
    actors: names.map((name, index) => ({ index, name, kind: name, moduleUrl: name, config: {} })),
    channels: [{ name: "test.in", policy: "block" }],
    remoteReaders: [[]],
    inbound: [],
    outbound: [],
    bell: new Doorbell(createDoorbell()),
    metricsBlock: new Float64Array(createMetricsBlock(names.length)),
    blockDeadlineMs: Number.POSITIVE_INFINITY,
    faultInjection: true,
    clock: new SimulatedClock(1n),
    codec: createCodec(),
    log: pino({ level: "silent" }),
    emit: () => undefined,
    loadActor: async (url) => defs.get(url)!,
  });
  await host.start();
  const send = (message: AnyMessage) => {
    source!.send("test.in", message);
    while (host.turn() > 0);
  };
  return { host, send, rehearse: () => host.rehearseIfDue(performance.now(), 0) };
}

describe("host rehearsal", () => {
  function subject(decided: number[], handled: number[]) {
    return defineActor({
      kind: "subject",
      reads: ["test.in"],
      writes: [],
      init: () => ({
        handle: {
          Ping: (p: Ping) => {
            if (p.id < 0) throw new Error("negative ping");
            handled.push(p.id);
          },
          Pong: () => undefined,
        },
        decide: { Ping: (p: Ping) => decided.push(p.id) },
      }),
    });
  }

  it("decides again on the latest input that has a decision, and on nothing before one came", async () => {
    const [decided, handled] = [[] as number[], [] as number[]];
    const { send, rehearse } = await hostWith(subject(decided, handled));
    rehearse();
    expect(decided).toEqual([]);
    send(ping(1));
    send(ping(2));
    send(pong(3)); // no decision for a Pong: the latest decided input stays the second ping
    rehearse();
    rehearse();
    expect(decided).toEqual([2, 2]);
    expect(handled).toEqual([1, 2]);
  });

  it("forgets the input of an ended incarnation: a restarted actor rehearses only on what it received", async () => {
    const [decided, handled] = [[] as number[], [] as number[]];
    const { host, send, rehearse } = await hostWith(subject(decided, handled));
    send(ping(1));
    send(ping(-1)); // crashes the subject
    expect(host.actorState("subject")).toBe("crashed");
    rehearse();
    expect(decided).toEqual([]);
    await host.restart("subject", 0, false);
    while (host.turn() > 0); // the ping it crashed on is retried, and crashes it again: poison, dropped
    await host.restart("subject", 0, false);
    rehearse();
    expect(decided).toEqual([]);
    send(ping(4));
    rehearse();
    expect(decided).toEqual([4]);
  });
});
