import { z } from "zod";

/**
 * Host → supervisor events and the startup description. These cross threads by `postMessage` (structured
 * clone, a few per second at most; the main thread never spins, so it handles them at once), so they are
 * not in the msgpack catalogue; the schemas document and, in tests, check the shapes.
 */

const sab = z.instanceof(SharedArrayBuffer);

/** What a full channel does to its producer: overwrite the oldest frames (a gap the consumer sees) or wait. */
export const BACKPRESSURE_POLICIES = ["drop-oldest", "block"] as const;
export const BackpressurePolicy = z.enum(BACKPRESSURE_POLICIES);
export type BackpressurePolicy = z.output<typeof BackpressurePolicy>;

export const HostedActor = z.object({
  /** Global index: the actor's slot in the shared metrics block. */
  index: z.number().int().nonnegative(),
  name: z.string(),
  kind: z.string(),
  /** URL of the compiled module whose default export is the `ActorDef`. */
  moduleUrl: z.string(),
  config: z.unknown(),
});
export type HostedActor = z.output<typeof HostedActor>;

export const RingEnd = z.object({ buffer: sab, peer: z.string(), policy: BackpressurePolicy });
export type RingEnd = z.output<typeof RingEnd>;

export const HostStartup = z.object({
  type: z.literal("HostStartup"),
  thread: z.string(),
  actors: z.array(HostedActor),
  /** Channel names by global index; frames on rings carry the index. */
  channels: z.array(z.object({ name: z.string(), policy: BackpressurePolicy })),
  /** For each channel index, the threads (other than this one) with a reader of it. */
  remoteReaders: z.array(z.array(z.string())),
  inbound: z.array(RingEnd),
  outbound: z.array(RingEnd),
  /** Per-thread doorbells: a producer rings the consumer thread's bell after writing a frame. */
  doorbells: z.record(z.string(), sab),
  /** Supervisor → host command ring (absent on the main thread, which the supervisor calls directly). */
  control: sab.optional(),
  metricsBlock: sab,
  spinUs: z.number().nonnegative(),
  rehearseEveryUs: z.number().nonnegative(),
  blockDeadlineMs: z.number().positive(),
  faultInjection: z.boolean(),
  logLevel: z.string(),
  /** How often the host reports its actors' metrics (`metrics_aggregator.poll_interval_sec`); absent: 1 s. */
  metricsEveryMs: z.number().positive().optional(),
  /** Linux: the worker thread's nice value (a shadow's worker: 10); absent: the process's priority. */
  niceness: z.number().int().min(-20).max(19).optional(),
  /** Absent: JSON lines on stdout only. */
  logOutput: z.object({ structured: z.boolean(), toFile: z.boolean() }).optional(),
});
export type HostStartup = z.output<typeof HostStartup>;

export type { RestartActor, StopActors, InjectCrash, InjectStall, ActorCommand, SupervisorToHost } from "./control.js";

export const ActorStarted = z.object({ type: z.literal("ActorStarted"), actor: z.string(), thread: z.string() });
export type ActorStarted = z.output<typeof ActorStarted>;

export const ActorCrashed = z.object({
  type: z.literal("ActorCrashed"),
  actor: z.string(),
  error: z.string(),
  stack: z.string().optional(),
});
export type ActorCrashed = z.output<typeof ActorCrashed>;

export const ActorsStopped = z.object({
  type: z.literal("ActorsStopped"),
  actors: z.array(z.string()),
  /** Actors whose onStop threw or overran the timeout. */
  failed: z.array(z.string()),
});
export type ActorsStopped = z.output<typeof ActorsStopped>;

/** A fault the host cannot resolve alone, e.g. a `block` channel still full past its deadline. */
export const HostFault = z.object({ type: z.literal("HostFault"), thread: z.string(), reason: z.string() });
export type HostFault = z.output<typeof HostFault>;

export const MetricsReport = z.object({
  type: z.literal("MetricsReport"),
  samples: z.array(
    z.object({
      kind: z.enum(["counter", "gauge", "histogram"]),
      name: z.string(),
      labels: z.record(z.string(), z.string()),
      value: z.number(),
    }),
  ),
});
export type MetricsReport = z.output<typeof MetricsReport>;

/** The latest state an actor published for the control API (positions, orders, risk state); JSON-safe. */
export const ActorStatusReport = z.object({
  type: z.literal("ActorStatusReport"),
  actor: z.string(),
  status: z.unknown(),
});
export type ActorStatusReport = z.output<typeof ActorStatusReport>;

export type HostToSupervisor =
  | ActorStarted
  | ActorCrashed
  | ActorsStopped
  | HostFault
  | MetricsReport
  | ActorStatusReport;
