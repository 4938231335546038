/**
 * Runs one backtest: the replay source's events, each at its receipt time plus the feed latency, into the
 * daemon's actors on the inline runtime, whose simulated clock only moves with event time; then the
 * record the report is computed from.
 */
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { Config } from "../../config/index.js";
import { configHash, loadRegistry, universe } from "../../config/index.js";
import { collateralAsset } from "../../model/collateral.js";
import { secondsToNs, type Nanos } from "../../model/time.js";
import type { ActorCrashed, HostToSupervisor } from "../../protocol/host.js";
import type { ActorDef } from "../../runtime/actor.js";
import { InlineRuntime } from "../../runtime/inline.js";
import { resolveChildSpecs, type ResolvedChildSpec } from "../../supervisor/child-spec.js";
import { loadDefs } from "../../supervisor/system.js";
import type { ReplayPort } from "../../actors/feed/replay/actor.js";
import type { BacktestRecord } from "../report/record.js";
import { openSource } from "../sources/open.js";
import type { ReplaySource } from "../sources/source.js";
import { backtestChildren, decisionsPath } from "./children.js";
import { readDecisions } from "./decisions.js";
import { observerActor } from "./observer.js";
import type { BacktestPlan } from "./plan.js";
import { RecordBuilder } from "./record-builder.js";

/** Nothing to replay: exit 2, the message naming the symbols and the window. */
export class NoData extends Error {
  override readonly name = "NoData";
}

/** The replay stopped: an actor crashed (a backtest does not restart actors: the result would be a different run). */
export class BacktestFailed extends Error {
  override readonly name = "BacktestFailed";
}

export interface ReplayProgress {
  /** Delivery time of the last event replayed. */
  readonly eventNs: Nanos;
  readonly events: number;
}

export interface RunBacktestOptions {
  readonly log: Logger;
  /** Called after every batch of events. */
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Where to copy the strategy's decision-score CSV of the run (it is otherwise removed with the run's files). */
  readonly decisionsCsv?: string;
  /** What runs the actors: the inline runtime; a benchmark swaps in a plain loop to measure the runtime's cost. */
  readonly actorLoop?: ActorLoopFactory;
}

/** What the runner needs of the runtime that hosts the actors (InlineRuntime has it). */
export interface ActorLoop {
  readonly clock: { now(): Nanos };
  /** Host events (crashes); the runner reads and clears them. */
  readonly events: HostToSupervisor[];
  start(): Promise<void>;
  runUntil(endNs: Nanos): void;
  stop(actors: readonly string[]): Promise<unknown>;
}

export type ActorLoopFactory = (
  children: readonly ResolvedChildSpec[],
  defs: ReadonlyMap<string, ActorDef>,
  startNs: Nanos,
  log: Logger,
) => ActorLoop;

const inlineLoop: ActorLoopFactory = (children, defs, startNs, log) => new InlineRuntime(children, defs, startNs, log);

/** At most this many equity and price samples per symbol over the window (1 s apart at least). */
const MAX_SAMPLES = 5000;
const OBSERVER = "backtest-observer";

export function windowText(plan: BacktestPlan): string {
  const iso = (ns: Nanos) => new Date(Number(ns / 1_000_000n)).toISOString();
  return `[${iso(plan.startNs)}, ${iso(plan.endNs)})`;
}

/** Opens the source and refuses an empty window before any actor starts. */
export async function openReplay(plan: BacktestPlan, log: Logger): Promise<ReplaySource> {
  const source = await openSource(
    plan.source,
    { window: { startNs: plan.startNs, endNs: plan.endNs }, symbols: plan.recordedSymbols, batchSize: plan.batchSize },
    plan.tables,
  );
  try {
    const probe = await source.probe();
    if (probe.total === 0)
      throw new NoData(`no data for ${plan.symbols.join(", ")} in ${windowText(plan)} in ${source.description}`);
    const empty = plan.recordedSymbols.filter((s) => (probe.perSymbol.get(s) ?? 0) === 0);
    if (empty.length > 0) log.warn({ symbols: empty, window: windowText(plan) }, "symbols without data in the window");
    return source;
  } catch (err) {
    await source.close();
    throw err;
  }
}

export async function runBacktest(
  config: Config,
  plan: BacktestPlan,
  source: ReplaySource,
  options: RunBacktestOptions,
): Promise<BacktestRecord> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), "leadlag-backtest-"));
  try {
    const record = await replay(config, plan, source, workDir, options);
    if (options.decisionsCsv !== undefined) await copyFile(decisionsPath(workDir), options.decisionsCsv);
    return record;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function replay(
  config: Config,
  plan: BacktestPlan,
  source: ReplaySource,
  workDir: string,
  options: RunBacktestOptions,
): Promise<BacktestRecord> {
  const wallStart = performance.now();
  const registry = await loadRegistry(config);
  const symbolOf = new Map(universe(config, registry).map((u) => [u.id, u.symbol]));
  const initialEquity = Object.entries(config.initial_balance)
    .filter(([asset]) => collateralAsset(asset) === "USD")
    .reduce((sum, [, amount]) => sum + amount, 0);
  const window = plan.endNs - plan.startNs;
  const sampleEveryNs = window / BigInt(MAX_SAMPLES) > secondsToNs(1) ? window / BigInt(MAX_SAMPLES) : secondsToNs(1);
  const builder = new RecordBuilder(initialEquity, sampleEveryNs);

  const port: ReplayPort = {};
  const specs = resolveChildSpecs([
    ...backtestChildren(config, { port, workDir, seed: plan.seed }),
    { name: OBSERVER, module: `leadlag:${OBSERVER}`, thread: "inline" },
  ]);
  const trading = specs.filter((s) => s.name !== OBSERVER);
  const defs: Map<string, ActorDef> = await loadDefs(trading);
  defs.set(OBSERVER, observerActor(builder, symbolOf));
  const runtime = (options.actorLoop ?? inlineLoop)(specs, defs, plan.startNs, options.log);
  await runtime.start();
  const failure = () => {
    const crashed = runtime.events.find((e): e is ActorCrashed => e.type === "ActorCrashed");
    runtime.events.length = 0; // statuses and the like: a backtest has no supervisor to read them
    if (crashed !== undefined)
      throw new BacktestFailed(`actor ${crashed.actor} crashed at ${runtime.clock.now()} ns: ${crashed.error}`);
  };
  failure();
  const deliver = port.deliver;
  if (deliver === undefined) throw new BacktestFailed("the replay feed did not start");

  const replayStart = performance.now();
  const feedDrops: Record<string, number> = {};
  let events = 0;
  let firstEventNs: Nanos | undefined;
  let lastEventNs: Nanos | undefined;
  try {
    for await (const batch of source.batches()) {
      for (const event of batch) {
        const at = event.recvNs + plan.feedLatencyNs;
        runtime.runUntil(at);
        deliver(event.topic, event.wire, at);
      }
      events += batch.length;
      if (batch.length > 0) {
        firstEventNs ??= batch[0].recvNs;
        lastEventNs = batch[batch.length - 1].recvNs;
      }
      failure();
      if (lastEventNs !== undefined) {
        options.onProgress?.({ eventNs: lastEventNs, events });
        const waitMs = paceDelayMs(plan.speedMultiplier, firstEventNs!, lastEventNs, performance.now() - replayStart);
        if (waitMs >= 1) await sleep(waitMs);
      }
    }
    // The last event's cascade (a fill, an order) is handled at its own time.
    runtime.runUntil(runtime.clock.now());
    failure();
    for (const [reason, n] of Object.entries(port.drops?.() ?? {})) if (n > 0) feedDrops[`feed_${reason}`] = n;
  } finally {
    await runtime.stop(specs.map((s) => s.name));
  }
  const endNs = runtime.clock.now();
  const openAtEnd = builder.finish(endNs);
  const { decisions, leaderOf } = await readDecisions(decisionsPath(workDir));
  return {
    meta: {
      startNs: plan.startNs,
      endNs: plan.endNs,
      firstEventNs,
      lastEventNs,
      symbols: plan.symbols,
      source: source.description,
      seed: plan.seed,
      configHash: configHash(config),
      initialEquity,
      eventsReplayed: events,
      rowsSkipped: { ...source.drops(), ...feedDrops },
      wallSeconds: (performance.now() - wallStart) / 1000,
    },
    trades: builder.trades.map((t) => ({ ...t, leader: leaderOf.get(t.intentId) ?? "" })),
    decisions,
    jumps: builder.jumps,
    equity: builder.equity,
    prices: builder.prices,
    feesPaid: builder.feesPaid,
    openAtEnd,
  };
}

/**
 * `speed_multiplier`: how long to wait so that event time runs at most `speed` times faster than the wall
 * clock since the replay began (0 = never wait).
 */
export function paceDelayMs(speed: number, firstNs: Nanos, lastNs: Nanos, elapsedMs: number): number {
  if (speed <= 0) return 0;
  return Math.max(0, Number(lastNs - firstNs) / 1e6 / speed - elapsedMs);
}
