import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { packedCopyText, packLevels, unpackLevels, viewOf } from "../../src/backtest/recorder/packed-levels.js";

/** Any double, NaN, ±Infinity, -0 and denormals included. */
const levels = fc.array(fc.double(), { maxLength: 50 });

describe("packed book levels (bytea codec)", () => {
  it("round-trips every double bit for bit, at any offset in a larger buffer", () => {
    fc.assert(
      fc.property(levels, fc.nat({ max: 13 }), fc.nat({ max: 5 }), (values, before, after) => {
        const packed = packLevels(values);
        expect(packed.length).toBe(values.length * 8);
        const buf = Buffer.concat([Buffer.alloc(before, 0xaa), packed, Buffer.alloc(after, 0x55)]);
        const back = unpackLevels(viewOf(buf), before, packed.length);
        expect(back).toHaveLength(values.length);
        back!.forEach((v, i) => expect(Object.is(v, values[i]), `${v} vs ${values[i]}`).toBe(true));
      }),
    );
  });

  it("refuses a length that is not a whole number of values or runs past the buffer", () => {
    fc.assert(
      fc.property(levels, fc.integer({ min: 1, max: 7 }), (values, cut) => {
        const packed = packLevels([...values, 1]);
        expect(unpackLevels(viewOf(packed), 0, packed.length - cut)).toBeUndefined();
        expect(unpackLevels(viewOf(packed), 0, packed.length + 8)).toBeUndefined();
        expect(unpackLevels(viewOf(packed), 0, -1)).toBeUndefined();
      }),
    );
  });

  it("writes float64 big-endian, as PostgreSQL's float8send, and COPY text as escaped hex", () => {
    expect(packLevels([1.5, -2]).toString("hex")).toBe("3ff8000000000000c000000000000000");
    expect(packLevels([])).toHaveLength(0);
    expect(packedCopyText([1.5])).toBe("\\\\x3ff8000000000000");
    expect(packedCopyText([])).toBe("\\\\x");
  });
});
