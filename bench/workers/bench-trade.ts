import { Packr } from "msgpackr";

/**
 * The trade the ring benchmarks move: a venue trade with its exchange symbol and trade id, encoded with
 * msgpackr records whose structure both ends share (so no keys travel), as the hot path does. It encodes
 * to ~100 bytes, the frame size the architecture's throughput figures refer to.
 */
export interface BenchTrade {
  type: "Trade";
  instrument: string;
  tradeId: string;
  tsNs: bigint;
  recvNs: bigint;
  price: number;
  amount: number;
  side: 1 | -1;
  seq: number;
}

const TRADE_FIELDS = ["type", "instrument", "tradeId", "tsNs", "recvNs", "price", "amount", "side", "seq"];

/** One per thread: a Packr keeps decoding state and is not shareable. */
export function createTradePackr(): Packr {
  return new Packr({ structures: [TRADE_FIELDS], maxSharedStructures: 1, int64AsType: "bigint" });
}

export function sampleTrade(seq: number): BenchTrade {
  return {
    type: "Trade",
    instrument: "binance:BTC-USDT-PERP",
    tradeId: "binance-BTCUSDT-5839201734",
    tsNs: 1_764_090_000_123_456_789n,
    recvNs: 1_764_090_000_123_987_654n,
    price: 97_123.45,
    amount: 0.0123,
    side: 1,
    seq,
  };
}

/** The encoded sample trade, copied out of the Packr's reusable buffer. */
export function encodedSampleTrade(): Uint8Array {
  return Uint8Array.from(createTradePackr().pack(sampleTrade(123_456)));
}

/** Wall-clock milliseconds comparable across threads (each thread's `performance.now()` has its own origin). */
export function absoluteNowMs(): number {
  return performance.timeOrigin + performance.now();
}
