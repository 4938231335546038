/** `runtime:` — process-level settings: identity, journal, actor placement, supervision, control API. */
import { z } from "zod";
import { expected } from "../messages.js";
import {
  flag,
  nonNegativeInt,
  numeric,
  optionalText,
  positiveInt,
  positiveNumber,
  reportRule,
  text,
  uniqueList,
} from "./fields.js";

/** Actors that may share the hot worker (estimator shards are placed on their own workers). */
export const HOT_WORKER_ACTORS = [
  "feed",
  "jumps",
  "strategy",
  "risk",
  "orders",
  "venue",
  "market-synth",
  "estimator",
] as const;

const ackTimeoutsSchema = z.strictObject({
  ioc: positiveInt().default(3000), // IOC / market orders
  gtc: positiveInt().default(15000), // GTC / posted orders
});

const journalSchema = z.strictObject({
  path: text().default("./data/journal.log"),
  fsync: z.enum(["none", "interval", "every_event"]).default("interval"),
  fsync_interval_ms: positiveInt().default(100),
});

const estimatorShardsSchema = z.union([z.literal("auto"), positiveInt()], { error: expected.positiveIntOrAuto });

const placementSchema = z.strictObject({
  layout: z.enum(["default", "isolated", "inline"]).default("default"),
  // Where the hot_worker actors run. `main` (default): beside the ZeroMQ sockets, so a tick reaches the
  // order socket without waking another thread; `worker`: a thread of their own, isolated from the
  // supervisor. ZeroMQ sockets stay on main either way (docs/architecture.md, placement).
  hot_thread: z.enum(["main", "worker"]).default("main"),
  estimator_shards: estimatorShardsSchema.default("auto"),
  hot_worker: uniqueList(z.enum(HOT_WORKER_ACTORS)).default(["feed", "jumps", "strategy", "risk", "orders", "venue"]),
});

const spinSchema = z.strictObject({
  // worker threads: busy-poll this long after work before parking; 0 parks at once
  spin_us: nonNegativeInt().default(50),
  main_spin_us: nonNegativeInt().default(200), // the main thread: polls rings and sockets this long after work
  // estimator workers: stay awake between ticks, so a scan never waits for a wake-up
  estimator_spin_us: nonNegativeInt().default(5000),
  // while a thread spins, its actors rehearse their decision path this often (warm caches); 0 = never
  rehearse_every_us: nonNegativeInt().default(200),
});

const supervisorSchema = z
  .strictObject({
    strategy: z.enum(["one_for_one", "rest_for_one", "one_for_all"]).default("one_for_one"),
    // OTP's 1 restart in 5 s is too tight for a daemon whose feed may flap; 10 in 60 s still escalates a crash loop.
    intensity: nonNegativeInt().default(10),
    period_s: positiveNumber().default(60),
    backoff_initial_ms: positiveInt().default(50),
    backoff_max_ms: positiveInt().default(5000),
    heartbeat_timeout_ms: positiveInt().default(3000),
    shutdown_timeout_ms: positiveInt().default(2000),
  })
  .superRefine((s, ctx) => {
    if (s.backoff_initial_ms > s.backoff_max_ms)
      reportRule(ctx, ["backoff_initial_ms"], s.backoff_initial_ms, expected.atMostField("backoff_max_ms"));
  });

const watchdogSchema = z.strictObject({
  enabled: flag().default(true), // a thread of its own kills the process when the main thread stalls
  // Far above any handler (µs to ms) and GC pause; below systemd's WatchdogSec / 2, so this one, which names
  // the stalled actor, fires first. Under 500 ms an ordinary major GC could kill the daemon.
  stall_ms: numeric(z.number().int().min(500)).default(5000),
});

// What a stop does before the actors stop (docs/operations.md, "Stopping"): entries stop, open orders are
// canceled and, with `flatten`, positions closed by reduce-only IOC orders, all within `timeout_ms`.
const shutdownSchema = z.strictObject({
  flatten: flag().default(false),
  timeout_ms: positiveInt().default(10_000),
  // a flatten order's protection price: the mid moved this far against it (also used by a HALTED breaker)
  flatten_band_bps: positiveNumber().default(50),
});

const controlSchema = z.strictObject({
  token: optionalText(), // usually ${LEADLAG_CONTROL_TOKEN:}; required to bind the health server off loopback
  fault_injection: flag().default(false), // enables POST /control/actors/{name}/crash and /stall
});

export const runtimeSchema = z.strictObject({
  account_id: text().default("paper-1"),
  db_path: text().default("./data/trading.db"), // embedded journal location when no database URL is given
  database_url: optionalText(), // PostgreSQL URL; the journal falls back to env DATABASE_URL where it is opened
  order_manager: z
    .strictObject({
      ack_timeout_ms: ackTimeoutsSchema.prefault({}),
      // finished orders kept in memory (queries, late reports); all stay in the journal
      terminal_orders_kept: positiveInt().default(10_000),
    })
    .prefault({}),
  journal: journalSchema.prefault({}),
  placement: placementSchema.prefault({}),
  spin: spinSchema.prefault({}),
  supervisor: supervisorSchema.prefault({}),
  watchdog: watchdogSchema.prefault({}),
  shutdown: shutdownSchema.prefault({}),
  control: controlSchema.prefault({}),
});

/** Resolves `estimator_shards: auto` to max(1, cores − 1): one core stays for the hot worker and main thread. */
export function estimatorShardCount(
  placement: { readonly estimator_shards: number | "auto" },
  cpuCount: number,
): number {
  return placement.estimator_shards === "auto" ? Math.max(1, cpuCount - 1) : placement.estimator_shards;
}
