import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { pino } from "pino";
import type { PlaceOrder } from "../../src/protocol/orders.js";
import type { VenueEvent } from "../../src/protocol/wire/engine.js";
import { formatExecReport } from "../../src/protocol/wire/engine-server.js";
import { EngineAdapter } from "../../src/actors/venues/engine-adapter.js";
import { PaperVenueCore } from "../../src/actors/venues/paper/core.js";
import { bpsFees, constantLatency } from "../../src/actors/venues/paper/models.js";
import { T0 } from "../../bench/order-harness.js";
import { priceRulesOf } from "../../src/model/instruments.js";

/**
 * The adapter against an engine stand-in: real PULL (orders) and PUB (events) sockets bound on loopback,
 * answering in the wire format through the paper venue's matching core.
 */

const logger = pino({ level: "silent" });
const SYMBOL = "ETH-USDC-PERP";
const ETH_PRICES = priceRulesOf("hyperliquid", "perpetual", 0.1, 3);
const basePort = 18_000 + Math.floor(Math.random() * 1500) * 2;
let portOffset = 0;

class EngineStandIn {
  readonly received: string[] = [];
  private pull = new zmq.Pull({ linger: 0 });
  private pub = new zmq.Publisher({ linger: 0 });
  private readonly venue = new PaperVenueCore(
    {
      ...{ venue: "hyperliquid", fees: bpsFees(5, 2.5), latency: constantLatency(0), feeCurrency: () => "USDC" },
      ...{ tscReportTimestamps: true, duplicateCancelReports: true, idPrefix: "00000000000000000007" },
    },
    (f) => {
      this.outbox.push([f.topic, f.payload]);
    },
  );
  private outbox: [string, string][] = [];
  private loop: Promise<void> | undefined;

  constructor(
    readonly ordersPort: number,
    readonly eventsPort: number,
    private readonly answer = true,
  ) {}

  async start(): Promise<void> {
    this.pull = new zmq.Pull({ linger: 0 });
    this.pub = new zmq.Publisher({ linger: 0 });
    await this.pull.bind(`tcp://127.0.0.1:${this.ordersPort}`);
    await this.pub.bind(`tcp://127.0.0.1:${this.eventsPort}`);
    this.venue.onBook(SYMBOL, { bidPx: [2999], bidSz: [10], askPx: [3001, 3002], askSz: [1, 10] }, T0);
    this.loop = (async () => {
      try {
        for await (const [frame] of this.pull) {
          const text = frame.toString();
          this.received.push(text);
          if (!this.answer) continue;
          this.venue.onOrderFrame(text, T0);
          this.venue.advance(T0);
          await this.flush();
        }
      } catch {
        // socket closed
      }
    })();
  }

  async publish(topic: string, payload: string): Promise<void> {
    await this.pub.send([topic, payload]);
  }

  async flush(): Promise<void> {
    for (const msg of this.outbox.splice(0)) await this.pub.send(msg);
  }

  async stop(): Promise<void> {
    this.pull.close();
    this.pub.close();
    await this.loop;
  }
}

function ports(): [number, number] {
  portOffset += 2;
  return [basePort + portOffset, basePort + portOffset + 1];
}

let cloidNo = 0;
function order(over: Partial<PlaceOrder> = {}): PlaceOrder {
  cloidNo++;
  return {
    type: "PlaceOrder",
    clId: `0x${cloidNo.toString(16).padStart(32, "0")}`,
    strategy: "s",
    intentId: `i${cloidNo}`,
    instrument: 1,
    symbol: SYMBOL,
    marketType: "perp",
    side: "buy",
    orderType: "limit",
    tif: "IOC",
    price: 3002,
    size: 1.5,
    reduceOnly: false,
    role: "entry",
    tsNs: T0,
    ...over,
  };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function adapterOn(ordersPort: number, eventsPort: number, extra: { sendHighWaterMark?: number } = {}) {
  const events: VenueEvent[] = [];
  const drops: string[] = [];
  const links: boolean[] = [];
  const sent = { frames: 0 };
  const adapter = new EngineAdapter(
    {
      host: "127.0.0.1",
      ordersPort,
      eventsPort,
      venue: "hyperliquid",
      instrument: (id) => (id === 1 ? { engineSymbol: SYMBOL, lotSize: 0.001, priceRules: ETH_PRICES } : undefined),
      perp: () => ({ marginMode: "cross", leverage: 10 }),
      ...extra,
    },
    logger,
    {
      onEvent: (e) => events.push(e),
      onDrop: (kind, reason) => drops.push(`${kind}:${reason}`),
      onSent: () => sent.frames++,
      onLink: (connected) => links.push(connected),
    },
  );
  adapter.start();
  cleanups.push(() => adapter.stop());
  return { adapter, events, drops, links, sent };
}

/** PUB/SUB joins late: publish a probe until the adapter sees it, so no test event is lost to the join. */
async function waitForSubscription(engine: EngineStandIn, events: VenueEvent[]): Promise<void> {
  const probe = formatExecReport({
    clId: "probe",
    status: "accepted",
    exchangeOrderId: "",
    reasonCode: "ok",
    reasonText: "probe",
    tsNs: 1n,
    tags: {},
  });
  const seen = () => events.some((e) => e.clId === "probe");
  const start = Date.now();
  while (!seen()) {
    if (Date.now() - start > 5000) throw new Error("subscription never joined");
    await engine.publish("exec.report", probe);
    await new Promise((r) => setTimeout(r, 10));
  }
  events.splice(0);
}

describe("engine adapter against an engine stand-in", () => {
  it("places an IOC and receives the accepted report and the fills, exactly parsed", async () => {
    const [op, ep] = ports();
    const engine = new EngineStandIn(op, ep);
    await engine.start();
    cleanups.push(() => engine.stop());
    const { adapter, events } = adapterOn(op, ep);
    await waitForSubscription(engine, events);
    const o = order();
    adapter.rehearsePlace(o); // serialised and thrown away: the engine sees the order once, below
    adapter.place(o);
    await until(() => events.length >= 3);
    expect(engine.received).toHaveLength(1);
    const sent = JSON.parse(engine.received[0]);
    expect(sent).toMatchObject({
      action: "place",
      cl_id: o.clId,
      details: { time_in_force: "IOC", size: 1.5, price: 3002, margin_mode: "cross", leverage: 10 },
      tags: { intent_id: o.intentId },
    });
    expect(engine.received[0]).toContain(`"ts_ns":${T0},`);
    // fully filled across two levels: no terminal report, as on the engine (§2.12)
    expect(events.map((e) => e.type)).toEqual(["OrderAccepted", "OrderFilled", "OrderFilled"]);
    expect(events[0]).toMatchObject({
      clId: o.clId,
      venueTsIsTsc: true,
      exchangeOrderId: "00000000000000000007100000000",
    });
    expect(events[1]).toMatchObject({ price: 3001, size: 1, venueTsNs: T0, venueTsIsTsc: false });
    expect(events[2]).toMatchObject({ price: 3002, size: 0.5 });
  });

  it("tells its owner of each frame sent and of the events link going up and down (engine liveness)", async () => {
    const [op, ep] = ports();
    const engine = new EngineStandIn(op, ep);
    await engine.start();
    const { adapter, events, links, sent } = adapterOn(op, ep);
    await waitForSubscription(engine, events);
    await until(() => links.length === 1); // the socket's events arrive through their own async iterator
    expect(links).toEqual([true]);
    adapter.place(order());
    await until(() => engine.received.length === 1);
    expect(sent.frames).toBe(1);
    await engine.stop();
    await until(() => links.length === 2);
    expect(links).toEqual([true, false]);
  });

  it("a malformed event is a counted drop, and an unserialisable order is rejected locally", async () => {
    const [op, ep] = ports();
    const engine = new EngineStandIn(op, ep);
    await engine.start();
    cleanups.push(() => engine.stop());
    const { adapter, events, drops } = adapterOn(op, ep);
    await waitForSubscription(engine, events);
    await engine.publish("exec.fill", '{"cl_id":"x","exec_id":');
    await until(() => drops.length === 1);
    expect(drops).toEqual(["inbound:bad_json"]);
    adapter.place(order({ instrument: 99, symbol: "NOPE-PERP" }));
    expect(events).toMatchObject([
      {
        type: "OrderRejected",
        reasonCode: "invalid_params",
        reasonText: "leadlag unknown_instrument: no engine instrument for 'NOPE-PERP'",
      },
    ]);
    // An unsnapped price never reaches the wire: refused, counted, rejected locally.
    const unsnapped = order({ side: "sell", price: 3110.2276500000003 });
    adapter.place(unsnapped);
    adapter.place(order({ price: 3002 })); // the next order goes out: the refusal left nothing stuck
    await until(() => engine.received.length === 1);
    expect(JSON.parse(engine.received[0]).details.price).toBe(3002);
    expect(drops).toEqual(["inbound:bad_json", "refused:unknown_instrument", "refused:unsnapped_price"]);
    expect(adapter.stats.refused).toBe(2);
    expect(events[1]).toMatchObject({ type: "OrderRejected", clId: unsnapped.clId, reasonCode: "invalid_params" });
    expect((events[1] as { reasonText: string }).reasonText).toContain("leadlag unsnapped_price: price 3110.22765");
  });

  it("retries at the high-water mark (EAGAIN) without losing or reordering a frame", async () => {
    const [op, ep] = ports();
    const { adapter } = adapterOn(op, ep, { sendHighWaterMark: 2 });
    const sent = Array.from({ length: 300 }, () => order());
    for (const o of sent) adapter.place(o);
    await new Promise((r) => setTimeout(r, 100)); // nobody listening yet: the socket fills and refuses
    expect(adapter.stats.eagainRetries).toBeGreaterThan(0);
    const engine = new EngineStandIn(op, ep, false);
    await engine.start();
    cleanups.push(() => engine.stop());
    await until(() => engine.received.length === sent.length);
    expect(engine.received.map((f) => JSON.parse(f).cl_id)).toEqual(sent.map((o) => o.clId));
    expect(adapter.stats.sent).toBe(300);
  });

  it("after an engine restart the sockets reconnect and a pending order is resolved by a later report", async () => {
    const [op, ep] = ports();
    const engine = new EngineStandIn(op, ep, false);
    await engine.start();
    const { adapter, events } = adapterOn(op, ep);
    await waitForSubscription(engine, events);
    const pending = order({ tif: "GTC", price: 2990 });
    adapter.place(pending);
    await until(() => engine.received.length === 1);
    await engine.stop(); // engine dies before answering

    const restarted = new EngineStandIn(op, ep);
    await restarted.start();
    cleanups.push(() => restarted.stop());
    await waitForSubscription(restarted, events);
    // HL orderUpdates for an order the restarted engine does not know: canceled with venue tags only (§2.9)
    await restarted.publish(
      "exec.report",
      formatExecReport({
        clId: pending.clId,
        status: "canceled",
        exchangeOrderId: "",
        reasonCode: "ok",
        reasonText: "Order cancelled",
        tsNs: T0,
        tags: { venue: "hyperliquid" },
      }),
    );
    await until(() => events.some((e) => e.clId === pending.clId));
    expect(events.find((e) => e.clId === pending.clId)).toMatchObject({ type: "OrderCanceled" });
    // and new orders flow again
    adapter.place(order());
    await until(() => restarted.received.length === 1);
  });
});
