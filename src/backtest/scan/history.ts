/**
 * The history a scan reads: per symbol, the cleaned observation series of each estimator feature (signal-math
 * §1.3, on exchange-side time relative to the scan's start, as the estimator shards feed them), the log mids
 * the baselines read, and the jumps the live detector core finds on the way, co-jump filter included.
 * Series end in SharedArrayBuffers so the HY workers read them without a copy.
 */
import { CleanSeriesBuilder } from "../../actors/estimator/clean.js";
import { imbalanceFeature, midFeature, OfiLevel, tradeFeature } from "../../actors/estimator/features.js";
import { JumpMonitor } from "../../actors/jumps/monitor.js";
import type { JumpParams } from "../../actors/jumps/params.js";
import type { Feature } from "../../protocol/signals.js";
import type { Nanos } from "../../model/time.js";
import type { ReplayEvent, ReplaySource } from "../sources/source.js";

/** One cleaned series on shared memory: strictly increasing relative ns times. */
export interface SharedSeries {
  readonly times: Float64Array;
  readonly values: Float64Array;
}

export interface ScanJump {
  readonly symbol: number;
  /** Relative ns. */
  readonly time: number;
  readonly jumpBps: number;
  readonly systematic: boolean;
}

export interface SymbolHistory {
  /** As recorded. */
  readonly symbol: string;
  readonly trades: number;
  readonly books: number;
  readonly features: ReadonlyMap<Feature, SharedSeries>;
  /** Log mids of valid books: the lagger responses of the baselines. */
  readonly mids: SharedSeries;
  /** Realised variance of the jump detector's price stream (log returns) and its span in seconds. */
  readonly jumpStreamRv: number;
  readonly jumpStreamSpanS: number;
}

export interface ScanHistory {
  readonly baseNs: Nanos;
  readonly symbols: readonly SymbolHistory[];
  readonly jumps: readonly ScanJump[];
  readonly events: number;
}

export interface HistoryOptions {
  /** Recorded spellings, in the order the results use. */
  readonly symbols: readonly string[];
  readonly features: readonly Feature[];
  readonly baseNs: Nanos;
  readonly jumpParams: JumpParams;
  readonly jumpPriceSource: "trade" | "mid";
}

class SymbolReader {
  trades = 0;
  books = 0;
  readonly features = new Map<Feature, CleanSeriesBuilder>();
  readonly mids: CleanSeriesBuilder;
  readonly ofi = new OfiLevel();
  lastJumpPrice = NaN;
  firstJumpNs: Nanos | undefined;
  lastJumpNs: Nanos | undefined;
  rv = 0;

  constructor(features: readonly Feature[]) {
    for (const f of features) this.features.set(f, new CleanSeriesBuilder());
    // The mid feature is the mid series itself: one copy of the day's largest series.
    this.mids = this.features.get("mid") ?? new CleanSeriesBuilder();
  }

  jumpPrice(tsNs: Nanos, price: number): void {
    if (this.lastJumpPrice > 0) this.rv += Math.log(price / this.lastJumpPrice) ** 2;
    this.lastJumpPrice = price;
    this.firstJumpNs ??= tsNs;
    this.lastJumpNs = tsNs;
  }
}

function toShared(builder: CleanSeriesBuilder): SharedSeries {
  const n = builder.times.length;
  const times = new Float64Array(new SharedArrayBuffer(n * 8));
  const values = new Float64Array(new SharedArrayBuffer(n * 8));
  times.set(builder.times);
  values.set(builder.values);
  return { times, values };
}

/** Reads every event of the source once. */
export async function readHistory(source: ReplaySource, options: HistoryOptions): Promise<ScanHistory> {
  const index = new Map(options.symbols.map((s, i) => [s, i]));
  const readers = options.symbols.map(() => new SymbolReader(options.features));
  const monitor = new JumpMonitor(options.jumpParams);
  const jumps: ScanJump[] = [];
  const base = options.baseNs;
  let events = 0;
  const onJumpTick = (i: number, tsNs: Nanos, price: number) => {
    readers[i].jumpPrice(tsNs, price);
    const jump = monitor.onTick(options.symbols[i], tsNs, price);
    if (jump !== null)
      jumps.push({ symbol: i, time: Number(tsNs - base), jumpBps: jump.jumpBps, systematic: jump.systematic });
  };
  const onEvent = (event: ReplayEvent) => {
    const i = index.get(event.topic.symbol);
    if (i === undefined) return;
    const reader = readers[i];
    const wire = event.wire;
    const time = Number(event.exchTsNs - base);
    if ("trade_id" in wire) {
      reader.trades++;
      reader.features.get("trade")?.add(time, tradeFeature(wire.price));
      if (options.jumpPriceSource === "trade") onJumpTick(i, event.exchTsNs, wire.price);
      return;
    }
    const top =
      "bid_px" in wire
        ? { bid: wire.bid_px[0], bidSz: wire.bid_sz[0], ask: wire.ask_px[0], askSz: wire.ask_sz[0] }
        : "bids" in wire
          ? { bid: wire.best_bid_price, bidSz: wire.best_bid_size, ask: wire.best_ask_price, askSz: wire.best_ask_size }
          : undefined;
    // An invalid book (a gap) feeds nothing, as in the shards.
    if (top === undefined || !(top.bid > 0 && top.ask > 0)) return;
    reader.books++;
    const mid = midFeature(top.bid, top.ask);
    reader.mids.add(time, mid);
    reader.features.get("imbalance")?.add(time, imbalanceFeature(top.bidSz, top.askSz));
    const ofi = reader.features.get("ofi");
    if (ofi !== undefined) ofi.add(time, reader.ofi.update(top.bid, top.bidSz, top.ask, top.askSz));
    if (options.jumpPriceSource === "mid") onJumpTick(i, event.exchTsNs, (top.bid + top.ask) / 2);
  };
  for await (const batch of source.batches()) {
    for (const event of batch) onEvent(event);
    events += batch.length;
  }
  return {
    baseNs: base,
    events,
    jumps,
    symbols: readers.map((r, i) => {
      const mids = toShared(r.mids);
      const shared = (b: CleanSeriesBuilder) => (b === r.mids ? mids : toShared(b));
      return {
        symbol: options.symbols[i],
        trades: r.trades,
        books: r.books,
        features: new Map([...r.features].map(([f, b]) => [f, shared(b)])),
        mids,
        jumpStreamRv: r.rv,
        jumpStreamSpanS:
          r.firstJumpNs === undefined || r.lastJumpNs === undefined ? 0 : Number(r.lastJumpNs - r.firstJumpNs) / 1e9,
      };
    }),
  };
}
