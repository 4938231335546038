/**
 * A recording for the backtest benchmarks and tests: the synthetic market (market_data.synthetic defaults with
 * `preset: demo`, the market these benchmarks always measured: BTC leader, ETH and SOL laggers, deltas and checkpoints) through the recorder (src/backtest/recorder/
 * synthetic.ts), into any sinks, from a fixed start time.
 */
import { readFileSync } from "node:fs";
import {
  recordSyntheticMarket,
  syntheticFrames as generateFrames,
  type SyntheticConfig,
} from "../src/backtest/recorder/synthetic.js";
import type { BookRecord, RecordSink, TradeRecord } from "../src/backtest/recorder/rows.js";
import { marketDataSchema } from "../src/config/schema/market-data.js";
import { parseSymbolRules, type InstrumentRegistry } from "../src/model/instruments.js";
import { NS_PER_S, type Nanos } from "../src/model/time.js";
import { fromRoot } from "../src/runtime/paths.js";

/** 2025-11-17T12:00:00Z, the wire doc's examples' day. */
export const RECORDING_START_NS: Nanos = 1_763_380_800_000_000_000n;
const MAX_SKEW_NS = 2n * NS_PER_S;
const DEMO_MARKET: SyntheticConfig = marketDataSchema.parse({ synthetic: { preset: "demo" } }).synthetic;

export function symbolRules(): InstrumentRegistry {
  return parseSymbolRules(readFileSync(fromRoot("configs/symbol_rules.csv"), "utf8"));
}

/** Every row to each sink, in the order the recorder writes them. */
export class FanOutSink implements RecordSink {
  constructor(private readonly sinks: readonly RecordSink[]) {}
  trade(row: TradeRecord): void {
    for (const s of this.sinks) s.trade(row);
  }
  book(row: BookRecord): void {
    for (const s of this.sinks) s.book(row);
  }
  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }
}

/** Rows kept in memory. */
export class MemorySink implements RecordSink {
  readonly trades: TradeRecord[] = [];
  readonly books: BookRecord[] = [];
  trade(row: TradeRecord): void {
    this.trades.push(row);
  }
  book(row: BookRecord): void {
    this.books.push(row);
  }
  async close(): Promise<void> {}
}

/** The synthetic market's frames with the receipt times the recording gives them, in order. */
export function syntheticFrames(
  seconds: number,
  onFrame: (topic: string, payload: string, recvNs: Nanos) => void,
  seed = 42,
  registry = symbolRules(),
  synthetic: SyntheticConfig = DEMO_MARKET,
): void {
  generateFrames({ seconds, startNs: RECORDING_START_NS, synthetic, registry, seed }, onFrame);
}

/** Records `seconds` of the synthetic market into `sink` (closed at the end); returns the recorder's counts. */
export async function recordSynthetic(
  seconds: number,
  sink: RecordSink,
  levels = 10,
  seed = 42,
  synthetic: SyntheticConfig = DEMO_MARKET,
) {
  const recording = { seconds, startNs: RECORDING_START_NS, synthetic, registry: symbolRules(), seed };
  return recordSyntheticMarket(recording, sink, { levels, maxSkewNs: MAX_SKEW_NS });
}
