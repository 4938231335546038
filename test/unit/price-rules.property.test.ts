import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  decimalsOf,
  priceText,
  roundToLot,
  snapPrice,
  type PriceRules,
  type SnapDirection,
} from "../../src/model/rounding.js";
import { lotSizeOf, priceRulesOf } from "../../src/model/instruments.js";

/**
 * An oracle written apart from the implementation: it reads a price as decimal text and counts its decimals and
 * significant figures the way a person would, and checks the tick with integers.
 */
function parts(text: string): { whole: string; fraction: string } {
  const [whole, fraction = ""] = text.split(".");
  return { whole, fraction: fraction.replace(/0+$/, "") };
}

function scaleOf(text: string): number {
  return parts(text).fraction.length;
}

function unitsAt(text: string, scale: number): bigint {
  const { whole, fraction } = parts(text);
  return BigInt(whole + fraction.padEnd(scale, "0"));
}

/** The shortest round-trip digits of a double as plain decimal text (no exponent). */
function plain(x: number): string {
  const [digits, exponent = "0"] = String(x).split("e");
  const { whole, fraction } = parts(digits);
  const shift = Number(exponent);
  const all = whole + fraction;
  const point = whole.length + shift;
  if (point <= 0) return `0.${"0".repeat(-point)}${all}`;
  if (point >= all.length) return all + "0".repeat(point - all.length);
  return `${all.slice(0, point)}.${all.slice(point)}`;
}

/** The price's units at `scale`, cut towards zero. */
function truncated(text: string, scale: number): bigint {
  const { whole, fraction } = parts(text);
  return BigInt(whole + fraction.slice(0, scale).padEnd(scale, "0"));
}

function textAt(units: bigint, scale: number): string {
  const digits = units.toString().padStart(scale + 1, "0");
  return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

function obeys(text: string, rules: PriceRules): boolean {
  const { whole, fraction } = parts(text);
  if (rules.maxDecimals !== null && fraction.length > rules.maxDecimals) return false;
  if (rules.maxSignificantFigures !== null && fraction.length > 0) {
    const significant = (whole + fraction).replace(/^0+/, "");
    if (significant.length > rules.maxSignificantFigures) return false;
  }
  const tick = plain(rules.tickSize);
  const scale = Math.max(scaleOf(text), scaleOf(tick));
  return unitsAt(text, scale) % unitsAt(tick, scale) === 0n;
}

const rulesArb: fc.Arbitrary<PriceRules> = fc.oneof(
  // Hyperliquid instruments as the registry builds them, with a tick on the decimals grid or a coarser one.
  fc
    .record({
      product: fc.constantFrom("perpetual" as const, "spot" as const),
      sizeDecimals: fc.integer({ min: 0, max: 6 }),
      tickMantissa: fc.constantFrom(1, 1, 1, 2, 5),
      tickShift: fc.integer({ min: 0, max: 2 }),
    })
    .map(({ product, sizeDecimals, tickMantissa, tickShift }) => {
      const decimals = Math.max(0, (product === "perpetual" ? 6 : 8) - sizeDecimals);
      const tick = Number(`${tickMantissa}e-${Math.max(0, decimals - tickShift)}`);
      return priceRulesOf("hyperliquid", product, tick, sizeDecimals);
    }),
  // Another venue: the tick only.
  fc
    .record({ mantissa: fc.constantFrom(1, 5, 25), exponent: fc.integer({ min: -6, max: 1 }) })
    .map(({ mantissa, exponent }) => priceRulesOf("othervenue", "perpetual", Number(`${mantissa}e${exponent}`), 3)),
);

/** Prices from 1e-6 to 1e7 with up to 9 decimals, as a feed or a band computation would produce them. */
const priceArb = fc
  .record({ mantissa: fc.integer({ min: 1, max: 999_999_999 }), exponent: fc.integer({ min: -9, max: -1 }) })
  .map(({ mantissa, exponent }) => Number(`${mantissa}e${exponent}`) * (1 + 1e-13)); // float noise included

const directionArb = fc.constantFrom<SnapDirection>("down", "up");

describe("venue price rules", () => {
  it("snaps the audit's ETH exit 3110.2276500000003 to 3110.3 for a sell and 3110.2 for a buy", () => {
    const eth = priceRulesOf("hyperliquid", "perpetual", 0.1, 4);
    expect(snapPrice(3110.2276500000003, eth, "up")).toBe(3110.3);
    expect(snapPrice(3110.2276500000003, eth, "down")).toBe(3110.2);
    expect(priceText(3110.3, eth)).toBe("3110.3");
    expect(priceText(3110.2276500000003, eth)).toBeUndefined();
  });

  it("keeps integer prices above 5 significant figures (Hyperliquid allows any integer)", () => {
    const btc = priceRulesOf("hyperliquid", "perpetual", 1, 5);
    expect(snapPrice(123456.7, btc, "down")).toBe(123456);
    expect(snapPrice(99999.5, btc, "up")).toBe(100000);
    expect(priceText(123456, btc)).toBe("123456");
  });

  it("limits decimals to 6 − szDecimals on perps and 8 − szDecimals on spot", () => {
    expect(snapPrice(0.000012345678, priceRulesOf("hyperliquid", "perpetual", 1e-6, 0), "down")).toBe(0.000012);
    expect(snapPrice(0.000012345678, priceRulesOf("hyperliquid", "spot", 1e-8, 0), "down")).toBe(0.00001234);
    expect(priceText(0.00001234, priceRulesOf("hyperliquid", "spot", 1e-8, 0))).toBe("0.00001234");
  });

  it("refuses a price that is not positive and finite", () => {
    const rules = priceRulesOf("hyperliquid", "perpetual", 0.1, 4);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(snapPrice(bad, rules, "down")).toBeUndefined();
      expect(priceText(bad, rules)).toBeUndefined();
    }
  });

  it("gives a valid price on the protective side, the closest one, printed without float noise", () => {
    let checked = 0;
    fc.assert(
      fc.property(priceArb, rulesArb, directionArb, (price, rules, direction) => {
        const snapped = snapPrice(price, rules, direction);
        if (snapped === undefined) {
          // Only a buy below the first valid price has nowhere to go.
          expect(direction).toBe("down");
          expect(price).toBeLessThan(rules.tickSize);
          return;
        }
        const text = priceText(snapped, rules);
        expect(text, `${snapped} obeys ${JSON.stringify(rules)}`).toBeDefined();
        expect(obeys(text!, rules), `${text} (oracle) obeys ${JSON.stringify(rules)}`).toBe(true);
        expect(text).toBe(plain(snapped)); // no float noise: the text is the double's own digits
        if (direction === "down") expect(snapped).toBeLessThanOrEqual(price);
        else expect(snapped).toBeGreaterThanOrEqual(price);
        // Closest: no valid price strictly between the price and the snapped one. Every valid price lies on the
        // grid of the tick's and the allowed decimals' scale: walk it (gaps over 5·10^4 points are skipped).
        const priceDigits = plain(price);
        const scale = Math.max(scaleOf(text!), scaleOf(plain(rules.tickSize)), rules.maxDecimals ?? 0);
        const b = unitsAt(text!, scale);
        const [lo, hi] =
          direction === "down" ? [b, truncated(priceDigits, scale) + 1n] : [truncated(priceDigits, scale), b];
        if (hi - lo > 50_000n) return;
        checked++;
        for (let u = lo + 1n; u < hi; u++) {
          const candidate = textAt(u, scale);
          expect(obeys(candidate, rules), `${candidate} lies between ${priceDigits} and ${text}`).toBe(false);
        }
      }),
      { numRuns: 250 },
    );
    expect(checked).toBeGreaterThan(100);
  });

  it("sizes go out in whole lots: never above the size (but for float residue), less than a lot below it, printed exactly", () => {
    // Up to a million units at six decimals: twelve significant digits, well inside a double's.
    const sizeArb = fc
      .record({ mantissa: fc.integer({ min: 1, max: 999_999_999 }), exponent: fc.integer({ min: -9, max: -3 }) })
      .map(({ mantissa, exponent }) => Number(`${mantissa}e${exponent}`) * (1 + 1e-13));
    fc.assert(
      fc.property(sizeArb, fc.integer({ min: 0, max: 6 }), (size, sizeDecimals) => {
        const lot = lotSizeOf(sizeDecimals);
        const rounded = roundToLot(size, lot);
        expect(rounded).toBeLessThanOrEqual(size + lot * 1e-9);
        expect(rounded).toBeGreaterThan(size - lot);
        const text = plain(rounded);
        // The oracle: whole lots means no more decimals than szDecimals, and the wire's text is the same number.
        expect(parts(text).fraction.length, `${size} at lot ${lot} gave ${text}`).toBeLessThanOrEqual(sizeDecimals);
        expect(Number(rounded.toFixed(decimalsOf(lot)))).toBe(rounded);
      }),
      { numRuns: 500 },
    );
  });
});
