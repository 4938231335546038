import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseSymbolRules, SymbolRulesError } from "../../src/model/instruments.js";
import { fromRoot } from "../../src/runtime/paths.js";

const shipped = readFileSync(fromRoot("configs/symbol_rules.csv"), "utf8");
const HEADER =
  "symbol,product_type,base,quote,md_exchange,md_symbol,venue,engine_symbol,aliases,tick_size,size_decimals," +
  "min_notional,max_leverage";

function errorOf(text: string): SymbolRulesError {
  try {
    parseSymbolRules(text, "rules.csv");
  } catch (err) {
    expect(err).toBeInstanceOf(SymbolRulesError);
    return err as SymbolRulesError;
  }
  throw new Error("expected a SymbolRulesError");
}

describe("instrument registry", () => {
  const registry = parseSymbolRules(shipped);

  it("ships BTC, ETH and SOL perpetuals with Hyperliquid's size decimals", () => {
    expect(registry.instruments.map((i) => [i.id, i.symbol, i.sizeDecimals, i.tickSize])).toEqual([
      [0, "BTC-USDC-PERP", 5, 1],
      [1, "ETH-USDC-PERP", 4, 0.1],
      [2, "SOL-USDC-PERP", 2, 0.01],
    ]);
    expect(registry.byId(1)?.lotSize).toBe(0.0001);
  });

  it("maps the market-data, configured and engine spellings to one id", () => {
    const ids = [
      registry.byMarketData("HYPERLIQUID", "ETH-USDC-PERP"),
      registry.resolve("ETH-USDT-PERP"),
      registry.resolve("eth"),
      registry.resolve("ETH/USDT:USDT"),
      registry.resolve("ETH-USDC-PERP"),
    ].map((r) => (r.ok ? r.instrument.id : -1));
    expect(ids).toEqual([1, 1, 1, 1, 1]);
  });

  it("answers an unknown symbol with a typed result, not a throw", () => {
    expect(registry.resolve("DOGE-USDT-PERP")).toEqual({
      ok: false,
      reason: "unknown_symbol",
      spelling: "DOGE-USDT-PERP",
    });
    expect(registry.byMarketData("BYBIT", "BTC-USDC-PERP").ok).toBe(false);
  });

  it.each([
    [
      `${HEADER}\nBTC,perpetual,BTC,USDC,HYPERLIQUID,BTC-USDC-PERP,hyperliquid,BTC-USDC-PERP,,-1,5,10,40`,
      2,
      "'tick_size' must be a positive number, got '-1'",
    ],
    [
      `# comment\n${HEADER}\n\nBTC,perpetual,BTC,USDC,HYPERLIQUID,BTC-USDC-PERP,hyperliquid,BTC-USDC-PERP,,1,5.5,10,40`,
      4,
      "'size_decimals' must be an integer 0..12, got '5.5'",
    ],
    [
      `${HEADER}\nBTC,future,BTC,USDC,HYPERLIQUID,BTC-USDC-PERP,hyperliquid,BTC-USDC-PERP,,1,5,10,40`,
      2,
      "'product_type' must be perpetual or spot, got 'future'",
    ],
    [`${HEADER}\nBTC,perpetual,BTC,USDC,HYPERLIQUID`, 2, "expected 13 cells, found 5"],
    [HEADER.replace(",min_notional", ""), 1, "missing column 'min_notional'"],
    [
      `${HEADER}\nBTC,perpetual,BTC,USDC,HYPERLIQUID,BTC-USDC-PERP,hyperliquid,BTC-USDC-PERP,X,1,5,10,40\nETH,` +
        `perpetual,ETH,USDC,HYPERLIQUID,ETH-USDC-PERP,hyperliquid,ETH-USDC-PERP,x,1,5,10,40`,
      3,
      "spelling 'x' already belongs to BTC",
    ],
  ])("refuses a bad rules file with its line number (%#)", (text, line, problem) => {
    const err = errorOf(text);
    expect([err.line, err.problem]).toEqual([line, problem]);
    expect(err.message).toBe(`rules.csv:${line}: ${problem}`);
  });
});
