/**
 * Worker thread of the feed benchmark's pipelined run: the feed core on its own thread reading
 * `MarketDataFrame` messages from a ring, as the daemon places it (bridge on main, feed on the hot
 * worker). Posts `{ doneAt, processed, malformed, stats }` after `expected` frames (`doneAt` on the
 * shared epoch clock).
 */
import { readFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { FeedCore } from "../src/actors/feed/core.js";
import { parseSymbolRules } from "../src/model/instruments.js";
import { createCodec } from "../src/protocol/catalog.js";
import type { MarketDataFrame } from "../src/protocol/market-data.js";
import { RingConsumer } from "../src/transport/ring.js";

interface FeedWorkerData {
  readonly ring: SharedArrayBuffer;
  readonly rulesPath: string;
  readonly expected: number;
  readonly maxClockSkewNs: bigint;
}

const { ring, rulesPath, expected, maxClockSkewNs } = workerData as FeedWorkerData;
const registry = parseSymbolRules(readFileSync(rulesPath, "utf8"));
const options = { registry, lookbackNs: 240_000_000_000n, staleAfterNs: 1_000_000_000n, maxClockSkewNs };
const core = new FeedCore(options, { trade: () => {}, book: () => {} });
const codec = createCodec();
const inbox = new RingConsumer(ring);
let processed = 0;
let malformed = 0;

const onFrame = (bytes: Uint8Array, start: number, end: number) => {
  const decoded = codec.decode(bytes.subarray(start, end));
  if (!decoded.ok || decoded.message.type !== "MarketDataFrame") {
    malformed++;
    return;
  }
  const frame = decoded.message as MarketDataFrame;
  core.onFrame(frame.topic, frame.payload, frame.recvNs);
  processed++;
};

// `waitForData` was seen returning false long before its timeout here, so the loop runs to a deadline of its own.
const deadline = Date.now() + 60_000;
while (processed + malformed < expected && Date.now() < deadline) {
  if (inbox.waitForData(50, 1000)) inbox.drain(onFrame);
}
parentPort!.postMessage({
  doneAt: performance.timeOrigin + performance.now(),
  processed,
  malformed,
  stats: core.stats(),
});
