import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CLOID_PATTERN } from "../../src/protocol/wire/engine.js";
import { CloidGenerator } from "../../src/actors/orders/cloid.js";
import {
  ORDER_STATUSES,
  ORDER_TRIGGERS,
  TERMINAL_STATUSES,
  TRANSITIONS,
  transition,
} from "../../src/actors/orders/state-machine.js";
import { fillAnomalyKind, noFillAnomalies, ordersHealth, ordersStatus } from "../../src/actors/orders/status.js";
import type { OrderStatus } from "../../src/protocol/orders.js";
import {
  MS,
  T0,
  OrderHarness,
  accepted,
  canceled,
  filled,
  newOrderManager,
  rejected,
  submitOrder,
} from "../../bench/order-harness.js";

describe("order state table", () => {
  it("every transition target is a known status and terminal states never reopen", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ORDER_STATUSES), fc.constantFrom(...ORDER_TRIGGERS), (status, trigger) => {
        const r = transition(status, trigger);
        if (r.kind === "changed") {
          expect(ORDER_STATUSES).toContain(r.to);
          // canceled → filled is the only exit from a terminal state: a late fill completing a canceled order
          if (TERMINAL_STATUSES.has(status)) expect([status, r.to]).toEqual(["canceled", "filled"]);
        }
        if (r.kind === "illegal") expect(TRANSITIONS[status][trigger]).toBeUndefined();
      }),
    );
  });

  it("any trigger sequence stays in known states and a second `canceled` never changes anything", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ORDER_TRIGGERS), { maxLength: 30 }), (triggers) => {
        let status = ORDER_STATUSES[0];
        for (const trigger of triggers) {
          const r = transition(status, trigger);
          if (r.kind === "changed") status = r.to;
          expect(ORDER_STATUSES).toContain(status);
          if (trigger === "canceled" && r.kind !== "illegal")
            expect(transition(status, "canceled").kind).toBe("unchanged");
        }
      }),
    );
  });

  it("the deadline leaves no order waiting: after any reports, the deadline step ends terminal or `unknown`", () => {
    // What `onTimer` journals at the deadline: no ack yet → ack_timeout (then a reconciling cancel); acknowledged
    // or filled but still open → deadline (an order that cannot rest); `unknown` waits for the cancel's answer.
    const venueTriggers = ORDER_TRIGGERS.filter((t) => t !== "ack_timeout" && t !== "deadline");
    const deadlineStep = (status: OrderStatus) => (status === "pending_new" ? "ack_timeout" : "deadline");
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...venueTriggers), { maxLength: 12 }), (triggers) => {
        let status = ORDER_STATUSES[0];
        for (const trigger of triggers) {
          const r = transition(status, trigger);
          if (r.kind === "changed") status = r.to;
        }
        const r = transition(status, deadlineStep(status));
        expect(r.kind).not.toBe("illegal");
        const after = r.kind === "changed" ? r.to : status;
        expect(TERMINAL_STATUSES.has(after) || after === "unknown").toBe(true);
        // the reconciling cancel's answer ends an unknown order
        if (after === "unknown") expect(transition(after, "canceled")).toMatchObject({ to: "canceled" });
      }),
    );
    const closed = { kind: "changed", to: "canceled" };
    expect(transition("partially_filled", "deadline")).toEqual({ ...closed, from: "partially_filled" });
    expect(transition("accepted", "deadline")).toEqual({ ...closed, from: "accepted" });
    for (const status of TERMINAL_STATUSES) expect(transition(status, "deadline").kind).toBe("unchanged");
  });

  it("a fill that completes the order reaches `filled` from every open state", () => {
    for (const status of ORDER_STATUSES.filter((s) => !TERMINAL_STATUSES.has(s))) {
      expect(transition(status, "fill_complete")).toEqual({ kind: "changed", from: status, to: "filled" });
    }
  });
});

describe("cloid generator", () => {
  it("makes unique engine-valid cloids across sessions", () => {
    const a = new CloidGenerator("0123456789abcdef");
    const b = new CloidGenerator("fedcba9876543210");
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) for (const id of [a.next(), b.next()]) ids.add(id);
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(CLOID_PATTERN);
  });
});

describe("order manager rehearsal", () => {
  it(
    "decides a submission as onSubmit does, under a placeholder cloid, and a manager that rehearses journals " +
      "exactly what one that does not does",
    () => {
      const plain = new OrderHarness();
      const rehearsing = new OrderHarness();
      for (const h of [plain, rehearsing]) h.balance("USDC", 1_000_000);
      const big = submitOrder({ size: 1000, price: 100_000 });
      const rehearsedBig = rehearsing.core.rehearseSubmit(big, T0);
      expect(rehearsedBig).toEqual(plain.core.onSubmit(big, T0));
      expect(rehearsedBig.ok).toBe(false);
      const steps = (h: OrderHarness, rehearse: boolean) => {
        const submit = (over: Parameters<typeof submitOrder>[0]) => {
          if (rehearse) {
            const rehearsed = h.core.rehearseSubmit(submitOrder(over), T0);
            expect(rehearsed.ok && rehearsed.event.clId).toBe("rehearsal");
          }
          return h.submit(over);
        };
        const a = submit({ size: 1 });
        h.venue(accepted(a));
        h.venue(filled(a, "e1", 1, 100_000));
        const b = submit({ side: "sell", size: 1, intentId: "ll-2" });
        h.venue(rejected(b));
      };
      steps(plain, false);
      steps(rehearsing, true);
      expect(rehearsing.journal).toEqual(plain.journal);
      expect(rehearsing.outputs).toEqual(plain.outputs);
      const next = submitOrder({ intentId: "ll-3" });
      const rehearsed = rehearsing.core.rehearseSubmit(next, T0 + MS);
      const real = rehearsing.core.onSubmit(next, T0 + MS);
      expect(rehearsed.ok && real.ok && { ...rehearsed.event, clId: real.event.clId }).toEqual(real.ok && real.event);
    },
  );
});

describe("order manager outputs", () => {
  it(
    "sends a submission to the venue before telling anyone else: the venue's command first, then the reservation," +
      " then the status",
    () => {
      const h = new OrderHarness();
      h.balance("USDC", 10_000);
      const before = h.outputs.length;
      const id = h.submit({ size: 1 });
      expect(h.outputs.slice(before).map((o) => o.type)).toEqual([
        "PlaceOrder",
        "AccountUpdated",
        "OrderStatusChanged",
      ]);
      expect(h.outputs[before]).toMatchObject({ type: "PlaceOrder", clId: id });
    },
  );
});

describe("order manager against the engine's sequences (wire doc §2.12)", () => {
  it("IOC full fill: accepted then fills, no terminal report, completion from cumulative size", () => {
    const h = new OrderHarness();
    h.balance("USDC", 10_000);
    const id = h.submit({ size: 1 });
    h.venue(accepted(id));
    h.venue(filled(id, "t1", 0.4));
    expect(h.core.order(id)?.status).toBe("partially_filled");
    h.venue(filled(id, "t2", 0.6, 3010));
    const order = h.core.order(id);
    expect(order?.status).toBe("filled");
    expect(order?.filledSize).toBeCloseTo(1, 12);
    expect(order?.avgFillPrice).toBeCloseTo(3006, 9);
    expect(h.core.ledger.position("ETH-USDC-PERP")?.qty).toBeCloseTo(1, 12);
    // margin: the reservation (3000/10) is released, the position holds 3006/10
    expect(h.core.ledger.balance("USDC")).toEqual({ total: 10_000 - 1, locked: expect.closeTo(300.6, 9) });
    expect(h.anomalies).toEqual([]);
  });

  it("IOC partial then canceled: canceled with the filled part booked and the rest released", () => {
    const h = new OrderHarness();
    h.balance("USDC", 10_000);
    const id = h.submit({ size: 2 });
    h.venue(accepted(id));
    h.venue(filled(id, "t1", 0.5));
    h.venue(canceled(id));
    expect(h.core.order(id)).toMatchObject({ status: "canceled", filledSize: 0.5 });
    expect(h.core.ledger.balance("USDC").locked).toBeCloseTo(150, 9);
    expect(h.core.openOrders()).toEqual([]);
  });

  it("GTC: accepted with oid, rests, fills later", () => {
    const h = new OrderHarness();
    h.balance("USDC", 10_000);
    const id = h.submit({ tif: "GTC", size: 1 });
    h.venue(accepted(id, "777"));
    h.timer(T0 + 5000n * MS); // past the IOC timeout but inside GTC's: nothing happens
    expect(h.core.order(id)).toMatchObject({ status: "accepted", exchangeOrderId: "777" });
    h.venue(filled(id, "t1", 1, 2990, { liquidity: "maker", feeAmount: -0.1 }));
    expect(h.core.order(id)?.status).toBe("filled");
    expect(h.core.ledger.balance("USDC").total).toBeCloseTo(10_000.1, 9);
  });

  it("rejected: a single report ends the order and releases the margin", () => {
    const h = new OrderHarness();
    h.balance("USDC", 10_000);
    const id = h.submit();
    h.venue(rejected(id));
    expect(h.core.order(id)).toMatchObject({
      status: "rejected",
      lastReason: "invalid_params: Price required for limit orders",
    });
    expect(h.core.ledger.balance("USDC")).toEqual({ total: 10_000, locked: 0 });
  });

  it("cancel: accepted for the request, canceled for the order, a second canceled changes nothing", () => {
    const h = new OrderHarness();
    h.balance("USDC", 10_000);
    const id = h.submit({ tif: "GTC" });
    h.venue(accepted(id));
    const [cancelId] = h.cancel(id);
    expect(h.outputs.at(-1)).toMatchObject({
      type: "CancelOrder",
      clId: cancelId,
      clIdToCancel: id,
      exchangeOrderId: "48213412345",
    });
    h.venue(accepted(cancelId, ""));
    h.venue(canceled(id, "Cancel accepted"));
    const outputsAfterFirst = h.outputs.length;
    h.venue(canceled(id, "Order cancelled"));
    expect(h.core.order(id)?.status).toBe("canceled");
    expect(h.outputs.length).toBe(outputsAfterFirst);
    expect(h.anomalies).toEqual([]);
    expect(h.core.ledger.balance("USDC").locked).toBe(0);
  });

  it("a rejected cancel request leaves the order open and cancellable again", () => {
    const h = new OrderHarness();
    const id = h.submit({ tif: "GTC" });
    h.venue(accepted(id));
    const [cancelId] = h.cancel(id);
    h.venue(rejected(cancelId, "venue_reject"));
    expect(h.core.order(id)).toMatchObject({ status: "accepted", cancelClId: "" });
    expect(h.anomalies).toEqual([
      { kind: "cancel_rejected", clId: id, reason: "venue_reject: Price required for limit orders" },
    ]);
    expect(h.cancel(id)).toHaveLength(1);
  });

  it("accepted without an oid, then the oid arrives with the fill", () => {
    const h = new OrderHarness();
    const id = h.submit();
    h.venue(accepted(id, ""));
    expect(h.core.order(id)).toMatchObject({ status: "accepted", exchangeOrderId: "" });
    h.venue(filled(id, "t1", 1));
    expect(h.core.order(id)).toMatchObject({ status: "filled", exchangeOrderId: "48213412345" });
  });

  it("accepted without an oid then rejected by orderUpdates ends rejected", () => {
    const h = new OrderHarness();
    const id = h.submit();
    h.venue(accepted(id, ""));
    h.venue(rejected(id, "venue_reject"));
    expect(h.core.order(id)?.status).toBe("rejected");
  });

  it("duplicate fills by exec id are booked once", () => {
    const h = new OrderHarness();
    h.balance("USDC", 10_000);
    const id = h.submit({ size: 1 });
    h.venue(accepted(id));
    h.venue(filled(id, "t1", 0.5));
    h.venue(filled(id, "t1", 0.5));
    expect(h.core.order(id)).toMatchObject({ status: "partially_filled", filledSize: 0.5 });
    expect(h.core.ledger.position("ETH-USDC-PERP")?.qty).toBe(0.5);
    // the repeated fill was not even journaled
    expect(h.journal.filter((j) => j.event.type === "OrderFilled")).toHaveLength(1);
  });

  it("fills before the ack: the ack arriving afterwards keeps the order filled", () => {
    const h = new OrderHarness();
    const id = h.submit({ size: 1 });
    h.venue(filled(id, "t1", 1));
    h.venue(accepted(id));
    expect(h.core.order(id)?.status).toBe("filled");
    expect(h.anomalies).toEqual([]);
  });

  it("no ack within the IOC timeout: unknown, then resolved by a late report", () => {
    const h = new OrderHarness();
    const id = h.submit({ tif: "IOC" });
    h.timer(T0 + 2999n * MS);
    expect(h.core.order(id)?.status).toBe("pending_new");
    h.timer(T0 + 3000n * MS);
    expect(h.core.order(id)?.status).toBe("unknown");
    h.timer(T0 + 9000n * MS); // not timed out twice
    expect(h.journal.filter((j) => j.event.type === "OrderAckTimedOut")).toHaveLength(1);
    h.venue(canceled(id));
    expect(h.core.order(id)?.status).toBe("canceled");
  });

  it("the engine's synthetic canceled for an order that already filled changes nothing", () => {
    const h = new OrderHarness();
    const id = h.submit({ size: 1 });
    h.venue(accepted(id));
    h.venue(filled(id, "t1", 1));
    h.venue(canceled(id, "Cancel idempotent: order missing"));
    expect(h.core.order(id)?.status).toBe("filled");
    expect(h.anomalies).toEqual([]);
  });

  it("a fill beyond the order size (a batched order reported twice) is not booked", () => {
    const h = new OrderHarness();
    const id = h.submit({ size: 1, tif: "GTC" });
    h.venue(filled(id, "48213412345", 1, 3000, { feeAmount: 0 }));
    h.venue(filled(id, "t99", 1));
    expect(h.core.ledger.position("ETH-USDC-PERP")?.qty).toBe(1);
    expect(h.anomalies).toEqual([{ kind: "overfill", clId: id, execId: "t99", filled: 2, size: 1 }]);
  });

  it("a replayed journal entry (same sequence) changes nothing", () => {
    const h = new OrderHarness();
    const id = h.submit({ size: 1 });
    h.venue(filled(id, "t1", 1));
    const last = h.journal.at(-1);
    if (!last) throw new Error("empty journal");
    expect(h.core.apply(last.event, last.seq)).toEqual({
      outputs: [],
      anomalies: [{ kind: "replayed_event", seq: last.seq }],
    });
    expect(h.core.ledger.position("ETH-USDC-PERP")?.qty).toBe(1);
  });

  it("refuses a spot buy the free quote balance cannot cover", () => {
    const core = newOrderManager();
    const decision = core.onSubmit(
      {
        type: "SubmitOrder",
        strategy: "s",
        intentId: "i",
        instrument: 2,
        symbol: "BTC-USDT",
        marketType: "spot",
        side: "buy",
        orderType: "limit",
        tif: "GTC",
        price: 90_000,
        size: 1,
        reduceOnly: false,
        role: "entry",
        decision: "approved",
        reason: "",
        tsNs: T0,
      },
      T0,
    );
    expect(decision).toEqual({ ok: false, reason: "insufficient_balance", detail: "needs 90000 USDT, free 0" });
  });

  it("spot: funds locked on submit, fees in base, position and realised PnL", () => {
    const h = new OrderHarness();
    h.balance("USDT", 100_000);
    const buy = h.submit({ symbol: "BTC-USDT", marketType: "spot", price: 90_000, size: 1, tif: "GTC" });
    expect(h.core.ledger.balance("USDT")).toEqual({ total: 100_000, locked: 90_000 });
    h.venue(filled(buy, "b1", 1, 89_000, { venueSymbol: "BTC-USDT", feeCurrency: "BTC", feeAmount: 0.001 }));
    expect(h.core.ledger.balance("USDT")).toEqual({ total: 11_000, locked: 0 });
    expect(h.core.ledger.balance("BTC").total).toBeCloseTo(0.999, 12);
    const sell = h.submit({
      symbol: "BTC-USDT",
      marketType: "spot",
      side: "sell",
      price: 91_000,
      size: 0.5,
      tif: "GTC",
    });
    expect(h.core.ledger.balance("BTC").locked).toBe(0.5);
    h.venue(
      filled(sell, "s1", 0.5, 91_000, { venueSymbol: "BTC-USDT", side: "sell", feeCurrency: "USDT", feeAmount: 4.55 }),
    );
    const p = h.core.ledger.position("BTC-USDT");
    expect(p).toMatchObject({ qty: 0.5, avgPrice: 89_000, realizedPnl: 1000 });
    expect(p?.fees).toBeCloseTo(89 + 4.55, 9);
    expect(h.core.ledger.balance("USDT").total).toBeCloseTo(11_000 + 45_500 - 4.55, 6);
    expect(
      h.core.ledger.equity(new Map([["BTC-USDT", 92_000]]), [
        { symbol: "BTC-USDT", marketType: "spot", base: "BTC", quote: "USDT", leverage: 1 },
      ]),
    ).toBeCloseTo(10_000 + 56_495.45 + 0.499 * 92_000, 6); // + the harness's 10,000 USDC;
  });

  it("perps: short, realised PnL on the cover, unrealised at the mark", () => {
    const h = new OrderHarness();
    h.balance("USDC", 1_000);
    const s = h.submit({ side: "sell", size: 2, price: 3000 });
    h.venue(filled(s, "a", 2, 3000, { side: "sell", feeAmount: 0 }));
    const c = h.submit({ side: "buy", size: 1, price: 2900, reduceOnly: true });
    h.venue(filled(c, "b", 1, 2900, { feeAmount: 0 }));
    expect(h.core.ledger.position("ETH-USDC-PERP")).toMatchObject({ qty: -1, avgPrice: 3000, realizedPnl: 100 });
    expect(h.core.ledger.balance("USDC")).toEqual({ total: 1_100, locked: 300 });
    expect(h.core.ledger.unrealizedPnl("ETH-USDC-PERP", 2950)).toBe(50);
    expect(h.core.ledger.equity(new Map([["ETH-USDC-PERP", 2950]]))).toBe(1_150);
  });
});

describe("fill identity: dedup by (order, exec id)", () => {
  it("a fill under an exec id another order already used is booked to its own order and flagged as a collision", () => {
    const h = new OrderHarness();
    h.balance("USDC", 10_000);
    const first = h.submit({ size: 1 });
    h.venue(accepted(first, "100000000"));
    h.venue(filled(first, "500000000", 1));
    // A restarted paper venue used to number again from the same constants: same exec id, another order.
    const second = h.submit({ size: 1, intentId: "ll-2" });
    h.venue(accepted(second, "100000000"));
    h.venue(filled(second, "500000000", 1, 3010));
    expect(h.core.order(second)).toMatchObject({ status: "filled", filledSize: 1, avgFillPrice: 3010 });
    expect(h.core.ledger.position("ETH-USDC-PERP")).toMatchObject({ qty: 2, avgPrice: 3005 });
    expect(h.journal.filter((j) => j.event.type === "OrderFilled")).toHaveLength(2);
    expect(h.anomalies).toEqual([{ kind: "fill_id_collision", clId: second, otherClId: first, execId: "500000000" }]);
  });

  it("the same (order, exec id) again changes nothing and is not journaled, after a collision too", () => {
    const h = new OrderHarness();
    const first = h.submit({ size: 2 });
    h.venue(filled(first, "e1", 1));
    const second = h.submit({ size: 2, intentId: "ll-2" });
    h.venue(filled(second, "e1", 1));
    const journaled = h.journal.length;
    const outputs = h.outputs.length;
    h.venue(filled(first, "e1", 1));
    h.venue(filled(second, "e1", 1));
    expect(h.journal.length).toBe(journaled);
    expect(h.outputs.length).toBe(outputs);
    expect([h.core.order(first)?.filledSize, h.core.order(second)?.filledSize]).toEqual([1, 1]);
    expect(h.core.ledger.position("ETH-USDC-PERP")?.qty).toBe(2);
    expect(h.anomalies.map((a) => a.kind)).toEqual(["fill_id_collision"]);
  });

  it("a rebuild from the journal books a colliding fill as the live run did", () => {
    const h = new OrderHarness();
    const first = h.submit({ size: 1 });
    h.venue(filled(first, "x", 1));
    const second = h.submit({ size: 1, intentId: "ll-2" });
    h.venue(filled(second, "x", 1));
    const rebuilt = newOrderManager();
    for (const { seq, event } of h.journal) rebuilt.apply(event, seq);
    expect(rebuilt.allOrders()).toEqual(h.core.allOrders());
    expect(rebuilt.ledger.position("ETH-USDC-PERP")?.qty).toBe(2);
  });
});

describe("published order status: placement and fill times (the shadow mirror's time to fill)", () => {
  it("carries the placement in Unix ms and the first and last fill's receipt in ms after it, fill fields only once filled", () => {
    const h = new OrderHarness();
    h.balance("USDC", 10_000);
    const id = h.submit({ size: 1, tsNs: T0 + 250_000n });
    const unfilled = h.submit({ size: 1, intentId: "ll-2", tsNs: T0 + 2n * MS });
    h.venue(accepted(id));
    h.venue(filled(id, "t1", 0.4, 3000, { recvNs: T0 + 12n * MS + 250_000n }));
    h.venue(filled(id, "t2", 0.6, 3000, { recvNs: T0 + 40n * MS + 750_000n }));
    h.venue(filled(id, "t2", 0.6, 3000, { recvNs: T0 + 90n * MS })); // a duplicate moves nothing
    const health = {
      fillAnomalies: noFillAnomalies(),
      unresolved: [],
      nowNs: T0,
      journal: { writeFailure: undefined, syncFailure: undefined },
      database: { problem: undefined, haltsEntries: false },
      held: 0,
      reconciled: true,
    };
    const byId = new Map(ordersStatus(h.core, new Map(), health).orders.map((o) => [o.cl_id, o]));
    expect(byId.get(id)).toMatchObject({
      status: "filled",
      placed_ms: 1_763_380_800_000.25,
      first_fill_after_ms: 12,
      last_fill_after_ms: 40.5,
    });
    expect(byId.get(unfilled)?.placed_ms).toBe(1_763_380_800_002);
    expect(byId.get(unfilled)).not.toHaveProperty("first_fill_after_ms");
    expect(byId.get(unfilled)).not.toHaveProperty("last_fill_after_ms");
  });
});

describe("orders resolved at their deadline (ack_timeout_ms: IOC 3 s, GTC 15 s)", () => {
  const IOC_DEADLINE = T0 + 3000n * MS;
  const GTC_DEADLINE = T0 + 15_000n * MS;
  const statusesOf = (h: OrderHarness, clId: string) =>
    h.outputs.flatMap((o) => (o.type === "OrderStatusChanged" && o.clId === clId ? [o.status] : []));

  it("a filled IOC stays filled: nothing is journaled at its deadline", () => {
    const h = new OrderHarness();
    const id = h.submit({ size: 1 });
    h.venue(accepted(id));
    h.venue(filled(id, "t1", 1));
    const journaled = h.journal.length;
    h.timer(IOC_DEADLINE);
    h.timer(IOC_DEADLINE + 60_000n * MS);
    expect(h.journal.length).toBe(journaled);
    expect(h.core.order(id)?.status).toBe("filled");
  });

  it("a partially filled IOC with no closing report is canceled at its deadline, the filled part kept", () => {
    const h = new OrderHarness();
    h.balance("USDC", 10_000);
    const id = h.submit({ size: 2 });
    h.venue(accepted(id));
    h.venue(filled(id, "t1", 0.5));
    h.timer(IOC_DEADLINE - MS);
    expect(h.core.order(id)?.status).toBe("partially_filled");
    h.timer(IOC_DEADLINE);
    expect(h.core.order(id)).toMatchObject({ status: "canceled", filledSize: 0.5 });
    expect(h.core.order(id)?.lastReason).toContain("deadline");
    expect(h.core.openOrders()).toEqual([]);
    expect(h.core.ledger.position("ETH-USDC-PERP")?.qty).toBe(0.5);
    expect(h.core.ledger.balance("USDC").locked).toBeCloseTo(150, 9); // the position's margin only
    expect(statusesOf(h, id).at(-1)).toBe("canceled");
    expect(h.journal.filter((j) => j.event.type === "OrderDeadlinePassed")).toHaveLength(1);
    h.timer(IOC_DEADLINE + 1000n * MS);
    expect(h.journal.filter((j) => j.event.type === "OrderDeadlinePassed")).toHaveLength(1);
  });

  it("an acknowledged IOC with no fill and no closing report is canceled at its deadline; a late fill counts", () => {
    const h = new OrderHarness();
    const id = h.submit({ size: 1 });
    h.venue(accepted(id));
    h.timer(IOC_DEADLINE);
    expect(h.core.order(id)).toMatchObject({ status: "canceled", filledSize: 0 });
    expect(h.core.ledger.balance("USDC").locked).toBe(0);
    h.venue(filled(id, "late", 1));
    expect(h.core.order(id)).toMatchObject({ status: "filled", filledSize: 1 });
    expect(h.core.ledger.position("ETH-USDC-PERP")?.qty).toBe(1);
  });

  it("an IOC fill that arrives before its ack, with nothing after, is closed at the deadline too", () => {
    const h = new OrderHarness();
    const id = h.submit({ size: 2 });
    h.venue(filled(id, "t1", 1));
    h.timer(IOC_DEADLINE);
    expect(h.core.order(id)).toMatchObject({ status: "canceled", filledSize: 1 });
  });

  it("an unacknowledged IOC is unknown at its deadline, and a cancel sent to learn its state ends it", () => {
    const h = new OrderHarness();
    const id = h.submit({ size: 1 });
    h.timer(IOC_DEADLINE);
    expect(h.core.order(id)?.status).toBe("unknown");
    const cancel = h.outputs.at(-1);
    expect(cancel).toMatchObject({ type: "CancelOrder", clIdToCancel: id });
    h.timer(IOC_DEADLINE + 5000n * MS); // once
    expect(h.outputs.filter((o) => o.type === "CancelOrder")).toHaveLength(1);
    expect(h.core.unresolvedOrders(IOC_DEADLINE)).toEqual([{ clId: id, status: "unknown", deadlineNs: IOC_DEADLINE }]);
    h.venue(canceled(id, "Cancel idempotent: order missing"));
    expect(h.core.order(id)?.status).toBe("canceled");
    expect(h.core.unresolvedOrders(IOC_DEADLINE + 6000n * MS)).toEqual([]);
  });

  it("an IOC acknowledged after it went unknown is closed at the next tick", () => {
    const h = new OrderHarness();
    const id = h.submit({ size: 1 });
    h.timer(IOC_DEADLINE);
    h.venue(accepted(id));
    expect(h.core.order(id)?.status).toBe("accepted");
    h.timer(IOC_DEADLINE + 50n * MS);
    expect(h.core.order(id)?.status).toBe("canceled");
  });

  it("a GTC order that is acknowledged or partly filled rests past its deadline untouched", () => {
    const h = new OrderHarness();
    const resting = h.submit({ tif: "GTC", size: 1 });
    h.venue(accepted(resting));
    const partly = h.submit({ tif: "GTC", size: 2, intentId: "ll-2" });
    h.venue(filled(partly, "t1", 1));
    const journaled = h.journal.length;
    h.timer(GTC_DEADLINE + 60_000n * MS);
    expect(h.journal.length).toBe(journaled);
    expect([h.core.order(resting)?.status, h.core.order(partly)?.status]).toEqual(["accepted", "partially_filled"]);
    expect(h.core.unresolvedOrders(GTC_DEADLINE + 60_000n * MS)).toEqual([]);
  });

  it("an unacknowledged GTC order is unknown at its deadline, not before, and reconciled by a cancel", () => {
    const h = new OrderHarness();
    const id = h.submit({ tif: "GTC", size: 1 });
    h.timer(IOC_DEADLINE);
    expect(h.core.order(id)?.status).toBe("pending_new");
    h.timer(GTC_DEADLINE);
    expect(h.core.order(id)?.status).toBe("unknown");
    expect(h.outputs.filter((o) => o.type === "CancelOrder")).toMatchObject([{ clIdToCancel: id }]);
    expect(statusesOf(h, id)).toEqual(["pending_new", "unknown"]);
    h.venue(canceled(id, "Cancel accepted"));
    expect(h.core.order(id)?.status).toBe("canceled");
  });

  it(
    "an unknown order from a journal written before the reconciling cancel gets it once, even if it is " + "refused",
    () => {
      const h = new OrderHarness();
      const decision = h.core.onSubmit(submitOrder({ tif: "GTC" }), T0);
      if (!decision.ok) throw new Error(decision.detail);
      const id = decision.event.clId;
      h.record([decision.event, { type: "OrderAckTimedOut", clId: id, tsNs: GTC_DEADLINE }]);
      h.timer(GTC_DEADLINE + 50n * MS);
      const [cancel] = h.outputs.filter((o) => o.type === "CancelOrder");
      expect(cancel).toMatchObject({ clIdToCancel: id });
      h.venue(rejected(cancel.clId, "venue_reject"));
      h.timer(GTC_DEADLINE + 100n * MS);
      expect(h.outputs.filter((o) => o.type === "CancelOrder")).toHaveLength(1);
      expect(h.core.order(id)?.status).toBe("unknown");
    },
  );

  it("a cancel already in flight is not sent twice when the deadline passes", () => {
    const h = new OrderHarness();
    const id = h.submit({ tif: "GTC" });
    h.cancel(id);
    h.timer(GTC_DEADLINE);
    expect(h.core.order(id)?.status).toBe("unknown");
    expect(h.outputs.filter((o) => o.type === "CancelOrder")).toHaveLength(1);
  });
});

describe("order manager health", () => {
  const facts = (h: OrderHarness, nowNs: bigint, anomalies = h.anomalies) => {
    const fillAnomalies = noFillAnomalies();
    for (const a of anomalies) {
      const kind = fillAnomalyKind(a);
      if (kind !== undefined) fillAnomalies[kind]++;
    }
    return { fillAnomalies, unresolved: h.core.unresolvedOrders(nowNs), nowNs, ...storageOk };
  };
  const storageOk = {
    journal: { writeFailure: undefined, syncFailure: undefined },
    database: { problem: undefined, haltsEntries: false },
    held: 0,
    reconciled: true,
  };

  it("is ok while every fill is booked as reported and no order is past its deadline unresolved", () => {
    const h = new OrderHarness();
    const id = h.submit();
    h.venue(accepted(id));
    h.venue(filled(id, "t1", 1));
    h.venue(filled(id, "t1", 1)); // a replayed fill is not trouble
    expect(ordersHealth(facts(h, T0 + 60_000n * MS))).toEqual({ status: "ok", reasons: [] });
  });

  it("names fill id collisions, refused fills and the orders unresolved past their deadline", () => {
    const h = new OrderHarness();
    const a = h.submit({ size: 1 });
    h.venue(filled(a, "x", 1));
    for (const intentId of ["ll-2", "ll-3"]) h.venue(filled(h.submit({ size: 1, intentId }), "x", 1));
    h.venue(filled(a, "y", 1)); // past the order's size
    h.venue(filled("0xnot-ours", "z", 1));
    const stuck = h.submit({ tif: "GTC", intentId: "ll-4" });
    h.timer(T0 + 15_000n * MS);
    expect(ordersHealth(facts(h, T0 + 17_500n * MS))).toEqual({
      status: "degraded",
      reasons: [
        "2 fill id collisions since start: exec ids reused for another order, booked",
        "1 fill past its order's size since start: not booked",
        "1 fill for an unknown order since start: not booked",
        `1 order unresolved past the deadline: ${stuck} (unknown, 2.5 s past)`,
      ],
    });
    h.venue(canceled(stuck, "Cancel idempotent: order missing"));
    expect(ordersHealth(facts(h, T0 + 18_000n * MS)).reasons).toHaveLength(3);
  });

  it("names a journal that cannot be written, a failing database, and the inputs held, with their counts", () => {
    const ok = facts(new OrderHarness(), T0);
    const full = "writing data/journal.log: ENOSPC: no space left on device, write (0 B free)";
    expect(ordersHealth({ ...ok, journal: { writeFailure: full, syncFailure: undefined }, held: 12 })).toEqual({
      status: "degraded",
      reasons: [`journal: ${full}; entries halted`, "holding 12 messages until the journal can be written"],
    });
    const down = "journal database unavailable (postgresql://u:***@db/x): connect ECONNREFUSED";
    const starting = { ...ok, database: { problem: down, haltsEntries: true }, held: 1, reconciled: false };
    expect(ordersHealth(starting).reasons).toEqual([
      `${down}; entries halted`,
      "holding 1 message until the journal database is reconciled",
    ]);
    expect(ordersHealth({ ...ok, reconciled: false }).reasons).toEqual(["journal database not reconciled yet"]);
    const syncFailure = "syncing data/journal.log: EIO (1.0 GiB free)";
    const syncFailed = ordersHealth({ ...ok, journal: { writeFailure: undefined, syncFailure } });
    expect(syncFailed.reasons).toEqual([`journal: ${syncFailure}`]);
  });
});

describe("bounded memory", () => {
  it("keeps the open orders and the most recent finished ones; a late report for a dropped one is an anomaly", () => {
    const h = new OrderHarness(newOrderManager(undefined, 2));
    const open = h.submit({ tif: "GTC" });
    h.venue(accepted(open, "1"));
    const done = [1, 2, 3].map((i) => {
      const id = h.submit();
      h.venue(accepted(id, String(10 + i)));
      h.venue(filled(id, `x${i}`, 1));
      return id;
    });
    expect(h.core.allOrders().map((o) => o.clId)).toEqual([open, done[1], done[2]]);
    expect(h.core.openOrders().map((o) => o.clId)).toEqual([open]);
    h.venue(canceled(done[0]));
    expect(h.anomalies.at(-1)).toMatchObject({ kind: "unknown_order", clId: done[0] });
    expect(h.core.ledger.position("ETH-USDC-PERP")?.qty).toBe(3);
  });
});

describe("journal fold", () => {
  const step = fc.oneof(
    fc.record({
      kind: fc.constant("submit" as const),
      tif: fc.constantFrom("IOC" as const, "GTC" as const),
      side: fc.constantFrom("buy" as const, "sell" as const),
      size: fc.integer({ min: 1, max: 5 }),
    }),
    fc.record({ kind: fc.constant("ack" as const), pick: fc.nat(), oid: fc.boolean() }),
    fc.record({ kind: fc.constant("reject" as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant("cancel_request" as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant("canceled" as const), pick: fc.nat() }),
    fc.record({
      kind: fc.constant("fill" as const),
      pick: fc.nat(),
      size: fc.integer({ min: 1, max: 3 }),
      exec: fc.integer({ min: 0, max: 40 }),
      price: fc.integer({ min: 2900, max: 3100 }),
    }),
    fc.record({ kind: fc.constant("timer" as const), ms: fc.integer({ min: 0, max: 20_000 }) }),
  );

  it.each([undefined, 2])(
    "rebuilding from the journal gives exactly the live state, after any event sequence (finished orders kept: %s)",
    (kept) => {
      fc.assert(
        fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
          const h = new OrderHarness(newOrderManager(undefined, kept));
          h.balance("USDC", 1_000_000);
          const ids: string[] = [];
          const pick = (n: number) => ids[n % ids.length];
          for (const s of steps) {
            if (s.kind === "submit") ids.push(h.submit({ tif: s.tif, side: s.side, size: s.size }));
            else if (s.kind === "timer") h.timer(T0 + BigInt(s.ms) * MS);
            else if (ids.length === 0) continue;
            else if (s.kind === "ack") h.venue(accepted(pick(s.pick), s.oid ? "1" : ""));
            else if (s.kind === "reject") h.venue(rejected(pick(s.pick)));
            else if (s.kind === "cancel_request") h.cancel(pick(s.pick));
            else if (s.kind === "canceled") h.venue(canceled(pick(s.pick)));
            else {
              const id = pick(s.pick);
              const side = h.core.order(id)?.submitted.side ?? "buy";
              h.venue(filled(id, `x${s.exec}`, s.size, s.price, { side }));
            }
          }
          const rebuilt = newOrderManager(undefined, kept);
          for (const { seq, event } of h.journal) rebuilt.apply(event, seq);
          expect(rebuilt.allOrders()).toEqual(h.core.allOrders());
          expect(rebuilt.ledger.allPositions()).toEqual(h.core.ledger.allPositions());
          for (const asset of h.core.ledger.assets())
            expect(rebuilt.ledger.balance(asset)).toEqual(h.core.ledger.balance(asset));
          // replaying the whole journal a second time changes nothing
          for (const { seq, event } of h.journal) rebuilt.apply(event, seq);
          expect(rebuilt.allOrders()).toEqual(h.core.allOrders());
          // locked never goes negative beyond float residue, and no open order outlives its reservation
          expect(h.core.ledger.balance("USDC").locked).toBeGreaterThan(-1e-6);
        }),
        { numRuns: 300 },
      );
    },
  );
});
