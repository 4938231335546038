/**
 * The embedded synthetic market recorded offline: its frames straight into the recorder, as fast as the
 * machine goes, with no ZeroMQ and no waiting (`leadlag record --synthetic`, tests, benchmarks). Local
 * receipt times are the publisher's stamp plus a seeded latency of 50-450 µs, kept increasing as a
 * monotonic clock is, so both time columns differ and files are in receipt order. Same seed, same bytes.
 */
import { SyntheticMarket } from "../../actors/market-synth/generator.js";
import { SeededRandom } from "../../model/random.js";
import { syntheticSpecFromConfig } from "../../actors/market-synth/spec.js";
import type { Config } from "../../config/index.js";
import type { InstrumentRegistry } from "../../model/instruments.js";
import { NS_PER_S, type Nanos } from "../../model/time.js";
import { Recorder } from "./recorder.js";
import type { RecordSink } from "./rows.js";

export type SyntheticConfig = Config["market_data"]["synthetic"];

export interface SyntheticRecording {
  readonly seconds: number;
  readonly startNs: Nanos;
  readonly synthetic: SyntheticConfig;
  readonly registry: InstrumentRegistry;
  /** Overrides `synthetic.seed`; also seeds the receipt latencies. */
  readonly seed?: number;
}

/** The synthetic market's frames with the receipt times a recording gives them, in order. */
export function syntheticFrames(
  recording: SyntheticRecording,
  onFrame: (topic: string, payload: string, recvNs: Nanos) => void,
): void {
  const seed = recording.seed ?? recording.synthetic.seed;
  const market = new SyntheticMarket(
    syntheticSpecFromConfig(recording.synthetic, recording.registry, seed),
    recording.startNs,
  );
  const random = new SeededRandom(seed);
  let lastRecv = 0n;
  const endNs = recording.startNs + BigInt(recording.seconds) * NS_PER_S;
  // In slices of a second: the generator emits in time order however `advance` is called.
  for (let at = recording.startNs; at < endNs; ) {
    at = at + NS_PER_S < endNs ? at + NS_PER_S : endNs;
    market.advance(at, (m) => {
      const recvNs = m.tsNs + 50_000n + BigInt(Math.floor(random.next() * 400_000));
      lastRecv = recvNs > lastRecv ? recvNs : lastRecv + 1n;
      onFrame(m.topic, m.payload, lastRecv);
    });
  }
}

/** Records the market into `sink` (closed at the end); returns the recorder's counts. */
export async function recordSyntheticMarket(
  recording: SyntheticRecording,
  sink: RecordSink,
  options: { readonly levels: number; readonly maxSkewNs: Nanos },
) {
  const recorder = new Recorder(recording.registry, options.levels, options.maxSkewNs, sink);
  syntheticFrames(recording, (topic, payload, recvNs) => recorder.onFrame(topic, payload, recvNs));
  await recorder.close();
  return recorder.counts();
}
