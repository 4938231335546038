import { parentPort, workerData } from "node:worker_threads";
import { ShardCore } from "../../src/actors/estimator/shard.js";
import { DEFAULT_HY_PARAMS } from "../../src/actors/estimator/params.js";
import type { Book, Trade } from "../../src/protocol/market-data.js";
import { seededRandom, standardNormal } from "../synthetic-ticks.js";

export interface ShardLoadJob {
  readonly shardIndex: number;
  readonly shardCount: number;
  readonly symbols: number;
  readonly ticks: number;
  readonly gate: SharedArrayBuffer;
}

export interface ShardLoadReport {
  readonly pairs: number;
  readonly elapsedMs: number;
}

/**
 * One estimator shard absorbing a market of `symbols` instruments (every ordered pair, all four
 * features): a seeded stream alternating trades and books, 20 ms apart per symbol. Every shard sees
 * every tick, as in the daemon; each updates only the pairs that hash to it.
 */
const job = workerData as ShardLoadJob;
const port = parentPort!;
const ids = Array.from({ length: job.symbols }, (_, i) => i);
const pairs = ids.flatMap((leader) => ids.filter((l) => l !== leader).map((lagger) => ({ leader, lagger })));
const core = new ShardCore({
  shardIndex: job.shardIndex,
  shardCount: job.shardCount,
  symbols: ids.map((id) => ({ id, symbol: `SYM${id}` })),
  pairs,
  features: ["trade", "mid", "ofi", "imbalance"],
  hy: DEFAULT_HY_PARAMS,
});
const random = seededRandom(11);
const base = 1_763_000_000_000_000_000n;
const prices = ids.map(() => 100);
const messages: (Trade | Book)[] = [];
for (let i = 0; i < job.ticks; i++) {
  const instrument = i % job.symbols;
  prices[instrument] *= Math.exp(1e-4 * standardNormal(random));
  const tsNs = base + BigInt(i) * 4_000_000n;
  const p = prices[instrument];
  messages.push(
    i % 2 === 0
      ? { type: "Trade", instrument, tsNs, recvNs: tsNs, price: p, amount: 1, side: 1, seq: i }
      : {
          type: "Book",
          instrument,
          tsNs,
          recvNs: tsNs,
          seq: i,
          valid: true,
          bidPx: [p - 0.01],
          bidSz: [1 + random()],
          askPx: [p + 0.01],
          askSz: [1 + random()],
          mid: p,
          relativeSpread: 0.02 / p,
          imbalance: 0,
          bidDepth: p,
          askDepth: p,
          ofi: 0,
          midVolatility: 0,
        },
  );
}
port.postMessage("ready");
Atomics.wait(new Int32Array(job.gate), 0, 0);
const t0 = performance.now();
for (const m of messages) {
  if (m.type === "Trade") core.onTrade(m);
  else core.onBook(m);
}
port.postMessage({ pairs: core.pairs.length, elapsedMs: performance.now() - t0 } satisfies ShardLoadReport);
