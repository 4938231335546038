import type { InstrumentRegistry } from "./instruments.js";

/** An instrument of the configured universe in its configured spelling: what sizing and the order path need. */
export interface UniverseInstrument {
  readonly id: number;
  readonly symbol: string;
  readonly lotSize: number;
  readonly tickSize: number;
  readonly minNotional: number;
}

/**
 * `symbols` in their configured spelling, resolved to instruments. An unknown symbol is a clear start error:
 * trading a universe that is only partly known would be silently wrong. `where` names the list in the error,
 * `rulesPath` the file the registry was read from.
 */
export function resolveUniverse(
  symbols: readonly string[],
  registry: InstrumentRegistry,
  where: string,
  rulesPath: string,
): UniverseInstrument[] {
  return symbols.map((spelling) => {
    const found = registry.resolve(spelling);
    if (!found.ok) throw new Error(`${where}: '${spelling}' is not in ${rulesPath}`);
    const inst = found.instrument;
    return {
      id: inst.id,
      symbol: spelling,
      lotSize: inst.lotSize,
      tickSize: inst.tickSize,
      minNotional: inst.minNotional,
    };
  });
}

/** Instrument id → configured spelling: how the shells name an instrument that arrives by id (a book, a jump). */
export function spellingsById(
  universe: readonly { readonly id: number; readonly symbol: string }[],
): ReadonlyMap<number, string> {
  return new Map(universe.map((u) => [u.id, u.symbol]));
}
