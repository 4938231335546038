/**
 * The instrument registry: one internal numeric id per tradable instrument, built from the symbol
 * rules CSV (`symbol_rules_path`, columns documented in docs/market-data.md), and every spelling the
 * outside world uses for it: marketstream's (`HYPERLIQUID` + `BTC-USDC-PERP`), the configured one
 * (`BTC-USDT-PERP`, `BTC`) and the engine's (the symbol sent in orders and echoed in fills).
 */
import { readFile } from "node:fs/promises";
import type { PriceRules } from "./rounding.js";

export type InstrumentId = number;
export type ProductType = "perpetual" | "spot";

export interface Instrument {
  /** Row order in the CSV, from 0; stable as long as rows are only appended. */
  readonly id: InstrumentId;
  readonly symbol: string;
  readonly productType: ProductType;
  readonly base: string;
  readonly quote: string;
  /** Marketstream spelling: the upper-case topic exchange and the payload/topic symbol. */
  readonly mdExchange: string;
  readonly mdSymbol: string;
  /** Engine spelling: `venue` and `details.symbol` of orders; fills come back with this symbol. */
  readonly venue: string;
  readonly engineSymbol: string;
  readonly aliases: readonly string[];
  readonly tickSize: number;
  /** Hyperliquid `szDecimals`: sizes are multiples of 10^-sizeDecimals. */
  readonly sizeDecimals: number;
  readonly lotSize: number;
  /** The prices the venue accepts: the tick, plus Hyperliquid's decimals and significant figures. */
  readonly priceRules: PriceRules;
  readonly minNotional: number;
  readonly maxLeverage: number;
}

export type InstrumentLookup =
  | { ok: true; instrument: Instrument }
  | { ok: false; reason: "unknown_symbol"; spelling: string };

/** A rules file that cannot be used; `line` is 1-based in the file. */
export class SymbolRulesError extends Error {
  override readonly name = "SymbolRulesError";
  constructor(
    readonly source: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${source}:${line}: ${problem}`);
  }
}

export const SYMBOL_RULES_COLUMNS = [
  "symbol",
  "product_type",
  "base",
  "quote",
  "md_exchange",
  "md_symbol",
  "venue",
  "engine_symbol",
  "aliases",
  "tick_size",
  "size_decimals",
  "min_notional",
  "max_leverage",
] as const;
type Column = (typeof SYMBOL_RULES_COLUMNS)[number];

export class InstrumentRegistry {
  private readonly byMd = new Map<string, Instrument>();
  private readonly bySpelling = new Map<string, Instrument>();

  constructor(readonly instruments: readonly Instrument[]) {
    for (const instrument of instruments) {
      this.byMd.set(mdKey(instrument.mdExchange, instrument.mdSymbol), instrument);
      for (const spelling of spellingsOf(instrument)) this.bySpelling.set(normaliseSpelling(spelling), instrument);
    }
  }

  /** By marketstream topic/payload spelling, e.g. (`HYPERLIQUID`, `BTC-USDC-PERP`). Exact, case-sensitive. */
  byMarketData(exchange: string, symbol: string): InstrumentLookup {
    const instrument = this.byMd.get(mdKey(exchange, symbol));
    return instrument
      ? { ok: true, instrument }
      : { ok: false, reason: "unknown_symbol", spelling: `${exchange}-${symbol}` };
  }

  /** By any spelling a config, an order or a fill may use (canonical, market-data, engine, alias); case-insensitive. */
  resolve(spelling: string): InstrumentLookup {
    const instrument = this.bySpelling.get(normaliseSpelling(spelling));
    return instrument ? { ok: true, instrument } : { ok: false, reason: "unknown_symbol", spelling };
  }

  byId(id: InstrumentId): Instrument | undefined {
    return this.instruments[id];
  }
}

/** The instrument a spelling names, or undefined. */
export function instrumentNamed(registry: InstrumentRegistry, spelling: string): Instrument | undefined {
  const found = registry.resolve(spelling);
  return found.ok ? found.instrument : undefined;
}

export function marketTypeOf(instrument: Instrument): "spot" | "perp" {
  return instrument.productType === "perpetual" ? "perp" : "spot";
}

export async function loadInstrumentRegistry(path: string): Promise<InstrumentRegistry> {
  return parseSymbolRules(await readFile(path, "utf8"), path);
}

/** Parses the rules CSV: a header naming the columns (any order), `#` comments and blank lines allowed. */
export function parseSymbolRules(text: string, source = "symbol_rules.csv"): InstrumentRegistry {
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => isContent(l));
  if (headerAt < 0) throw new SymbolRulesError(source, 1, "empty file: expected a header row");
  const header = lines[headerAt].split(",").map((c) => c.trim());
  const columnAt = new Map<string, number>(header.map((name, i) => [name, i]));
  for (const column of SYMBOL_RULES_COLUMNS) {
    if (!columnAt.has(column)) throw new SymbolRulesError(source, headerAt + 1, `missing column '${column}'`);
  }
  const instruments: Instrument[] = [];
  const claimed = new Map<string, string>();
  for (let i = headerAt + 1; i < lines.length; i++) {
    if (!isContent(lines[i])) continue;
    const cells = lines[i].split(",").map((c) => c.trim());
    if (cells.length !== header.length) {
      throw new SymbolRulesError(source, i + 1, `expected ${header.length} cells, found ${cells.length}`);
    }
    const instrument = parseRow(
      (c) => cells[columnAt.get(c)!],
      instruments.length,
      (problem) => new SymbolRulesError(source, i + 1, problem),
    );
    for (const spelling of spellingsOf(instrument)) {
      const key = normaliseSpelling(spelling);
      const owner = claimed.get(key);
      if (owner !== undefined && owner !== instrument.symbol) {
        throw new SymbolRulesError(source, i + 1, `spelling '${spelling}' already belongs to ${owner}`);
      }
      claimed.set(key, instrument.symbol);
    }
    instruments.push(instrument);
  }
  return new InstrumentRegistry(instruments);
}

function parseRow(cell: (c: Column) => string, id: number, fail: (problem: string) => SymbolRulesError): Instrument {
  const required = (c: Column) => {
    const value = cell(c);
    if (!value) throw fail(`'${c}' is empty`);
    return value;
  };
  const positive = (c: Column) => {
    const value = Number(required(c));
    if (!(value > 0) || !Number.isFinite(value)) throw fail(`'${c}' must be a positive number, got '${cell(c)}'`);
    return value;
  };
  const productType = required("product_type");
  if (productType !== "perpetual" && productType !== "spot")
    throw fail(`'product_type' must be perpetual or spot, got '${productType}'`);
  const sizeDecimals = Number(required("size_decimals"));
  if (!Number.isInteger(sizeDecimals) || sizeDecimals < 0 || sizeDecimals > 12) {
    throw fail(`'size_decimals' must be an integer 0..12, got '${cell("size_decimals")}'`);
  }
  const venue = required("venue");
  const tickSize = positive("tick_size");
  return {
    id,
    symbol: required("symbol"),
    productType,
    base: required("base"),
    quote: required("quote"),
    mdExchange: required("md_exchange"),
    mdSymbol: required("md_symbol"),
    venue,
    engineSymbol: required("engine_symbol"),
    aliases: cell("aliases")
      .split("|")
      .map((a) => a.trim())
      .filter((a) => a.length > 0),
    tickSize,
    sizeDecimals,
    lotSize: lotSizeOf(sizeDecimals),
    priceRules: priceRulesOf(venue, productType, tickSize, sizeDecimals),
    minNotional: positive("min_notional"),
    maxLeverage: positive("max_leverage"),
  };
}

/** Hyperliquid's price rules: 5 significant figures, 6 − szDecimals decimals on perps, 8 − szDecimals on spot. */
const HYPERLIQUID_MAX_DECIMALS: Readonly<Record<ProductType, number>> = { perpetual: 6, spot: 8 };
const HYPERLIQUID_SIGNIFICANT_FIGURES = 5;

/** The prices a venue accepts for an instrument: its tick everywhere, and Hyperliquid's own rules there. */
export function priceRulesOf(
  venue: string,
  productType: ProductType,
  tickSize: number,
  sizeDecimals: number,
): PriceRules {
  if (venue.toLowerCase() !== "hyperliquid") return { tickSize, maxDecimals: null, maxSignificantFigures: null };
  return {
    tickSize,
    maxDecimals: Math.max(0, HYPERLIQUID_MAX_DECIMALS[productType] - sizeDecimals),
    maxSignificantFigures: HYPERLIQUID_SIGNIFICANT_FIGURES,
  };
}

/** 10^-decimals as the nearest double (`10 ** -4` is 0.00009999999999999999 in V8). */
export function lotSizeOf(sizeDecimals: number): number {
  return Number(`1e-${sizeDecimals}`);
}

function spellingsOf(instrument: Instrument): string[] {
  return [instrument.symbol, instrument.mdSymbol, instrument.engineSymbol, ...instrument.aliases];
}

function isContent(line: string): boolean {
  const trimmed = line.trim();
  return trimmed.length > 0 && !trimmed.startsWith("#");
}

function normaliseSpelling(spelling: string): string {
  return spelling.trim().toUpperCase();
}

function mdKey(exchange: string, symbol: string): string {
  return `${exchange}\u0000${symbol}`;
}
