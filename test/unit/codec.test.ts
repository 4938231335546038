import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { z } from "zod";
import { createCodec, catalog } from "../../src/protocol/catalog.js";
import { Codec } from "../../src/protocol/codec.js";
import type { Trade, Book } from "../../src/protocol/market-data.js";
import type { PairsScanned } from "../../src/protocol/signals.js";
import { arbitraryMessage } from "../fixtures/arbitrary-messages.js";

const codec = createCodec();

describe("codec", () => {
  it("round-trips a trade with an epoch-ns timestamp above 2^53 exactly", () => {
    const trade: Trade = {
      type: "Trade",
      instrument: 2,
      tsNs: 1763380800345678901n,
      recvNs: 1763380800345699999n,
      price: 97003.5,
      amount: 0.25,
      side: -1,
      seq: 2,
    };
    const bytes = Uint8Array.from(codec.encode(trade));
    const decoded = createCodec().decode(bytes);
    expect(decoded).toEqual({ ok: true, message: trade });
  });

  it("encodes a trade in under 64 bytes thanks to shared structures", () => {
    const trade: Trade = {
      type: "Trade",
      instrument: 1,
      tsNs: 1n << 60n,
      recvNs: 1n << 60n,
      price: 1.5,
      amount: 2,
      side: 1,
      seq: 7,
    };
    expect(codec.encode(trade).length).toBeLessThan(64);
  });

  it("shares the shape of a scan result: 8 results cost 69 bytes less than with an inline structure", () => {
    const results = [1, 2].flatMap((lagger) =>
      (["trade", "mid", "ofi", "imbalance"] as const).map((feature) => ({
        lagger,
        feature,
        status: "ok" as const,
        tauStarS: 1.5,
        rhoStar: 0.42,
        lls: 1.3,
        nLeader: 120,
        nLagger: 300,
        passes: true,
      })),
    );
    const scanned: PairsScanned = {
      type: "PairsScanned",
      shard: 0,
      shardCount: 1,
      leader: 0,
      jumpTsNs: 1n << 60n,
      results,
    };
    const shared = Uint8Array.from(codec.encode(scanned));
    const inline = Uint8Array.from(new Codec(catalog).encode(scanned));
    expect(inline.length - shared.length).toBe(69);
    expect(createCodec().decode(shared)).toEqual({ ok: true, message: scanned });
  });

  it("still decodes an object whose keys are out of schema order", () => {
    const book = { valid: true, type: "Book" } as unknown as Book;
    const decoded = createCodec().decode(Uint8Array.from(codec.encode(book)));
    expect(decoded).toEqual({ ok: true, message: { valid: true, type: "Book" } });
  });

  it("round-trips every catalogue message (property)", () => {
    fc.assert(
      fc.property(arbitraryMessage(), (message) => {
        const decoded = createCodec().decode(Uint8Array.from(codec.encode(message)));
        expect(decoded).toEqual({ ok: true, message });
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws on random bytes; garbage comes back as a typed error", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const result = codec.decode(bytes);
        if (!result.ok) expect(["malformed", "not_a_message", "unknown_type"]).toContain(result.error.reason);
      }),
      { numRuns: 20000 },
    );
  });

  it("rejects a well-formed msgpack value that is not a catalogue message", () => {
    const other = createCodec();
    const bytes = Uint8Array.from(other.encode({ type: "Nope" }));
    const result = codec.decode(bytes);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.reason).toBe("unknown_type");
    expect(codec.decode(Uint8Array.of(0x2a))).toMatchObject({ ok: false, error: { reason: "not_a_message" } });
  });

  it("decodes messages and nested shapes past the 32nd shared structure (two-byte record ids)", () => {
    const defs = Array.from({ length: 40 }, (_, i) => ({ type: `M${i}`, schema: z.any(), fields: ["type", "items"] }));
    const wide = new Codec(defs, [["symbol", "qty"]]);
    for (const i of [0, 31, 32, 39]) {
      const message = {
        type: `M${i}`,
        items: [
          { symbol: "BTC", qty: i },
          { symbol: "ETH", qty: i + 0.5 },
        ],
      };
      for (let repeat = 0; repeat < 5; repeat++) {
        // msgpackr switches to a compiled reader after a few reads of a structure: both paths are covered.
        expect(wide.decode(Uint8Array.from(wide.encode(message)))).toEqual({ ok: true, message });
      }
    }
  });

  it("lists each message type once", () => {
    const types = catalog.map((d) => d.type);
    expect(new Set(types).size).toBe(types.length);
  });
});
