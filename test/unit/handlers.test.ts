import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { Ping, Pong } from "../../src/protocol/control.js";
import type { Book, Trade } from "../../src/protocol/market-data.js";
import { Channels } from "../../src/protocol/channels.js";
import { type ActorDef, defineActor, type Handlers } from "../../src/runtime/actor.js";
import { InlineRuntime } from "../../src/runtime/inline.js";

const T0 = 1_000_000_000n;

describe("typed handlers", () => {
  it("keys handlers by the catalogue's message types and types each handler's message", () => {
    const onTrade = (t: Trade) => void t.price;
    const handlers: Handlers = { Trade: onTrade, Book: (b: Book) => void b.mid };
    // @ts-expect-error a misspelt message type is no key of Handlers
    const misspelt: Handlers = { Trade: onTrade, Trdae: onTrade };
    // @ts-expect-error a handler keyed by one type cannot take another's message
    const crossed: Handlers = { Book: onTrade };
    const onlyMisspelt = defineActor({
      kind: "misspelt",
      reads: [Channels.trades],
      writes: [],
      // @ts-expect-error an instance whose only handler is misspelt has none in common with Handlers
      init: () => ({ handle: { Trdae: onTrade } }),
    });
    expect([handlers, misspelt, crossed, onlyMisspelt].length).toBe(4);
  });
});

describe("a slot at start", () => {
  async function start(def: ActorDef) {
    const runtime = new InlineRuntime(
      [{ name: "subject", module: "subject", config: {} }],
      new Map([["subject", def]]),
      T0,
      pino({ level: "silent" }),
    );
    await runtime.start();
    return runtime.events;
  }

  it("refuses a handler for a message no channel it reads carries, naming the actor and the message", async () => {
    const events = await start(
      defineActor({
        kind: "subject",
        reads: [Channels.trades, Channels.books],
        writes: [],
        init: () => ({ handle: { Trade: (t: Trade) => void t, OrderFilled: () => undefined } }),
      }),
    );
    expect(events.find((e) => e.type === "ActorStarted")).toBeUndefined();
    const crashed = events.find((e) => e.type === "ActorCrashed");
    expect(crashed).toMatchObject({ actor: "subject" });
    expect(crashed?.type === "ActorCrashed" && crashed.error).toBe(
      "actor subject: handler for OrderFilled refused: no channel it reads (md.trade, md.book) carries that message",
    );
  });

  it("refuses a decision the same way, and starts an actor whose handlers its channels carry", async () => {
    const refused = await start(
      defineActor({
        kind: "subject",
        reads: [Channels.venueCommands],
        writes: [],
        init: () => ({ handle: { PlaceOrder: () => undefined }, decide: { SubmitOrder: () => undefined } }),
      }),
    );
    expect(refused.find((e) => e.type === "ActorCrashed")).toMatchObject({
      error: "actor subject: decision for SubmitOrder refused: no channel it reads (orders.venue) carries that message",
    });
    const started = await start(
      defineActor({
        kind: "subject",
        reads: [Channels.venueCommands, Channels.riskEvents],
        writes: [],
        init: () => ({ handle: { PlaceOrder: () => undefined, CancelOrder: () => undefined, OrderDenied: () => {} } }),
      }),
    );
    expect(started.map((e) => e.type)).toEqual(["ActorStarted"]);
  });

  it("leaves a channel outside the catalogue (tests, extensions) free to carry any message", async () => {
    const events = await start(
      defineActor({
        kind: "subject",
        reads: ["test.anything"],
        writes: [],
        init: () => ({ handle: { Ping: (p: Ping) => void p, Pong: (p: Pong) => void p } }),
      }),
    );
    expect(events.map((e) => e.type)).toEqual(["ActorStarted"]);
  });
});
