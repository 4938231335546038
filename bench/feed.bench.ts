/**
 * Feed throughput: marketstream messages from a publisher in a child process, through the ZeroMQ
 * bridge and the feed core (parse, sequence checks, book rebuild, normalisation). `msgs_per_s` is the
 * daemon's default placement (`hot_thread: main`: bridge and feed core on the main thread, one after the
 * other per message); `pipelined_msgs_per_s` is `hot_thread: worker` (bridge on main,
 * `MarketDataFrame`s through a ring, feed core on a worker).
 * Baseline in the same run: plain `JSON.parse` of the same payloads (no BigInt, no checks, no book).
 * Also the book rebuild cost per delta at 10 levels, timed in batches (a timer read costs about as
 * much as a delta).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { Worker } from "node:worker_threads";
import { pino } from "pino";
import { BookRebuilder } from "../src/actors/feed/book.js";
import { FeedCore, type FeedStats } from "../src/actors/feed/core.js";
import { parseSymbolRules, type InstrumentRegistry } from "../src/model/instruments.js";
import { marketstreamStreams } from "../src/actors/feed/subscription.js";
import { MarketDataBridge, subscriptionTopics, type FrameHandler } from "../src/actors/feed/zmq-bridge.js";
import { SyntheticMarket, type SyntheticMessage } from "../src/actors/market-synth/generator.js";
import { syntheticSpecFromConfig } from "../src/actors/market-synth/spec.js";
import { createCodec } from "../src/protocol/catalog.js";
import type { MarketDataFrame } from "../src/protocol/market-data.js";
import { Ring, RingProducer } from "../src/transport/ring.js";
import { parseBookCheckpoint, parseBookDelta, type MarketstreamBookDelta } from "../src/protocol/wire/marketstream.js";
import { compiledUrl, fromRoot } from "../src/runtime/paths.js";
import { feedPublisher, type FeedPublisher } from "./feed-publishers.js";
import { marketDataSchema } from "../src/config/schema/market-data.js";
import { percentile, round, sortedCopy, type Bench } from "./bench.js";

const START_NS = 1_763_380_800_000_000_000n;
/**
 * The messages are generated ahead from a fixed start and sent as fast as possible, so their receipt
 * times are hours away from the clock: the skew bound is opened wide (the check still runs per frame).
 */
const MAX_CLOCK_SKEW_NS = 1n << 62n;
/** The throughput target, published as a paced stream. */
const TARGET_RATE = 150_000;
const KEEP_UP_LAG_MS = 10;

function benchFeedCore(registry: InstrumentRegistry): FeedCore {
  const options = { registry, lookbackNs: 240_000_000_000n, staleAfterNs: 1_000_000_000n };
  return new FeedCore({ ...options, maxClockSkewNs: MAX_CLOCK_SKEW_NS }, { trade: () => {}, book: () => {} });
}

function generate(registry: InstrumentRegistry, count: number): SyntheticMessage[] {
  const synthetic = marketDataSchema.parse({ synthetic: { book_rate_hz: 400, trade_rate_hz: 200 } }).synthetic;
  const market = new SyntheticMarket(syntheticSpecFromConfig(synthetic, registry), START_NS);
  const out: SyntheticMessage[] = [];
  for (let s = 1n; out.length < count; s++) market.advance(START_NS + s * 1_000_000_000n, (m) => out.push(m));
  return out.slice(0, count);
}

function jsonParseRate(payloads: readonly Buffer[]): number {
  let sink = 0;
  const t0 = performance.now();
  for (const p of payloads) sink += Object.keys(JSON.parse(p.toString("utf8")) as object).length;
  const seconds = (performance.now() - t0) / 1000;
  return sink > 0 ? payloads.length / seconds : 0;
}

function coreOnlyRate(
  registry: InstrumentRegistry,
  messages: readonly SyntheticMessage[],
  payloads: readonly Buffer[],
): number {
  const core = benchFeedCore(registry);
  const t0 = performance.now();
  for (let i = 0; i < messages.length; i++) core.onFrame(messages[i].topic, payloads[i], messages[i].tsNs);
  return messages.length / ((performance.now() - t0) / 1000);
}

/** µs per delta, p50 over batches of 64, on the synthetic 10-level books. */
function bookRebuildP50(messages: readonly SyntheticMessage[], symbol: string): number {
  const book = messages.filter((m) => m.topic.endsWith(symbol) && m.socket === "books");
  const firstCkpt = book.findIndex((m) => m.topic.includes("_book_ckpt"));
  const ckpt = parseBookCheckpoint(book[firstCkpt].payload);
  const deltas = book
    .slice(firstCkpt + 1)
    .filter((m) => m.topic.includes("_book_delta"))
    .map((m) => parseBookDelta(m.payload) as MarketstreamBookDelta);
  if (!("seq" in ckpt)) throw new Error("bench data: unparsable checkpoint");
  const samples: number[] = [];
  const BATCH = 64;
  for (let round = 0; round < 5; round++) {
    const r = new BookRebuilder();
    r.checkpoint(1, ckpt.bid_px, ckpt.bid_sz, ckpt.ask_px, ckpt.ask_sz);
    // Sequential seqs: the stream's own ckpts are skipped here, so renumber to keep every delta applying.
    for (let i = 0; i + BATCH <= deltas.length; i += BATCH) {
      const t0 = process.hrtime.bigint();
      for (let j = i; j < i + BATCH; j++) r.delta(j + 2, deltas[j].side, deltas[j].px, deltas[j].sz);
      samples.push(Number(process.hrtime.bigint() - t0) / 1000 / BATCH);
      r.lastSeq = i + BATCH + 1;
    }
    if (!r.valid) throw new Error("bench data: book became invalid");
  }
  return percentile(sortedCopy(samples), 50);
}

interface ZmqRun {
  readonly msgsPerS: number;
  readonly received: number;
  readonly feedDrops: number;
  readonly gaps: number;
  /** Last message processed − last message sent, ms: how far behind the publisher the feed finished. */
  readonly lagMs: number;
}

/** How one run's publisher is started: which process, and at what pace (0 = as fast as it can). */
interface Publishing {
  readonly publisher: FeedPublisher;
  readonly ratePerS: number;
}

/** Epoch ms of the first frame received and of the publisher's last send. */
interface PublishTimes {
  readonly firstAt: number;
  readonly lastSentAt: number;
}

function summarise(
  stats: FeedStats,
  received: number,
  expected: number,
  firstAt: number,
  lastAt: number,
  lastSentAt: number,
): ZmqRun {
  // Deltas that precede a symbol's first checkpoint wait for it by design; everything else is a real drop.
  const feedDrops = Object.entries(stats.drops).reduce(
    (sum, [reason, n]) => sum + (reason === "awaiting_checkpoint" ? 0 : n),
    0,
  );
  const gaps = stats.streams.reduce((sum, s) => sum + s.missing, 0);
  return {
    msgsPerS: msgsPerS(received, expected, firstAt, lastAt),
    received,
    feedDrops,
    gaps,
    lagMs: lastAt - lastSentAt,
  };
}

/** Messages per second between the first and the last, 0 unless every message arrived. */
function msgsPerS(received: number, expected: number, firstAt: number, lastAt: number): number {
  return received === expected ? received / ((lastAt - firstAt) / 1000) : 0;
}

/**
 * Publishes `messages` from a child process and hands every received frame to `onFrame`; resolves once
 * `finished` settles (or after 60 s) with the first frame's and the last send's times.
 */
async function publishThroughBridge(
  publishing: Publishing,
  messages: readonly SyntheticMessage[],
  registry: InstrumentRegistry,
  onFrame: (topic: string, payload: Buffer, recvNs: bigint) => void,
  finished: Promise<unknown>,
): Promise<PublishTimes> {
  const dir = mkdtempSync(path.join(tmpdir(), "leadlag-feed-bench-"));
  const file = path.join(dir, "messages.tsv");
  writeFileSync(file, messages.map((m) => `${m.socket}\t${m.topic}\t${m.payload}`).join("\n") + "\n");
  const tradesPort = 17800 + Math.floor(Math.random() * 90) * 2;
  const [command, args] = publishing.publisher.command(file, tradesPort, tradesPort + 1, publishing.ratePerS);
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const nextLine = () => new Promise<string>((resolve) => lines.once("line", resolve));
  let firstAt = 0;
  const bridge = new MarketDataBridge(
    {
      host: "127.0.0.1",
      tradesPort,
      booksPort: tradesPort + 1,
      topics: subscriptionTopics(
        ["HYPERLIQUID"],
        registry.instruments.map((i) => i.mdSymbol),
        marketstreamStreams(true),
      ),
      receiveHighWaterMark: 0,
      logger: pino({ level: "silent" }),
    },
    (topic, payload, recvNs) => {
      if (firstAt === 0) firstAt = performance.timeOrigin + performance.now();
      onFrame(topic, payload, recvNs);
    },
  );
  try {
    if ((await nextLine()) !== "ready") throw new Error("feed bench publisher did not start");
    bridge.start();
    await new Promise((r) => setTimeout(r, 500)); // subscriptions reach the publisher (ZeroMQ slow joiner)
    const sent = nextLine();
    child.stdin!.write("go\n");
    await Promise.race([finished, new Promise<void>((resolve) => setTimeout(resolve, 60_000).unref())]);
    const lastSentNs = (await sent).split(" ")[3];
    return { firstAt, lastSentAt: Number(BigInt(lastSentNs ?? "0") / 1000n) / 1000 };
  } finally {
    await bridge.close();
    child.stdin!.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Publishes `messages` through the bridge, each frame to `process`; when the last one was processed. */
async function throughBridge(
  publishing: Publishing,
  registry: InstrumentRegistry,
  messages: readonly SyntheticMessage[],
  process: FrameHandler,
): Promise<PublishTimes & { processed: number; lastAt: number }> {
  let processed = 0;
  let lastAt = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const times = await publishThroughBridge(
    publishing,
    messages,
    registry,
    (topic, payload, recvNs) => {
      process(topic, payload, recvNs);
      if (++processed === messages.length) {
        lastAt = performance.timeOrigin + performance.now();
        done();
      }
    },
    finished,
  );
  return { ...times, processed, lastAt };
}

/**
 * The bridge alone, every frame dropped on arrival: what receipt on the main thread allows the feed on the
 * machine it runs on.
 */
async function bridgeOnly(
  publishing: Publishing,
  registry: InstrumentRegistry,
  messages: readonly SyntheticMessage[],
): Promise<number> {
  const run = await throughBridge(publishing, registry, messages, () => {});
  return msgsPerS(run.processed, messages.length, run.firstAt, run.lastAt);
}

/** Bridge and feed core on the main thread, one after the other per message. */
async function singleThread(
  publishing: Publishing,
  registry: InstrumentRegistry,
  messages: readonly SyntheticMessage[],
): Promise<ZmqRun> {
  const core = benchFeedCore(registry);
  const run = await throughBridge(publishing, registry, messages, (topic, payload, recvNs) =>
    core.onFrame(topic, payload, recvNs),
  );
  return summarise(core.stats(), run.processed, messages.length, run.firstAt, run.lastAt, run.lastSentAt);
}

/**
 * `hot_thread: worker` (architecture §4): the bridge on the main thread writes `MarketDataFrame`s into a
 * ring, the feed core runs on a worker thread.
 */
async function pipelined(
  publishing: Publishing,
  registry: InstrumentRegistry,
  messages: readonly SyntheticMessage[],
): Promise<ZmqRun> {
  const ring = Ring.create(1 << 24, "block");
  const worker = new Worker(compiledUrl(new URL("./feed-worker.ts", import.meta.url)), {
    workerData: {
      ring: ring.buffer,
      rulesPath: fromRoot("configs/symbol_rules.csv"),
      expected: messages.length,
      maxClockSkewNs: MAX_CLOCK_SKEW_NS,
    },
  });
  const result = new Promise<{ doneAt: number; processed: number; malformed: number; stats: FeedStats }>(
    (resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    },
  );
  const out = new RingProducer(ring.buffer);
  const codec = createCodec();
  try {
    const times = await publishThroughBridge(
      publishing,
      messages,
      registry,
      (topic, payload, recvNs) => {
        const frame: MarketDataFrame = { type: "MarketDataFrame", topic, payload: payload.toString("utf8"), recvNs };
        const bytes = codec.encode(frame);
        if (!out.tryWrite(bytes)) out.write(bytes, 5_000);
      },
      result,
    );
    const { doneAt, processed, malformed, stats } = await result;
    const run = summarise(stats, processed, messages.length, times.firstAt, doneAt, times.lastSentAt);
    return { ...run, feedDrops: run.feedDrops + malformed };
  } finally {
    await worker.terminate();
  }
}

export const feedBench: Bench = {
  name: "feed",
  summary: "marketstream msgs/s through ZeroMQ bridge + feed core vs JSON.parse; book rebuild µs/delta",
  async run({ quick }) {
    const registry = parseSymbolRules(readFileSync(fromRoot("configs/symbol_rules.csv"), "utf8"));
    const messages = generate(registry, quick ? 100_000 : 400_000);
    const payloads = messages.map((m) => Buffer.from(m.payload));
    jsonParseRate(payloads.slice(0, 20_000)); // warm-up
    coreOnlyRate(registry, messages.slice(0, 20_000), payloads.slice(0, 20_000));
    const jsonParse = jsonParseRate(payloads);
    const coreOnly = coreOnlyRate(registry, messages, payloads);
    const rebuild = bookRebuildP50(messages, "BTC-USDC-PERP");
    const publisher = feedPublisher();
    const flat = { publisher, ratePerS: 0 };
    const receiveOnly = await bridgeOnly(flat, registry, messages);
    const oneThread = await singleThread(flat, registry, messages);
    const twoThreads = await pipelined(flat, registry, messages);
    const runs = [oneThread, twoThreads];
    // The target as a stream: the publisher paces 150 k msgs/s (native only: a Node publisher cannot pace
    // that without a core of its own); the feed keeps up if it is done within 10 ms of the last send.
    const keepUp: Record<string, unknown> = { rate_msgs_per_s: TARGET_RATE };
    if (publisher.kind === "native") {
      const paced = { publisher, ratePerS: TARGET_RATE };
      for (const [name, run] of [
        ["default", await singleThread(paced, registry, messages)],
        ["pipelined", await pipelined(paced, registry, messages)],
      ] as const) {
        runs.push(run);
        keepUp[`${name}_lag_ms`] = round(run.lagMs, 1);
        keepUp[`${name}_keeps_up`] = run.received === messages.length && run.lagMs <= KEEP_UP_LAG_MS;
      }
    }
    return {
      bench: "feed",
      msgs_per_s: Math.round(oneThread.msgsPerS),
      json_parse_msgs_per_s: Math.round(jsonParse),
      book_rebuild_us_p50: round(rebuild, 3),
      feed_core_only_msgs_per_s: Math.round(coreOnly),
      pipelined_msgs_per_s: Math.round(twoThreads.msgsPerS),
      bridge_only_msgs_per_s: Math.round(receiveOnly),
      publisher: publisher.kind,
      ...(publisher.fallbackReason === undefined ? {} : { publisher_note: publisher.fallbackReason }),
      keep_up: keepUp,
      messages: messages.length,
      received: oneThread.received,
      feed_drops: runs.reduce((sum, r) => sum + r.feedDrops, 0),
      seq_gaps: runs.reduce((sum, r) => sum + r.gaps, 0),
    };
  },
};
