import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  parseBookCheckpoint,
  parseBookDelta,
  parseBookSnapshot,
  parsePayload,
  parseTopic,
  parseTrade,
  WireRejection,
} from "../../src/protocol/wire/marketstream.js";
import {
  serializeBookCheckpoint,
  serializeBookDelta,
  serializeBookSnapshot,
  serializeTrade,
} from "../../src/protocol/wire/marketstream-serialize.js";
import { formatDouble } from "../../src/protocol/wire/rapidjson-number.js";
import {
  CKPT_2,
  DELTA_1,
  DELTA_3,
  SNAPSHOT_PAYLOAD,
  TRADE_PAYLOAD,
  TRADE_TOPIC,
} from "../fixtures/marketstream-examples.js";

function rejection(value: unknown): WireRejection {
  expect(value).toBeInstanceOf(WireRejection);
  return value as WireRejection;
}

describe("marketstream wire", () => {
  it("parses the doc's trade with the timestamp exact past 2^53", () => {
    const trade = parseTrade(Buffer.from(TRADE_PAYLOAD));
    expect(trade).toMatchObject({
      receipt_timestamp_ns: 1763380800345678901n,
      price: 97003.5,
      amount: 0.25,
      side: "sell",
      trade_id: "713282830946312",
      seq: 2,
    });
  });

  it("re-serialises every doc example byte for byte", () => {
    expect(serializeTrade(parseTrade(TRADE_PAYLOAD) as never)).toBe(TRADE_PAYLOAD);
    expect(serializeBookSnapshot(parseBookSnapshot(SNAPSHOT_PAYLOAD) as never)).toBe(SNAPSHOT_PAYLOAD);
    expect(serializeBookDelta(parseBookDelta(DELTA_1) as never)).toBe(DELTA_1);
    expect(serializeBookDelta(parseBookDelta(DELTA_3) as never)).toBe(DELTA_3);
    expect(serializeBookCheckpoint(parseBookCheckpoint(CKPT_2) as never)).toBe(CKPT_2);
  });

  it("writes doubles the way RapidJSON does", () => {
    expect([97001, 0.01, 1e-7, 0.00001030922521017933, 1e30, 1.5e-7, -0, 0, 24250.875].map(formatDouble)).toEqual([
      "97001.0",
      "0.01",
      "1e-7",
      "0.00001030922521017933",
      "1e30",
      "1.5e-7",
      "-0.0",
      "0.0",
      "24250.875",
    ]);
  });

  it("keeps a 2^63-1 timestamp exact and refuses larger ones, which msgpack and PostgreSQL cannot carry", () => {
    const at = (ts: string) => parseTrade(TRADE_PAYLOAD.replace("1763380800345678901", ts));
    expect(at("9223372036854775807")).toMatchObject({ receipt_timestamp_ns: 9223372036854775807n });
    const tooLarge = ["9223372036854775808", "18446744073709551615", "18446744073709551616", "99999999999999999999"];
    for (const ts of [...tooLarge, "1".repeat(500)]) {
      const r = rejection(at(ts));
      expect([r.reason, r.field]).toEqual(["timestamp_out_of_range", "receipt_timestamp_ns"]);
    }
  });

  it("refuses marketstream's NaN output as invalid_json", () => {
    const text = SNAPSHOT_PAYLOAD.replace('"relative_spread":0.00001030922521017933', '"relative_spread":');
    expect(rejection(parseBookSnapshot(text)).reason).toBe("invalid_json");
  });

  it.each([
    ['"price":97003.5,', '"price":-1.0,', "nonpositive_price", "price"],
    ['"price":97003.5,', '"price":null,', "nan_price", "price"],
    ['"amount":0.25,', '"amount":-0.25,', "negative_size", "amount"],
    ['"amount":0.25,', '"amount":"NaN",', "nan_size", "amount"],
    ['"price":97003.5,', '"price":1e999,', "nan_price", "price"],
    ['"price":97003.5,', '"price":1e13,', "price_out_of_range", "price"],
    ['"amount":0.25,', '"amount":1e16,', "size_out_of_range", "amount"],
    ['"trade_id":"713282830946312",', "", "missing_field", "trade_id"],
    ['"side":"sell"', '"side":"A"', "bad_side", "side"],
    ['"seq":2,', '"seq":9007199254740993,', "seq_out_of_range", "seq"],
    ['"window_size":2,', '"window_size":9007199254740993,', "integer_out_of_range", "window_size"],
    ['"window_size":2,', '"window_size":2.5,', "integer_out_of_range", "window_size"],
    ['"schema_version":1,', '"schema_version":"1",', "bad_type", "schema_version"],
    [
      '"receipt_timestamp_ns":1763380800345678901',
      '"receipt_timestamp_ns":1.5',
      "bad_timestamp",
      "receipt_timestamp_ns",
    ],
  ])("refuses a trade with %s → %s as %s, from text and from bytes", (from, to, reason, field) => {
    const text = TRADE_PAYLOAD.replace(from, to);
    for (const payload of [text, Buffer.from(text)]) {
      const r = rejection(parseTrade(payload));
      expect([r.reason, r.field]).toEqual([reason, field]);
    }
  });

  it("parses the doc's examples from bytes to the same values as from text", () => {
    for (const [parse, payload] of [
      [parseTrade, TRADE_PAYLOAD],
      [parseBookDelta, DELTA_1],
      [parseBookDelta, DELTA_3],
      [parseBookCheckpoint, CKPT_2],
    ] as const) {
      expect((parse as (p: unknown) => unknown)(Buffer.from(payload))).toEqual(
        (parse as (p: unknown) => unknown)(payload),
      );
    }
  });

  it("round-trips every accepted serialised message exactly, from bytes as from text (property)", () => {
    const double = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.double({ min: 1e-9, max: 1e6, noNaN: true }),
      fc.integer({ min: 0, max: 200000 }).map((n) => n / 100),
    );
    const text = fc.oneof(
      fc.constantFrom("BTC-USDC-PERP", "HYPERLIQUID", "buy", "sell"),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: "grapheme", maxLength: 4 }),
    );
    const timestamp = fc.bigInt({ min: 0n, max: (1n << 63n) - 1n });
    const seq = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.maxSafeNat());
    const trade = fc.record({
      receipt_timestamp_ns: timestamp,
      symbol: text,
      exchange: text,
      price: double,
      amount: double,
      side: text,
      trade_id: text,
      transaction_price: double,
      trading_volume: double,
      volatility_transaction_price: double,
      window_size: fc.integer({ min: 0, max: 20 }),
      seq,
      schema_version: fc.constant(1),
      preprocessing_timestamp: text,
    });
    const levels = fc.array(double, { maxLength: 12 });
    const delta = fc.record({
      symbol: text,
      exchange: text,
      receipt_timestamp_ns: timestamp,
      seq,
      side: fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 12 }),
      px: levels,
      sz: levels,
    });
    const ckpt = fc.record({
      symbol: text,
      exchange: text,
      receipt_timestamp_ns: timestamp,
      seq,
      bid_px: levels,
      bid_sz: levels,
      ask_px: levels,
      ask_sz: levels,
    });
    const cases = fc.oneof(
      trade.map((m) => [parseTrade, serializeTrade(m as never), m] as const),
      delta.map((m) => [parseBookDelta, serializeBookDelta(m as never), m] as const),
      ckpt.map((m) => [parseBookCheckpoint, serializeBookCheckpoint(m as never), m] as const),
    );
    fc.assert(
      fc.property(cases, ([parse, payload, message]) => {
        const fromText = (parse as (p: string | Uint8Array) => unknown)(payload);
        const fromBytes = (parse as (p: string | Uint8Array) => unknown)(Buffer.from(payload));
        expect(fromBytes).toEqual(fromText);
        if (!(fromText instanceof WireRejection)) expect(fromText).toEqual(message);
      }),
      { numRuns: 3000 },
    );
  });

  it("refuses a snapshot level that overflows to Infinity, naming the level", () => {
    const r = rejection(parseBookSnapshot(SNAPSHOT_PAYLOAD.replace("[97003.0,3.0]", "[971e3000,3.0]")));
    expect([r.reason, r.field]).toEqual(["nan_price", "asks[2][0]"]);
  });

  it("refuses deltas with mismatched arrays or bad sides", () => {
    expect(rejection(parseBookDelta(DELTA_3.replace('"sz":[0.7,0.0,1.0,1.5]', '"sz":[0.7,0.0,1.0]'))).reason).toBe(
      "length_mismatch",
    );
    expect(rejection(parseBookDelta(DELTA_3.replace('"side":[0,0,0,1]', '"side":[0,0,2,1]'))).reason).toBe("bad_side");
    expect(rejection(parseBookDelta(DELTA_3.replace('"sz":[0.7,', '"sz":[-0.7,'))).field).toBe("sz[0]");
  });

  it("parses topics, including symbols with dashes, and refuses foreign ones", () => {
    expect(parseTopic(TRADE_TOPIC)).toEqual({
      exchange: "HYPERLIQUID",
      stream: "preprocessed_trades",
      symbol: "BTC-USDC-PERP",
    });
    expect(rejection(parseTopic("HYPERLIQUID-preprocessed_quotes-BTC")).reason).toBe("unknown_topic");
    expect(rejection(parseTopic("garbage")).reason).toBe("unknown_topic");
  });

  it("refuses a payload for another symbol than its topic", () => {
    const topic = parseTopic("HYPERLIQUID-preprocessed_trades-ETH-USDC-PERP");
    expect(rejection(parsePayload(topic as never, TRADE_PAYLOAD)).reason).toBe("topic_mismatch");
  });

  it("never throws on garbage", () => {
    for (const junk of ["", "null", "[]", "{", '{"seq":1}', "\u0000\u0001", "1e999"]) {
      expect(() => parseBookDelta(junk)).not.toThrow();
      expect(parseBookDelta(junk)).toBeInstanceOf(WireRejection);
    }
  });
});
