/**
 * Lot, tick and significant-figure rounding of sizes and prices, shared by the strategy's sizing, the risk
 * rules and the engine wire format, so that a size approved by risk prints to the venue unchanged.
 */

/** Decimal places of a lot or tick size such as 0.001 → 3, used to print sizes without float noise. */
export function decimalsOf(step: number): number {
  if (!(step > 0)) return 0;
  const text = step.toString();
  const exp = text.match(/e-(\d+)$/);
  if (exp) return Number(exp[1]) + (text.split("e")[0].split(".")[1]?.length ?? 0);
  return text.split(".")[1]?.length ?? 0;
}

/** Rounds down to a multiple of `lot` (never above what risk approved); a tiny epsilon absorbs float error. */
export function roundToLot(size: number, lot: number): number {
  if (!(lot > 0)) return size;
  const lots = Math.floor(size / lot + 1e-9);
  return Number((lots * lot).toFixed(decimalsOf(lot)));
}

/** To the nearest whole lot: for quantities that are sums of lots up to float residue (filled sizes). */
export function roundToNearestLot(size: number, lot: number): number {
  return Number((Math.round(size / lot) * lot).toPrecision(12));
}

// ─── venue prices: tick, decimals and significant figures, exactly ─────────────────────────────────────

/**
 * What prices an instrument accepts. `tickSize`: every price is a multiple of it. `maxDecimals` /
 * `maxSignificantFigures` (null = no such rule) are Hyperliquid's: at most 5 significant figures and
 * 6 − szDecimals decimals for perps, 8 − szDecimals for spot, where an integer price is always allowed
 * whatever its significant figures (`123456` is valid, `12345.6` is not).
 */
export interface PriceRules {
  readonly tickSize: number;
  readonly maxDecimals: number | null;
  readonly maxSignificantFigures: number | null;
}

/** Which way a price may move when snapped: the protective side (a buy limit down, a sell limit up). */
export type SnapDirection = "down" | "up";

export function protectiveDirection(side: "buy" | "sell"): SnapDirection {
  return side === "buy" ? "down" : "up";
}

/** A decimal as an exact integer and a scale: `units × 10^-scale`. */
interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL_TEXT = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/;

/** The exact decimal a double prints as (its shortest round-trip digits), or undefined for ≤ 0 / non-finite. */
function decimalOf(x: number): Decimal | undefined {
  if (!(x > 0) || !Number.isFinite(x)) return undefined;
  const m = DECIMAL_TEXT.exec(x.toString());
  if (m === null) return undefined;
  const fraction = m[2] ?? "";
  const scale = fraction.length - Number(m[3] ?? 0);
  const digits = BigInt(m[1] + fraction);
  return scale >= 0 ? { units: digits, scale } : { units: digits * pow10(-scale), scale: 0 };
}

/** 10^n for the exponents prices use, computed once: BigInt exponentiation costs more than the rest of a snap. */
const POW10: readonly bigint[] = Array.from({ length: 64 }, (_, n) => 10n ** BigInt(n));

function pow10(n: number): bigint {
  return POW10[n] ?? 10n ** BigInt(n);
}

function rescale(d: Decimal, scale: number): bigint {
  return d.units * pow10(scale - d.scale);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function lcm(a: bigint, b: bigint): bigint {
  return (a / gcd(a, b)) * b;
}

/** `units × 10^-scale` as plain decimal text, no exponent, no trailing zeros: integer arithmetic, no float noise. */
function decimalText(units: bigint, scale: number): string {
  if (scale === 0) return units.toString();
  const text = units.toString().padStart(scale + 1, "0");
  const whole = text.slice(0, -scale);
  const fraction = text.slice(-scale).replace(/0+$/, "");
  return fraction === "" ? whole : `${whole}.${fraction}`;
}

/** Number of digits of a positive integer, minus one: the decade of `units` at scale 0. */
function magnitude(units: bigint): number {
  return units.toString().length - 1;
}

/**
 * The price grid of one decade [10^k, 10^(k+1)) at `scale`: valid prices there are exactly the multiples of
 * this step (tick, decimals and significant figures all are powers of ten or the tick, so they combine by lcm).
 */
function stepIn(k: number, scale: number, tick: bigint, rules: PriceRules): bigint {
  let step = tick;
  if (rules.maxDecimals !== null) step = lcm(step, pow10(Math.max(0, scale - rules.maxDecimals)));
  if (rules.maxSignificantFigures !== null) {
    // Integers are always valid: the significant-figure step is never coarser than 1.
    const sigExponent = Math.min(k - rules.maxSignificantFigures + 1, 0) + scale;
    if (sigExponent > 0) step = lcm(step, pow10(sigExponent));
  }
  return step;
}

/** The scale every quantity of a snap is an integer at. */
function workingScale(price: Decimal, tick: Decimal, rules: PriceRules): number {
  return Math.max(price.scale, tick.scale, rules.maxDecimals ?? 0);
}

/** An instrument's tick as a decimal, parsed once per rules object (they live as long as the registry). */
const ticks = new WeakMap<PriceRules, Decimal | undefined>();

function tickOf(rules: PriceRules): Decimal | undefined {
  if (!ticks.has(rules)) ticks.set(rules, decimalOf(rules.tickSize));
  return ticks.get(rules);
}

/** Decades searched beyond the price's own before giving up (a tick coarser than the price). */
const MAX_DECADES = 40;

function snapUnits(price: bigint, scale: number, tick: bigint, rules: PriceRules, direction: SnapDirection) {
  let k = magnitude(price) - scale;
  let bound = price;
  for (let i = 0; i < MAX_DECADES; i++) {
    const step = stepIn(k, scale, tick, rules);
    if (direction === "down") {
      if (k + scale < 0) return undefined;
      const low = pow10(k + scale);
      const candidate = (bound / step) * step;
      if (candidate >= low) return candidate;
      bound = low - 1n;
      k--;
    } else {
      const high = pow10(k + 1 + scale);
      const candidate = ((bound + step - 1n) / step) * step;
      if (candidate < high) return candidate;
      bound = high;
      k++;
    }
  }
  return undefined;
}

/**
 * The valid price closest to `price` on the `direction` side (itself when already valid); undefined for a
 * price ≤ 0, non-finite, or with no valid price below it. Computed on exact decimals: the result is the
 * double nearest a decimal the rules accept, so it prints without float noise (`priceText`).
 */
export function snapPrice(price: number, rules: PriceRules, direction: SnapDirection): number | undefined {
  const p = decimalOf(price);
  const t = tickOf(rules);
  if (p === undefined || t === undefined) return undefined;
  const scale = workingScale(p, t, rules);
  const units = snapUnits(rescale(p, scale), scale, rescale(t, scale), rules, direction);
  return units === undefined ? undefined : Number(decimalText(units, scale));
}

/**
 * The decimal text of a price that obeys `rules` (as `snapPrice` returns it), or undefined for one that does
 * not: the wire's guard, so an unsnapped price is refused instead of sent.
 */
export function priceText(price: number, rules: PriceRules): string | undefined {
  const p = decimalOf(price);
  const t = tickOf(rules);
  if (p === undefined || t === undefined) return undefined;
  const scale = workingScale(p, t, rules);
  const units = rescale(p, scale);
  const step = stepIn(magnitude(units) - scale, scale, rescale(t, scale), rules);
  return units % step === 0n ? decimalText(units, scale) : undefined;
}
