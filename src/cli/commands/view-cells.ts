/**
 * The cells of `leadlag positions` and `leadlag orders` at the instrument's precision: prices on the venue's
 * grid decimals, sizes in lots, USD amounts in cents. A symbol the rules do not know prints as the daemon
 * sent it. `--json` is left exact.
 */
import { type InstrumentRegistry, instrumentNamed } from "../../model/instruments.js";
import { formatPrice, formatSize } from "../../model/display.js";

const PRICE_COLUMNS = new Set(["avg_price", "price"]);
const SIZE_COLUMNS = new Set(["qty", "size", "filled"]);
const USD_COLUMNS = new Set(["realized_pnl", "unrealized_pnl", "fees"]);

export function viewCell(registry: InstrumentRegistry, row: Record<string, unknown>, column: string): string {
  const value = row[column];
  if (typeof value !== "number" || !Number.isFinite(value)) return String(value ?? "");
  if (USD_COLUMNS.has(column)) return value.toFixed(2);
  const inst = typeof row.symbol === "string" ? instrumentNamed(registry, row.symbol) : undefined;
  if (inst === undefined) return String(value);
  if (PRICE_COLUMNS.has(column)) return value === 0 ? "0" : formatPrice(value, inst.priceRules);
  if (SIZE_COLUMNS.has(column)) return formatSize(value, inst.lotSize);
  return String(value);
}
