import path from "node:path";
import { parseConfig } from "../src/config/index.js";
import { NS_PER_S } from "../src/model/time.js";
import { RECORDING_START_NS } from "./backtest-recording.js";

export const BENCH_SYMBOLS = ["BTC-USDC-PERP", "ETH-USDC-PERP", "SOL-USDC-PERP"];

/**
 * configs/backtest.yaml's strategy (defaults) on the synthetic market's three symbols, over the recording.
 * `dataSource` is the `backtest.data_source` block as a YAML flow map; `artifactsPath` the strategy's.
 */
export function benchBacktestConfig(
  dir: string,
  seconds: number,
  tables: { trades: string; books: string },
  {
    artifactsPath = path.join(dir, "no-artifacts"),
    dataSource = `{ trade_table: ${tables.trades}, book_table: ${tables.books} }`,
  } = {},
) {
  const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();
  return parseConfig(
    `
mode: backtest
execution: { provider: paper, mode: paper }
initial_balance: { USDC: 100000 }
strategies:
  - name: bench
    type: leadlag
    config: { symbols: [${BENCH_SYMBOLS.join(", ")}], artifacts_path: ${artifactsPath} }
backtest:
  start_date: ${iso(RECORDING_START_NS)}
  end_date: ${iso(RECORDING_START_NS + BigInt(seconds) * NS_PER_S)}
  symbols: [${BENCH_SYMBOLS.join(", ")}]
  data_source: ${dataSource}
`,
    { env: {} },
  );
}
