/**
 * A recording for the backtest source benchmark and tests: the synthetic market (market_data.synthetic
 * defaults: BTC leader, ETH and SOL laggers, deltas and checkpoints) through the recorder, into any sinks.
 * Local receipt times are the publisher's stamp plus a seeded latency of 50-450 µs, kept increasing as a
 * monotonic clock is, so both time columns differ and files are in receipt order.
 */
import { readFileSync } from "node:fs";
import { SyntheticMarket } from "../src/actors/market-synth/generator.js";
import { syntheticSpecFromConfig } from "../src/actors/market-synth/spec.js";
import { Recorder } from "../src/backtest/recorder/recorder.js";
import type { BookRecord, RecordSink, TradeRecord } from "../src/backtest/recorder/rows.js";
import { marketDataSchema } from "../src/config/schema/market-data.js";
import { parseSymbolRules, type InstrumentRegistry } from "../src/model/instruments.js";
import { NS_PER_S, type Nanos } from "../src/model/time.js";
import { fromRoot } from "../src/runtime/paths.js";
import { seededRandom } from "./synthetic-ticks.js";

/** 2025-11-17T12:00:00Z, the wire doc's examples' day. */
export const RECORDING_START_NS: Nanos = 1_763_380_800_000_000_000n;
const MAX_SKEW_NS = 2n * NS_PER_S;

/** `market_data.synthetic`, resolved (the schema's defaults unless a test asks for another market). */
export type SyntheticConfig = ReturnType<typeof marketDataSchema.parse>["synthetic"];

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
  synthetic: SyntheticConfig = marketDataSchema.parse({}).synthetic,
): void {
  const market = new SyntheticMarket(syntheticSpecFromConfig(synthetic, registry, seed), RECORDING_START_NS);
  const random = seededRandom(seed);
  let lastRecv = 0n;
  const endNs = RECORDING_START_NS + BigInt(seconds) * NS_PER_S;
  // In slices of a second: the generator emits in time order however `advance` is called.
  for (let at = RECORDING_START_NS; at < endNs; ) {
    at = at + NS_PER_S < endNs ? at + NS_PER_S : endNs;
    market.advance(at, (m) => {
      const recvNs = m.tsNs + 50_000n + BigInt(Math.floor(random() * 400_000));
      lastRecv = recvNs > lastRecv ? recvNs : lastRecv + 1n;
      onFrame(m.topic, m.payload, lastRecv);
    });
  }
}

/** Records `seconds` of the synthetic market into `sink` (closed at the end); returns the recorder's counts. */
export async function recordSynthetic(
  seconds: number,
  sink: RecordSink,
  levels = 10,
  seed = 42,
  synthetic?: SyntheticConfig,
) {
  const registry = symbolRules();
  const recorder = new Recorder(registry, levels, MAX_SKEW_NS, sink);
  syntheticFrames(
    seconds,
    (topic, payload, recvNs) => recorder.onFrame(topic, payload, recvNs),
    seed,
    registry,
    synthetic,
  );
  await recorder.close();
  return recorder.counts();
}
