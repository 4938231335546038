import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { CancelOrder, PlaceOrder } from "../../src/protocol/orders.js";
import {
  parseEngineEvent,
  serializeCancel,
  serializePlace,
  serializeReplace,
  toVenueEvent,
} from "../../src/protocol/wire/engine.js";
import { formatExecFill, formatExecReport, parseExecutionOrder } from "../../src/protocol/wire/engine-server.js";
import { bandedMarketPrice } from "../../src/actors/strategy/sizing.js";
import { roundToLot, snapPrice } from "../../src/model/rounding.js";
import { priceRulesOf } from "../../src/model/instruments.js";

const CLID = "0x5f1c2a9e0b7d4c3a8e6f1b2d3c4a5e6f";
const options = {
  ...{ venue: "hyperliquid", engineSymbol: "ETH-USDC-PERP", lotSize: 0.0001 },
  priceRules: priceRulesOf("hyperliquid", "perpetual", 0.1, 4),
};

function place(over: Partial<PlaceOrder> = {}): PlaceOrder {
  return {
    type: "PlaceOrder",
    clId: CLID,
    strategy: "adaptive-leadlag",
    intentId: "ll-7f3a9c",
    instrument: 1,
    symbol: "ETH-USDC-PERP",
    marketType: "perp",
    side: "buy",
    orderType: "limit",
    tif: "IOC",
    price: 3101.5,
    size: 0.05,
    reduceOnly: false,
    role: "entry",
    tsNs: 1763380800123456789n,
    ...over,
  };
}

const cancel: CancelOrder = {
  type: "CancelOrder",
  clId: "0x00000000000000aa0000000000000002",
  clIdToCancel: CLID,
  intentId: "ll-7f3a9c",
  instrument: 1,
  symbol: "ETH-USDC-PERP",
  marketType: "perp",
  exchangeOrderId: "48213412345",
  tsNs: 1763380801123456789n,
};

describe("engine wire: place and cancel", () => {
  it("serialises the doc's recommended place frame (§2.13), tags as strings, integer ts_ns", () => {
    const r = serializePlace(place(), options);
    expect(r).toEqual({
      ok: true,
      size: 0.05,
      frame:
        '{"version":1,"cl_id":"0x5f1c2a9e0b7d4c3a8e6f1b2d3c4a5e6f","action":"place","venue_type":"cex",' +
        '"venue":"hyperliquid","product_type":"perpetual","details":{"symbol":"ETH-USDC-PERP","side":"buy",' +
        '"order_type":"limit","time_in_force":"IOC","size":0.0500,"price":3101.5,"reduce_only":false},' +
        '"ts_ns":1763380800123456789,"tags":{"intent_id":"ll-7f3a9c","role":"entry","strategy":"adaptive-leadlag"}}',
    });
    if (!r.ok) return;
    const parsed = parseExecutionOrder(r.frame);
    expect(parsed).toMatchObject({
      action: "place",
      clId: CLID,
      side: "buy",
      tif: "IOC",
      size: 0.05,
      price: 3101.5,
      tags: { intent_id: "ll-7f3a9c" },
    });
  });

  it("rounds size down to the lot and refuses a size that rounds to zero", () => {
    expect(roundToLot(0.123456, 0.001)).toBe(0.123);
    expect(roundToLot(0.3, 0.1)).toBe(0.3); // 0.3/0.1 = 2.9999999999999996 in floats
    const r = serializePlace(place({ size: 0.12349 }), { ...options, lotSize: 0.001 });
    expect(r.ok && r.frame).toContain('"size":0.123,');
    expect(serializePlace(place({ size: 0.0004 }), { ...options, lotSize: 0.001 })).toEqual({
      ok: false,
      error: { reason: "invalid_size", detail: "size 0.0004 rounds to 0 at lot 0.001" },
    });
  });

  it("requires a price on every market order and the banded price sits past the touch", () => {
    expect(serializePlace(place({ orderType: "market", price: 0 }), options)).toMatchObject({
      ok: false,
      error: { reason: "missing_price" },
    });
    expect(bandedMarketPrice("buy", 3000, 3001, 15)).toBeCloseTo(3005.5015, 9);
    expect(bandedMarketPrice("sell", 3000, 3001, 15)).toBeCloseTo(2995.5, 9);
  });

  it("refuses a non-cloid cl_id and more than 4 own tags", () => {
    expect(serializePlace(place({ clId: "ll-1" }), options)).toMatchObject({
      ok: false,
      error: { reason: "invalid_cl_id" },
    });
    expect(serializePlace(place(), { ...options, extraTags: { a: 1, b: true } })).toMatchObject({
      ok: false,
      error: { reason: "too_many_tags" },
    });
    const r = serializePlace(place(), { ...options, extraTags: { edge_bps: 12.5 } });
    expect(r.ok && r.frame).toContain('"edge_bps":"12.5"');
  });

  it("refuses a price off the venue's rules instead of sending it, and prints a snapped one exactly", () => {
    // The audit's exit: 3110.2276500000003 has 17 significant figures; ETH takes 5 and 2 decimals.
    expect(serializePlace(place({ side: "sell", price: 3110.2276500000003 }), options)).toEqual({
      ok: false,
      error: {
        reason: "unsnapped_price",
        detail: "price 3110.2276500000003 is not a venue price (tick 0.1, 2 decimals, 5 significant figures)",
      },
    });
    const r = serializePlace(place({ side: "sell", price: 3110.3 }), options);
    expect(r.ok && r.frame).toContain('"price":3110.3,');
    // 0.1 + 0.2 is 0.30000000000000004 in floats: snapped it is the double nearest 0.3, printed as 0.3.
    const cheap = { ...options, priceRules: priceRulesOf("hyperliquid", "perpetual", 0.0001, 2) };
    const small = serializePlace(place({ price: snapPrice(0.1 + 0.2, cheap.priceRules, "down")! }), cheap);
    expect(small.ok && small.frame).toContain('"price":0.3,');
  });

  it("sends perp_margin_mode and perp_leverage as details.margin_mode and details.leverage on perp orders", () => {
    const perp = { marginMode: "isolated", leverage: 5 } as const;
    const r = serializePlace(place(), { ...options, perp });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.frame).toContain('"reduce_only":false,"margin_mode":"isolated","leverage":5},');
    expect(JSON.parse(r.frame).details).toEqual({
      symbol: "ETH-USDC-PERP",
      side: "buy",
      order_type: "limit",
      time_in_force: "IOC",
      size: 0.05,
      price: 3101.5,
      reduce_only: false,
      margin_mode: "isolated",
      leverage: 5,
    });
    const spot = serializePlace(place({ marketType: "spot" }), { ...options, perp });
    expect(spot.ok && spot.frame).not.toContain("margin_mode");
  });

  it("serialises a cancel in the canonical shape with the symbol (§2.7)", () => {
    const r = serializeCancel(cancel, options);
    expect(r.ok && JSON.parse(r.frame)).toEqual({
      version: 1,
      cl_id: cancel.clId,
      action: "cancel",
      venue_type: "cex",
      venue: "hyperliquid",
      product_type: "perpetual",
      details: { symbol: "ETH-USDC-PERP", cancel: { cl_id_to_cancel: CLID, exchange_order_id: "48213412345" } },
      ts_ns: 1763380801123456800, // JSON.parse rounds; the text holds the exact integer
      tags: { intent_id: "ll-7f3a9c" },
    });
    expect(r.ok && r.frame).toContain('"ts_ns":1763380801123456789,');
    const noOid = serializeCancel({ ...cancel, exchangeOrderId: "" }, options);
    expect(noOid.ok && noOid.frame).not.toContain("exchange_order_id");
    expect(parseExecutionOrder(r.ok ? r.frame : "")).toMatchObject({ action: "cancel", clIdToCancel: CLID });
  });

  it("replace is a cancel followed by a place", () => {
    const r = serializeReplace(cancel, place({ clId: "0x00000000000000aa0000000000000003", price: 3100 }), options);
    expect(r.ok && r.frames.map((f) => JSON.parse(f).action)).toEqual(["cancel", "place"]);
  });
});

describe("engine wire: exec.report and exec.fill", () => {
  const acceptedText =
    '{"version":1,"cl_id":"0x5f1c2a9e0b7d4c3a8e6f1b2d3c4a5e6f","status":"accepted",' +
    '"exchange_order_id":"48213412345","reason_code":"ok","reason_text":"ok","ts_ns":259200123456789,' +
    '"tags":{"intent_id":"ll-7f3a9c","role":"entry","strategy":"adaptive-leadlag","venue":"hyperliquid"}}';
  const fillText =
    '{"version":1,"cl_id":"0x5f1c2a9e0b7d4c3a8e6f1b2d3c4a5e6f","exchange_order_id":"48213412345",' +
    '"exec_id":"713282830946399","symbol_or_pair":"ETH-USDC-PERP","side":"buy","price":3101.4,"size":0.05,' +
    '"fee_currency":"USDC","fee_amount":0.069781,"liquidity":"taker","ts_ns":1763380800456789012,' +
    '"tags":{"execution_type":"live","intent_id":"ll-7f3a9c","role":"entry","strategy":"adaptive-leadlag",' +
    '"venue":"hyperliquid"}}';

  it("parses the doc's accepted report and flags its TSC-style ts_ns", () => {
    const r = parseEngineEvent("exec.report", acceptedText);
    expect(r).toEqual({
      ok: true,
      event: {
        kind: "report",
        clId: CLID,
        status: "accepted",
        exchangeOrderId: "48213412345",
        reasonCode: "ok",
        unknownReasonCode: "",
        reasonText: "ok",
        tsNs: 259200123456789n,
        tsIsTsc: true,
        tags: { intent_id: "ll-7f3a9c", role: "entry", strategy: "adaptive-leadlag", venue: "hyperliquid" },
      },
    });
  });

  it("parses a fill with its epoch ts_ns exactly (above 2^53)", () => {
    const r = parseEngineEvent("exec.fill", fillText);
    expect(r.ok && r.event).toMatchObject({
      kind: "fill",
      execId: "713282830946399",
      price: 3101.4,
      size: 0.05,
      feeAmount: 0.069781,
      tsNs: 1763380800456789012n,
      tsIsTsc: false,
    });
    const venue = r.ok ? toVenueEvent(r.event, 5n) : undefined;
    expect(venue).toMatchObject({
      type: "OrderFilled",
      clId: CLID,
      venueSymbol: "ETH-USDC-PERP",
      liquidity: "taker",
      recvNs: 5n,
    });
  });

  it("defaults an omitted exchange_order_id to '' and an omitted liquidity to taker", () => {
    const r = parseEngineEvent(
      "exec.report",
      '{"version":1,"cl_id":"ll-7f3a9d","status":"rejected","reason_code":"invalid_params",' +
        '"reason_text":"Price required for limit orders","ts_ns":259201123456789,' +
        '"tags":{"intent_id":"ll-7f3a9d","venue":"hyperliquid"}}',
    );
    expect(r.ok && r.event).toMatchObject({ status: "rejected", exchangeOrderId: "", reasonCode: "invalid_params" });
    const noLiquidity = fillText.replace(',"liquidity":"taker"', "");
    const f = parseEngineEvent("exec.fill", noLiquidity);
    expect(f.ok && f.event).toMatchObject({ liquidity: "taker" });
  });

  it("maps every status and every canonical reason code", () => {
    const codes = [
      "ok",
      "invalid_params",
      "risk_blocked",
      "insufficient_balance",
      "post_only_violation",
      "min_size",
      "price_out_of_bounds",
      "rate_limited",
      "network_error",
      "expired",
      "venue_reject",
    ];
    const types = {
      accepted: "OrderAccepted",
      rejected: "OrderRejected",
      canceled: "OrderCanceled",
      replaced: undefined,
    };
    for (const [status, type] of Object.entries(types)) {
      for (const code of codes) {
        const text = formatExecReport({
          clId: "c",
          status: status as "accepted",
          exchangeOrderId: "",
          reasonCode: code as "ok",
          reasonText: "t",
          tsNs: 1763380800000000000n,
          tags: {},
        });
        const r = parseEngineEvent("exec.report", text);
        expect(r.ok && r.event).toMatchObject({ status, reasonCode: code, tsIsTsc: false });
        expect(r.ok && toVenueEvent(r.event, 0n)?.type).toBe(type);
      }
    }
    const unknown = parseEngineEvent(
      "exec.report",
      '{"cl_id":"c","status":"rejected","reason_code":"brand_new","reason_text":"x","ts_ns":1,"tags":{}}',
    );
    expect(unknown.ok && unknown.event).toMatchObject({ reasonCode: "venue_reject", unknownReasonCode: "brand_new" });
  });

  it("turns malformed frames into typed rejections", () => {
    expect(parseEngineEvent("exec.other", "{}")).toMatchObject({ ok: false, error: { reason: "unknown_topic" } });
    expect(parseEngineEvent("exec.report", '{"cl_id":"c","status":"acc')).toMatchObject({
      ok: false,
      error: { reason: "bad_json" },
    });
    expect(parseEngineEvent("exec.report", '{"cl_id":"c","status":"filled","ts_ns":1}')).toMatchObject({
      ok: false,
      error: { reason: "bad_shape", detail: expect.stringContaining("status") },
    });
    expect(
      parseEngineEvent("exec.fill", fillText.replace('"exec_id":"713282830946399"', '"exec_id":""')),
    ).toMatchObject({ ok: false, error: { reason: "bad_shape" } });
    expect(parseEngineEvent("exec.report", acceptedText.replace("259200123456789", "2.5e14"))).toMatchObject({
      ok: false,
      error: { reason: "bad_ts_ns" },
    });
  });

  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.constantFrom("exec.report", "exec.fill", "x"), fc.oneof(fc.string(), fc.json()), (topic, text) => {
        const r = parseEngineEvent(topic, text);
        expect(typeof r.ok).toBe("boolean");
      }),
      { numRuns: 2000 },
    );
  });

  it("the engine-side formatter and the client parser agree on every fill", () => {
    fc.assert(
      fc.property(
        fc.record({
          price: fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
          size: fc.double({ min: 1e-6, max: 1e4, noNaN: true }),
          fee: fc.double({ min: -10, max: 10, noNaN: true }).map((x) => x + 0), // JSON has no -0
          ts: fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }),
          liquidity: fc.constantFrom("taker" as const, "maker" as const),
        }),
        ({ price, size, fee, ts, liquidity }) => {
          const text = formatExecFill({
            clId: "c",
            exchangeOrderId: "1",
            execId: "2",
            symbol: "S",
            side: "sell",
            price,
            size,
            feeCurrency: "USDC",
            feeAmount: fee,
            liquidity,
            tsNs: ts,
            tags: { intent_id: "i" },
          });
          const r = parseEngineEvent("exec.fill", text);
          expect(r.ok && r.event).toMatchObject({
            price,
            size,
            feeAmount: fee,
            tsNs: ts,
            liquidity,
            tsIsTsc: ts < 10n ** 17n,
          });
        },
      ),
    );
  });
});
