import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { formatPrice, formatSize, formatUsd, priceDecimals } from "../../src/model/display.js";
import { snapPrice, type PriceRules } from "../../src/model/rounding.js";
import { instrumentNamed, parseSymbolRules, priceRulesOf } from "../../src/model/instruments.js";
import { fromRoot } from "../../src/runtime/paths.js";

const rulesArb: fc.Arbitrary<PriceRules> = fc.oneof(
  fc
    .record({
      product: fc.constantFrom("perpetual" as const, "spot" as const),
      sizeDecimals: fc.integer({ min: 0, max: 6 }),
      tickShift: fc.integer({ min: 0, max: 2 }),
    })
    .map(({ product, sizeDecimals, tickShift }) => {
      const decimals = Math.max(0, (product === "perpetual" ? 6 : 8) - sizeDecimals);
      return priceRulesOf("hyperliquid", product, Number(`1e-${Math.max(0, decimals - tickShift)}`), sizeDecimals);
    }),
  fc
    .record({ mantissa: fc.constantFrom(1, 5, 25), exponent: fc.integer({ min: -6, max: 1 }) })
    .map(({ mantissa, exponent }) => priceRulesOf("othervenue", "perpetual", Number(`${mantissa}e${exponent}`), 3)),
);

/** Prices from 1e-6 to 1e7 with float noise, as averages and marks come out. */
const priceArb = fc
  .record({ mantissa: fc.integer({ min: 1, max: 999_999_999 }), exponent: fc.integer({ min: -9, max: -1 }) })
  .map(({ mantissa, exponent }) => Number(`${mantissa}e${exponent}`) * (1 + 1e-13));

/** Decimals and significant figures of the text, trailing zeros of the fraction left out. */
function digitsOf(text: string): { decimals: number; significant: number } {
  const [whole, fraction = ""] = text.split(".");
  const kept = fraction.replace(/0+$/, "");
  return { decimals: kept.length, significant: (whole + kept).replace(/^0+/, "").length };
}

describe("prices and sizes as printed", () => {
  const registry = parseSymbolRules(readFileSync(fromRoot("configs/symbol_rules.csv"), "utf8"));
  const rules = (symbol: string) => instrumentNamed(registry, symbol)!.priceRules;

  it("prints the audit's ETH price and others at the venue's precision", () => {
    expect(formatPrice(3110.2276500000003, rules("ETH"))).toBe("3110.2");
    expect(formatPrice(97834.03125, rules("BTC"))).toBe("97834");
    expect(formatPrice(145.123456, rules("SOL"))).toBe("145.12");
    expect(formatPrice(1.23456789, rules("SOL"))).toBe("1.23"); // the tick, 0.01, is coarser than 5 significant figures
    expect(formatSize(0.52000000001, instrumentNamed(registry, "ETH")!.lotSize)).toBe("0.5200");
    expect(formatUsd(-7.934)).toBe("-7.93");
    expect(formatUsd(0.5)).toBe("+0.50");
  });

  it("a price on the venue's grid prints back exactly", () => {
    fc.assert(
      fc.property(rulesArb, priceArb, (r, p) => {
        const onGrid = snapPrice(p, r, "down");
        fc.pre(onGrid !== undefined && onGrid > 0);
        expect(Number(formatPrice(onGrid!, r))).toBe(onGrid);
      }),
      { numRuns: 2000 },
    );
  });

  it("any price prints within half a last digit, with no more decimals or significant figures than the venue's", () => {
    fc.assert(
      fc.property(rulesArb, priceArb, (r, p) => {
        const text = formatPrice(p, r);
        const d = priceDecimals(p, r);
        expect(Math.abs(Number(text) - p)).toBeLessThanOrEqual(0.5 * 10 ** -d * (1 + 1e-9) + Number.EPSILON * p);
        const { decimals, significant } = digitsOf(text);
        if (r.maxDecimals !== null) expect(decimals).toBeLessThanOrEqual(r.maxDecimals);
        // An integer is always a valid price; a fraction must keep to the significant figures.
        if (r.maxSignificantFigures !== null && decimals > 0)
          expect(significant).toBeLessThanOrEqual(r.maxSignificantFigures);
      }),
      { numRuns: 2000 },
    );
  });
});
