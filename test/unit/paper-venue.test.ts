import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PlaceOrder } from "../../src/protocol/orders.js";
import { parseEngineEvent, serializeCancel, serializePlace, toVenueEvent } from "../../src/protocol/wire/engine.js";
import type { EngineFrame } from "../../src/actors/venues/paper/core.js";
import { incarnationIdPrefix, PaperVenueCore } from "../../src/actors/venues/paper/core.js";
import { bpsFees, constantLatency } from "../../src/actors/venues/paper/models.js";
import { MS, OrderHarness, T0 } from "../../bench/order-harness.js";
import { priceRulesOf } from "../../src/model/instruments.js";

const SYMBOL = "ETH-USDC-PERP";
const ETH_PRICES = priceRulesOf("hyperliquid", "perpetual", 0.01, 3);
const book = { bidPx: [2999, 2998, 2997], bidSz: [1, 2, 3], askPx: [3001, 3002, 3003], askSz: [0.5, 1, 2] };
/** This incarnation's id prefix, as `incarnationIdPrefix` makes it from 8 random bytes. */
const PREFIX = "00000000000000000042";

function venue(latencyMs = 0, duplicateCancelReports = true, idPrefix = PREFIX) {
  const frames: EngineFrame[] = [];
  const core = new PaperVenueCore(
    {
      ...{ venue: "hyperliquid", fees: bpsFees(5, 2.5), latency: constantLatency(latencyMs) },
      feeCurrency: () => "USDC",
      ...{ tscReportTimestamps: true, duplicateCancelReports, idPrefix },
    },
    (f) => frames.push(f),
  );
  core.onBook(SYMBOL, book, T0);
  const events = () => frames.map((f) => parseEngineEvent(f.topic, f.payload)).map((r) => (r.ok ? r.event : r.error));
  return { core, frames, events };
}

let seq = 0;
function placeFrame(over: Partial<PlaceOrder> = {}): { clId: string; frame: string } {
  seq += 1;
  const clId = `0x${seq.toString(16).padStart(32, "0")}`;
  const order: PlaceOrder = {
    type: "PlaceOrder",
    clId,
    strategy: "s",
    intentId: `i${seq}`,
    instrument: 1,
    symbol: SYMBOL,
    marketType: "perp",
    side: "buy",
    orderType: "limit",
    tif: "IOC",
    price: 3002,
    size: 1,
    reduceOnly: false,
    role: "entry",
    tsNs: T0,
    ...over,
  };
  const r = serializePlace(order, {
    venue: "hyperliquid",
    engineSymbol: SYMBOL,
    lotSize: 0.001,
    priceRules: ETH_PRICES,
  });
  if (!r.ok) throw new Error(r.error.detail);
  return { clId, frame: r.frame };
}

describe("paper venue", () => {
  it("IOC walks the levels up to its price, then cancels the remainder (§2.12)", () => {
    const { core, events } = venue();
    const { clId, frame } = placeFrame({ price: 3002, size: 2 });
    core.onOrderFrame(frame, T0);
    core.advance(T0);
    expect(events()).toMatchObject([
      { kind: "report", clId, status: "accepted", exchangeOrderId: `${PREFIX}100000000`, tsIsTsc: true },
      {
        kind: "fill",
        clId,
        price: 3001,
        size: 0.5,
        liquidity: "taker",
        feeAmount: (3001 * 0.5 * 5) / 10_000,
        tsIsTsc: false,
        tags: { intent_id: expect.any(String), execution_type: "live", venue: "hyperliquid" },
      },
      { kind: "fill", clId, price: 3002, size: 1, liquidity: "taker" },
      { kind: "report", clId, status: "canceled", reasonText: "Order cancelled" },
    ]);
  });

  it("IOC that fills completely gets no terminal report, and the liquidity it took is gone", () => {
    const { core, events } = venue();
    core.onOrderFrame(placeFrame({ price: 3001, size: 0.5 }).frame, T0);
    core.onOrderFrame(placeFrame({ price: 3001, size: 0.5 }).frame, T0);
    core.advance(T0);
    expect(events().map((e) => ("status" in e ? e.status : "kind" in e ? e.kind : e.reason))).toEqual([
      "accepted",
      "fill",
      "accepted",
      "rejected",
    ]);
    expect(events()[2]).toMatchObject({ exchangeOrderId: "" }); // no liquidity: accepted without oid, then rejected
    expect(events()[3]).toMatchObject({ reasonCode: "venue_reject", reasonText: "iocCancelRejected" });
  });

  it("GTC rests and fills as maker at its own price when the book crosses it", () => {
    const { core, events } = venue();
    const { clId, frame } = placeFrame({ tif: "GTC", price: 2995, size: 1 });
    core.onOrderFrame(frame, T0);
    core.advance(T0);
    expect(core.openOrderCount()).toBe(1);
    core.onBook(SYMBOL, { bidPx: [2993], bidSz: [5], askPx: [2994, 2996], askSz: [0.3, 5] }, T0 + 5n * MS);
    expect(events().slice(1)).toMatchObject([
      { kind: "fill", clId, price: 2995, size: 0.3, liquidity: "maker", feeAmount: (2995 * 0.3 * 2.5) / 10_000 },
    ]);
    core.onBook(SYMBOL, { bidPx: [2990], bidSz: [5], askPx: [2991], askSz: [5] }, T0 + 6n * MS);
    expect(events().at(-1)).toMatchObject({ kind: "fill", size: 0.7 });
    expect(core.openOrderCount()).toBe(0);
  });

  it("a post-only order that would cross is rejected as post_only_violation", () => {
    const { core, events } = venue();
    core.onOrderFrame(placeFrame({ tif: "PO", price: 3001 }).frame, T0);
    core.advance(T0);
    expect(events()).toMatchObject([{ status: "rejected", reasonCode: "post_only_violation" }]);
  });

  it("reduce-only: capped at the position it reduces, rejected once there is none (reduceOnlyRejected)", () => {
    const { core, events } = venue();
    core.onOrderFrame(placeFrame({ price: 3001, size: 0.5 }).frame, T0);
    const exit = placeFrame({ side: "sell", price: 2997, size: 2, reduceOnly: true, role: "exit" });
    core.onOrderFrame(exit.frame, T0);
    const late = placeFrame({ side: "sell", price: 2997, size: 1, reduceOnly: true, role: "exit" });
    core.onOrderFrame(late.frame, T0);
    core.advance(T0);
    expect(events().slice(2)).toMatchObject([
      { kind: "report", clId: exit.clId, status: "accepted" },
      { kind: "fill", clId: exit.clId, side: "sell", price: 2999, size: 0.5 },
      { kind: "report", clId: exit.clId, status: "canceled" },
      { kind: "report", clId: late.clId, status: "accepted", exchangeOrderId: "" },
      {
        kind: "report",
        clId: late.clId,
        status: "rejected",
        reasonCode: "invalid_params",
        reasonText: "reduceOnlyRejected",
      },
    ]);
    expect(core.positionOf(SYMBOL)).toBe(0);
  });

  it("reduce-only: a resting order is canceled once the position it would reduce is gone", () => {
    const { core, events } = venue();
    core.onOrderFrame(placeFrame({ price: 3001, size: 0.5 }).frame, T0);
    const resting = placeFrame({ side: "sell", tif: "GTC", price: 3010, size: 0.5, reduceOnly: true, role: "exit" });
    core.onOrderFrame(resting.frame, T0);
    core.onOrderFrame(placeFrame({ side: "sell", price: 2999, size: 0.5, role: "exit" }).frame, T0);
    core.advance(T0);
    core.onBook(SYMBOL, { ...book, bidPx: [3011, 3010], bidSz: [5, 5] }, T0 + MS);
    expect(events().at(-1)).toMatchObject({
      kind: "report",
      clId: resting.clId,
      status: "canceled",
      reasonText: "reduceOnlyCanceled",
    });
    expect(core.openOrderCount()).toBe(0);
  });

  it("reduce-only on a symbol this venue has not filled since it started is not checked", () => {
    const { core, events } = venue();
    core.onOrderFrame(placeFrame({ side: "sell", price: 2999, size: 0.5, reduceOnly: true, role: "exit" }).frame, T0);
    core.advance(T0);
    expect(events().map((e) => ("kind" in e ? e.kind : e.reason))).toEqual(["report", "fill"]);
  });

  it("reduce-only on a restarted venue is checked against the position the order manager seeded", () => {
    const { core, events } = venue();
    core.seedPosition(SYMBOL, 0.3);
    core.seedPosition(SYMBOL, 5); // the venue has one now: a later seed does not replace it
    const exit = placeFrame({ side: "sell", price: 2999, size: 0.5, reduceOnly: true, role: "exit" });
    core.onOrderFrame(exit.frame, T0);
    core.onOrderFrame(placeFrame({ side: "sell", price: 2999, size: 0.5, reduceOnly: true, role: "exit" }).frame, T0);
    core.advance(T0);
    expect(events()).toMatchObject([
      { clId: exit.clId, status: "accepted" },
      { kind: "fill", clId: exit.clId, size: 0.3 },
      { clId: exit.clId, status: "canceled" },
      { status: "accepted" },
      { status: "rejected", reasonText: "reduceOnlyRejected" },
    ]);
    expect(core.positionOf(SYMBOL)).toBe(0);
  });

  it("an open order it does not hold is canceled as lost; resting, in-flight and processed ones are not", () => {
    const { core, events } = venue(5);
    const resting = placeFrame({ tif: "GTC", price: 2990 });
    const filled = placeFrame({ price: 3001, size: 0.5 });
    core.onOrderFrame(resting.frame, T0);
    core.onOrderFrame(filled.frame, T0);
    core.advance(T0 + 5n * MS);
    const inFlight = placeFrame({ tif: "GTC", price: 2991 });
    core.onOrderFrame(inFlight.frame, T0 + 6n * MS);
    const before = events().length;
    const lostId = "0x0000000000000000000000000000abcd";
    for (const clId of [resting.clId, filled.clId, inFlight.clId])
      expect(core.resolveLost({ clId, intentId: "i" }, T0 + 7n * MS)).toBe(false);
    expect(core.resolveLost({ clId: lostId, intentId: "lost-intent" }, T0 + 7n * MS)).toBe(true);
    expect(core.resolveLost({ clId: lostId, intentId: "lost-intent" }, T0 + 8n * MS)).toBe(false); // once
    expect(events().slice(before)).toEqual([
      expect.objectContaining({
        kind: "report",
        clId: lostId,
        status: "canceled",
        reasonText: "venue restarted: order lost",
        tags: { intent_id: "lost-intent", venue: "hyperliquid" },
      }),
    ]);
  });

  it("a graceful restart hands over resting orders, positions, orders in flight and the id counters", () => {
    const first = venue(5);
    first.core.onOrderFrame(placeFrame({ price: 3001, size: 0.5 }).frame, T0);
    const resting = placeFrame({ side: "sell", tif: "GTC", price: 3010, size: 0.5, reduceOnly: true, role: "exit" });
    first.core.onOrderFrame(resting.frame, T0);
    first.core.advance(T0 + 5n * MS);
    const inFlight = placeFrame({ price: 3002, size: 1 });
    first.core.onOrderFrame(inFlight.frame, T0 + 6n * MS);

    const frames: EngineFrame[] = [];
    const next = new PaperVenueCore(
      {
        ...{ venue: "hyperliquid", fees: bpsFees(5, 2.5), latency: constantLatency(5), feeCurrency: () => "USDC" },
        // a graceful restart keeps the incarnation's ids: the prefix given here is not used
        ...{ tscReportTimestamps: true, duplicateCancelReports: true, idPrefix: "99999999999999999999" },
      },
      (f) => frames.push(f),
      first.core.state(),
    );
    expect(next.positionOf(SYMBOL)).toBe(0.5);
    expect(next.resolveLost({ clId: resting.clId, intentId: "i" }, T0 + 7n * MS)).toBe(false);
    next.onBook(SYMBOL, book, T0 + 7n * MS); // books are not handed over: the feed's next one comes first
    next.onBook(SYMBOL, { ...book, bidPx: [3011, 3010], bidSz: [5, 5] }, T0 + 20n * MS);
    const events = frames.map((f) => parseEngineEvent(f.topic, f.payload)).map((r) => (r.ok ? r.event : r.error));
    expect(events).toMatchObject([
      { clId: inFlight.clId, status: "accepted", exchangeOrderId: `${PREFIX}100000002` },
      { kind: "fill", clId: inFlight.clId, price: 3001, size: 0.5, execId: `${PREFIX}500000001` },
      { kind: "fill", clId: inFlight.clId, price: 3002, size: 0.5, execId: `${PREFIX}500000002` },
      { kind: "fill", clId: resting.clId, price: 3010, size: 0.5, liquidity: "maker", execId: `${PREFIX}500000003` },
    ]);
    expect(next.openOrderCount()).toBe(0);
  });

  it("numbers order and exec ids apart from every other incarnation's (a crash, a stop and start, kill -9)", () => {
    const idsOf = (idPrefix: string) => {
      const { core, events } = venue(0, true, idPrefix);
      for (let i = 0; i < 3; i++) {
        core.onBook(SYMBOL, book, T0 + BigInt(i) * MS);
        core.onOrderFrame(placeFrame({ price: 3001, size: 0.5 }).frame, T0 + BigInt(i) * MS);
        core.advance(T0 + BigInt(i) * MS);
      }
      const all = events();
      const reports = all.flatMap((e) => ("kind" in e && e.kind === "report" ? [e] : []));
      const oids = reports.flatMap((e) => (e.exchangeOrderId !== "" ? [e.exchangeOrderId] : []));
      const execIds = all.flatMap((e) => ("kind" in e && e.kind === "fill" ? [e.execId] : []));
      return { oids, execIds };
    };
    // Each incarnation of the actor draws its prefix from 8 fresh random bytes (below), whatever its data dir holds.
    const first = idsOf("00000000000000000001");
    const second = idsOf("12345678901234567890");
    expect(first.execIds).toHaveLength(3);
    expect(first.oids).toHaveLength(3);
    expect(new Set([...first.execIds, ...second.execIds]).size).toBe(6);
    expect(new Set([...first.oids, ...second.oids]).size).toBe(6);
    // decimal, like the engine's Hyperliquid ids
    for (const id of [...first.execIds, ...first.oids]) expect(id).toMatch(/^[0-9]{29}$/);
  });

  it("makes a fixed-width decimal prefix from 8 random bytes, so prefix and counter never run into each other", () => {
    expect(incarnationIdPrefix(new Uint8Array(8))).toBe("00000000000000000000");
    expect(incarnationIdPrefix(new Uint8Array(8).fill(255))).toBe("18446744073709551615");
    expect(() => incarnationIdPrefix(new Uint8Array(4))).toThrow(/8 bytes/);
    expect(incarnationIdPrefix(randomBytes(8))).not.toBe(incarnationIdPrefix(randomBytes(8)));
    const eightBytes = fc.uint8Array({ minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(eightBytes, eightBytes, (a, b) => {
        const [pa, pb] = [incarnationIdPrefix(a), incarnationIdPrefix(b)];
        expect(pa).toMatch(/^[0-9]{20}$/);
        expect(pa === pb).toBe(Buffer.from(a).equals(Buffer.from(b)));
      }),
    );
  });

  it("cancel: accepted for the request, canceled for the order, then the duplicate canceled", () => {
    const { core, events } = venue();
    const { clId, frame } = placeFrame({ tif: "GTC", price: 2990 });
    core.onOrderFrame(frame, T0);
    const cancelId = "0x000000000000000000000000000000ff";
    const c = serializeCancel(
      {
        type: "CancelOrder",
        clId: cancelId,
        clIdToCancel: clId,
        intentId: "i",
        instrument: 1,
        symbol: SYMBOL,
        marketType: "perp",
        exchangeOrderId: "",
        tsNs: T0,
      },
      { venue: "hyperliquid", engineSymbol: SYMBOL },
    );
    core.onOrderFrame(c.ok ? c.frame : "", T0);
    core.advance(T0);
    expect(events()).toMatchObject([
      { clId, status: "accepted" },
      { clId: cancelId, status: "accepted" },
      { clId, status: "canceled", reasonText: "Cancel accepted", exchangeOrderId: "" },
      { clId, status: "canceled", reasonText: "Order cancelled", tags: { venue: "hyperliquid" } },
    ]);
  });

  it("latency is a timestamp shift: nothing happens before sent + latency", () => {
    const { core, frames } = venue(5);
    core.onOrderFrame(placeFrame({ size: 0.1 }).frame, T0);
    core.advance(T0 + 4n * MS);
    expect(frames).toHaveLength(0);
    core.advance(T0 + 5n * MS);
    expect(frames.map((f) => f.topic)).toEqual(["exec.report", "exec.fill"]);
  });

  it("drops fills of an order without tags.intent_id, as the engine does", () => {
    const { core, events } = venue();
    const frame = placeFrame({ size: 0.1 }).frame.replace(/"intent_id":"[^"]*",/, "");
    core.onOrderFrame(frame, T0);
    core.advance(T0);
    expect(events()).toMatchObject([{ status: "accepted" }]);
  });

  it("downstream sees the same thing as live: the order manager books a paper IOC to the right position", () => {
    const { core, frames } = venue();
    const h = new OrderHarness();
    const clId = h.submit({ symbol: SYMBOL, price: 3002, size: 2 });
    const place = h.outputs.find((o) => o.type === "PlaceOrder");
    if (place?.type !== "PlaceOrder") throw new Error("no PlaceOrder");
    const r = serializePlace(place, {
      venue: "hyperliquid",
      engineSymbol: SYMBOL,
      lotSize: 0.001,
      priceRules: ETH_PRICES,
    });
    core.onOrderFrame(r.ok ? r.frame : "", T0);
    core.advance(T0);
    for (const f of frames) {
      const parsed = parseEngineEvent(f.topic, f.payload);
      const event = parsed.ok ? toVenueEvent(parsed.event, T0 + MS) : undefined;
      if (event) h.venue(event);
    }
    expect(h.core.order(clId)).toMatchObject({ status: "canceled", filledSize: 1.5 });
    expect(h.core.ledger.position(SYMBOL)?.qty).toBe(1.5);
    expect(h.core.ledger.position(SYMBOL)?.avgPrice).toBeCloseTo((3001 * 0.5 + 3002) / 1.5, 9);
    expect(h.anomalies).toEqual([]);
  });
});
