/**
 * Prices and sizes as a person reads them: at the precision the venue trades the instrument in, so that an
 * average fill price or a computed mark never prints as `3110.2276500000003`.
 */
import { decimalsOf, type PriceRules } from "./rounding.js";

/** Decimals of the venue's price grid at `price`: the tick's, capped by the decimals and significant-figure rules. */
export function priceDecimals(price: number, rules: PriceRules): number {
  let decimals = decimalsOf(rules.tickSize);
  if (rules.maxDecimals !== null) decimals = Math.min(decimals, rules.maxDecimals);
  if (rules.maxSignificantFigures !== null && Number.isFinite(price) && price !== 0) {
    // The decade from the exponent's text: Math.log10 is a hair under the integer at some powers of ten.
    const decade = Number(Math.abs(price).toExponential().split("e")[1]);
    decimals = Math.min(decimals, Math.max(0, rules.maxSignificantFigures - 1 - decade));
  }
  return decimals;
}

export function formatPrice(price: number, rules: PriceRules): string {
  return price.toFixed(priceDecimals(price, rules));
}

/** A size in whole lots' decimals (0.001 → 3 decimals). */
export function formatSize(size: number, lotSize: number): string {
  return size.toFixed(decimalsOf(lotSize));
}

/** USD amounts (PnL, fees) in cents, signed: `+7.93`, `-0.12`. */
export function formatUsd(value: number): string {
  return `${value < 0 ? "-" : "+"}${Math.abs(value).toFixed(2)}`;
}
