/**
 * Which rows of a trades CSV a symbol given on `analyze`'s command line names: the same spelling, or any
 * other spelling the symbol rules registry resolves to the same instrument (`BTC`, `btc-usdt-perp`,
 * `BTC/USDT:USDT`, `BTC-USDC-PERP`), whichever one the file was written with.
 */
import { type InstrumentRegistry, instrumentNamed } from "../../model/instruments.js";

export class SymbolMatcher {
  private readonly instrument: number | undefined;
  /** Per spelling seen in the file: a CSV names a few symbols in millions of rows. */
  private readonly seen = new Map<string, boolean>();

  constructor(
    private readonly registry: InstrumentRegistry,
    readonly spelling: string,
  ) {
    this.instrument = instrumentNamed(registry, spelling)?.id;
  }

  matches(symbol: string): boolean {
    let match = this.seen.get(symbol);
    if (match === undefined) {
      match =
        symbol === this.spelling ||
        (this.instrument !== undefined && instrumentNamed(this.registry, symbol)?.id === this.instrument);
      this.seen.set(symbol, match);
    }
    return match;
  }

  /** Whether two command-line symbols name the same instrument (or are the same text). */
  sameAs(other: SymbolMatcher): boolean {
    return other.spelling === this.spelling || (this.instrument !== undefined && other.instrument === this.instrument);
  }
}

/** `no trades of X in FILE; it holds BTC, ETH, SOL` (or that it holds no trade at all). */
export function noTradesMessage(
  command: string,
  missing: readonly string[],
  csv: string,
  held: Iterable<string>,
): string {
  const symbols = [...new Set(held)].sort();
  const holds = symbols.length === 0 ? "it holds no trade" : `it holds ${symbols.join(", ")}`;
  return `leadlag analyze ${command}: no trades of ${missing.join(" or ")} in ${csv}; ${holds}\n`;
}
