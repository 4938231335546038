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

export function roundToTick(price: number, tick: number, direction: "down" | "up"): number {
  const ticks = direction === "down" ? Math.floor(price / tick + 1e-9) : Math.ceil(price / tick - 1e-9);
  const decimals = Math.max(0, -Math.floor(Math.log10(tick)) + 1);
  return Number((ticks * tick).toFixed(decimals));
}
