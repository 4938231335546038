import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as zmq from "zeromq";
import { pino } from "pino";
import { compiledUrl } from "../src/runtime/paths.js";
import { startSystem } from "../src/supervisor/system.js";
import { childSpecsFor, spinPlan } from "../src/supervisor/children.js";
import { parseConfig, loadRegistry } from "../src/config/index.js";
import type { JumpDetected } from "../src/protocol/signals.js";
import type { Trade } from "../src/protocol/market-data.js";
import type { ProposeOrder } from "../src/protocol/orders.js";
import { syntheticSpecFromConfig } from "../src/actors/market-synth/spec.js";
import { startPeer } from "./peer.js";
import { recordEngineHandoffs } from "./engine-standin.js";
import type { EngineArrival } from "./workers/engine-peer.js";
import type { MarketPeerData, MarketPeerRecords } from "./workers/market-peer.js";
import type { DecisionStage } from "./actors/decision-tap.js";
import { sortedCopy, tradeKey } from "./bench.js";
import { freePort } from "./ports.js";
import { wallClockNs } from "../src/runtime/clock.js";

/** The floor: PUSH → PULL → PUSH → PULL on loopback TCP, one message in flight. */
export async function zmqRoundTripUs(n: number): Promise<Float64Array> {
  const [a, b] = [await freePort(), await freePort()];
  const pullA = new zmq.Pull();
  const pullB = new zmq.Pull();
  await pullA.bind(`tcp://127.0.0.1:${a}`);
  await pullB.bind(`tcp://127.0.0.1:${b}`);
  const toA = new zmq.Push();
  const toB = new zmq.Push();
  toA.connect(`tcp://127.0.0.1:${a}`);
  toB.connect(`tcp://127.0.0.1:${b}`);
  const samples: number[] = [];
  for (let i = 0; i < n + 100; i++) {
    const t0 = performance.now();
    await toB.send("ping");
    await pullB.receive();
    await toA.send("pong");
    await pullA.receive();
    if (i >= 100) samples.push((performance.now() - t0) * 1000);
  }
  for (const s of [pullA, pullB, toA, toB]) s.close();
  return sortedCopy(samples);
}

function harnessConfig(dir: string, p: { trades: number; books: number; orders: number; events: number }) {
  return parseConfig(
    `
mode: live
runtime:
  account_id: bench-decision
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")} }
  spin: ${process.env.LEADLAG_BENCH_SPIN ?? "{}"}
  placement: ${process.env.LEADLAG_BENCH_PLACEMENT ?? "{}"}
market_data:
  provider: zmq
  exchanges: [HYPERLIQUID]
  port: ${p.trades}
  books_port: ${p.books}
  deltas: { enabled: true }   # the harness's publisher sends deltas + checkpoints (synthetic book_mode default)
  synthetic:
    seed: 3
    symbols:
      - { symbol: BTC-USDT-PERP, price: 97000, volatility_bps: 1.0, jump_rate_per_min: 20, jump_bps: 60 }
      - { symbol: ETH-USDT-PERP, price: 3100, leader: BTC-USDT-PERP, lag_ms: 1500, correlation: 0.85 }
      - { symbol: SOL-USDT-PERP, price: 145, leader: BTC-USDT-PERP, lag_ms: 1000, correlation: 0.8 }
execution: { provider: zmq, mode: paper, host: 127.0.0.1, orders_port: ${p.orders}, events_port: ${p.events} }
initial_balance: { USDT: 1000000000 }
strategies:
  - name: bench
    type: leadlag
    config:
      symbols: [BTC-USDT-PERP, ETH-USDT-PERP, SOL-USDT-PERP]
      artifacts_path: ${path.join(dir, "no-artifacts")}
      inference_lookback_seconds: 30
      atr_require_ready: false
      stop_loss_bps: 30
      take_profit_bps: 60
      time_limit_seconds: 3
      hazard_window_seconds: 0
      allow_stacking: true
      enable_fee_gate: false
      max_concurrent_positions: 1000
      max_total_notional_usd: 1000000000
      decision_scores_csv_path: ${path.join(dir, "decisions.csv")}
risk:
  global: { max_notional_per_order: 1000000000, max_ord_rate_per_sec: 1000000, max_open_orders: 100000000 }
  portfolio: { max_gross_usd: 1000000000000 }
observability: { logging: { level: warn } }
`,
    { env: {} },
  );
}

export interface DecisionSamples {
  /** Jump-triggering trade received by the bridge → entry order leaving the strategy, µs. */
  readonly decisionUs: Float64Array;
  /** Jump-triggering trade published → entry order received on the engine's PULL socket, µs. */
  readonly tickToOrderUs: Float64Array;
  /**
   * Jump-triggering trade received by the bridge → its entry order handed to ZeroMQ by the engine venue: the daemon's
   * own part, µs.
   */
  readonly daemonUs: Float64Array;
  /** Trade received → each stage seen by a tap on the main thread, µs (first scan result per jump). */
  readonly stagesUs: Record<"jump" | DecisionStage, Float64Array>;
  readonly jumps: number;
  /**
   * A bare ring round trip between the main thread and the estimator shard's worker, probed while the daemon runs, µs.
   */
  readonly loadedRingRoundTripUs: Float64Array;
  /** Its way there: ping sent on main → handled on the shard's worker, µs. */
  readonly loadedRingForwardUs: Float64Array;
}

/**
 * The whole daemon (bridge, feed, estimator shard on its worker, jumps, strategy, risk, orders, engine
 * venue) in real time, against a synthetic market published from a thread of its own, which also holds
 * the engine's PULL socket (bench/workers/market-peer.ts): the daemon's threads carry only the daemon.
 * Entries are attributed to the last jump seen before them (jumps are seconds apart, entries follow
 * within a millisecond), and a jump to its own trade: the last print of the jump's symbol the tap saw,
 * which has the jump's timestamp. Trades are told apart by timestamp and seq: several trades can share
 * a timestamp (a sweep, or two symbols), and matching by timestamp alone once gave a trade published
 * after the order arrived. Placement and spin default to the daemon's; `LEADLAG_BENCH_PLACEMENT` and
 * `LEADLAG_BENCH_SPIN` (YAML flow maps of `runtime.placement` and `runtime.spin`, e.g.
 * `{hot_thread: worker}`, `{estimator_spin_us: 0}`) try others.
 */
export async function runDecisionHarness(durationMs: number): Promise<DecisionSamples> {
  const ports = {
    trades: await freePort(),
    books: await freePort(),
    orders: await freePort(),
    events: await freePort(),
  };
  const dir = mkdtempSync(path.join(tmpdir(), "leadlag-decision-"));
  const config = harnessConfig(dir, ports);
  const lastTradeOf = new Map<number, Trade>();
  const jumpOfIntent = new Map<string, string>();
  const receiptOfIntent = new Map<string, bigint>();
  let jumpTrade: Trade | undefined;
  const decisionUs: number[] = [];
  let jumps = 0;
  const stages: Record<"jump" | DecisionStage, number[]> = {
    jump: [],
    scan_result: [],
    approved: [],
    placed: [],
  };
  const ringRoundTrips: number[] = [];
  const ringForward: number[] = [];
  const seenStages = new Set<string>();
  const sinceJumpTrade = () => (jumpTrade === undefined ? undefined : Number(wallClockNs() - jumpTrade.recvNs) / 1000);
  const stage = (name: "jump" | DecisionStage) => {
    const us = sinceJumpTrade();
    if (us !== undefined && !seenStages.has(name)) stages[name].push(us);
    seenStages.add(name);
  };
  const peerData: MarketPeerData = {
    spec: syntheticSpecFromConfig(config.market_data.synthetic, await loadRegistry(config)),
    tradesPort: ports.trades,
    booksPort: ports.books,
    ordersPort: ports.orders,
  };
  const peer = await startPeer<MarketPeerRecords>(new URL("./workers/market-peer.ts", import.meta.url), peerData);
  // The tap first: actors on one thread get a message in child order, so it sees scan results before the
  // strategy works on it, and stamps stages on arrival.
  const daemon = childSpecsFor(config);
  // The ring probe's ponger shares the first estimator shard's thread, wherever the placement puts it.
  const shardThread = daemon.find((c) => c.name === "estimator-0")!.thread;
  const specs = [
    {
      name: "decision-tap",
      module: compiledUrl(new URL("./actors/decision-tap.ts", import.meta.url)).href,
      thread: "main",
      config: {
        onTrade: (t: Trade) => lastTradeOf.set(t.instrument, t),
        onJump: (j: JumpDetected) => {
          const trade = lastTradeOf.get(j.instrument);
          jumpTrade = trade?.tsNs === j.tsNs ? trade : undefined;
          jumps++;
          seenStages.clear();
          stage("jump");
        },
        onStage: stage,
        onProposal: (o: ProposeOrder) => {
          const us = sinceJumpTrade();
          if (o.role !== "entry" || us === undefined || jumpTrade === undefined) return;
          decisionUs.push(us);
          jumpOfIntent.set(o.intentId, tradeKey(jumpTrade.tsNs, jumpTrade.seq));
          receiptOfIntent.set(o.intentId, jumpTrade.recvNs);
        },
      },
    },
    ...daemon,
    {
      name: "ring-prober",
      module: compiledUrl(new URL("./actors/ring-prober.ts", import.meta.url)).href,
      thread: "main",
      config: {
        everyMs: 97,
        record: (us: number, forwardUs: number) => (ringRoundTrips.push(us), ringForward.push(forwardUs)),
      },
    },
    {
      name: "ring-ponger",
      module: compiledUrl(new URL("./actors/hop-ponger.ts", import.meta.url)).href,
      thread: shardThread,
      config: { stampArrival: true },
    },
  ];
  const handoffs = recordEngineHandoffs();
  const supervisor = await startSystem(specs, {
    log: pino({ level: "warn" }),
    logLevel: "warn",
    spinUs: spinPlan(config),
    rehearseEveryUs: config.runtime.spin.rehearse_every_us,
  });
  await new Promise((r) => setTimeout(r, durationMs));
  await supervisor.stop();
  handoffs.restore();
  const { published, arrivals } = await peer.stop();
  const publishedAt = new Map(published);
  return {
    decisionUs: sortedCopy(decisionUs),
    // Jump trade published → order arrived at the engine; jump trade received → order handed to ZeroMQ.
    tickToOrderUs: sortedCopy(
      sinceStart(arrivals, (intent) => {
        const trade = jumpOfIntent.get(intent);
        return trade === undefined ? undefined : publishedAt.get(trade);
      }),
    ),
    daemonUs: sortedCopy(sinceStart(handoffs.handoffs, (intent) => receiptOfIntent.get(intent))),
    stagesUs: Object.fromEntries(Object.entries(stages).map(([name, us]) => [name, sortedCopy(us)])) as Record<
      "jump" | DecisionStage,
      Float64Array
    >,
    jumps,
    loadedRingRoundTripUs: sortedCopy(ringRoundTrips),
    loadedRingForwardUs: sortedCopy(ringForward),
  };
}

const INTENT = /"intent_id":"([^"]+)"/;

/** µs from each entry's start (by intent id) to the time its `place` frame was stamped (handed over, or arrived). */
function sinceStart(frames: readonly EngineArrival[], startOfIntent: (intent: string) => bigint | undefined): number[] {
  const out: number[] = [];
  for (const f of frames) {
    const intent = INTENT.exec(f.frame)?.[1];
    const startNs = intent === undefined ? undefined : startOfIntent(intent);
    if (startNs !== undefined && f.frame.includes('"action":"place"')) out.push(Number(f.arrivedNs - startNs) / 1000);
  }
  return out;
}
