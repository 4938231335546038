import { z } from "zod";
import { defineMessage } from "./message.js";

/**
 * Supervisor → host commands. They travel on a per-worker control ring checked every loop turn (not by
 * `postMessage`, whose delivery waits for the worker's event loop, which a busy worker visits late).
 */
export const RestartActor = defineMessage(
  z.object({
    type: z.literal("RestartActor"),
    actor: z.string(),
    delayMs: z.number().nonnegative(),
    /** True for an operator restart: the old instance is stopped and its snapshot handed to the new one. */
    graceful: z.boolean(),
  }),
);
export type RestartActor = z.output<typeof RestartActor.schema>;

export const StopActors = defineMessage(
  z.object({ type: z.literal("StopActors"), actors: z.array(z.string()), timeoutMs: z.number() }),
);
export type StopActors = z.output<typeof StopActors.schema>;

/**
 * Fault injection: the target actor's next handler call throws, or, given `at`, it crashes when it next
 * passes that fault point (`ctx.faultPoint`). Only honoured with `fault_injection: true`.
 */
export const InjectCrash = defineMessage(
  z.object({ type: z.literal("InjectCrash"), actor: z.string(), at: z.string().optional() }),
);
export type InjectCrash = z.output<typeof InjectCrash.schema>;

/**
 * Fault injection: the target actor's next handler call spins forever (a core stuck in a loop bounded by
 * data alone). Only honoured with `fault_injection: true`; the watchdogs must notice and recover.
 */
export const InjectStall = defineMessage(z.object({ type: z.literal("InjectStall"), actor: z.string() }));
export type InjectStall = z.output<typeof InjectStall.schema>;

/** An operator command for one actor (e.g. `reset` for the risk breaker); `argsJson` is its JSON arguments. */
export const ActorCommand = defineMessage(
  z.object({ type: z.literal("ActorCommand"), actor: z.string(), command: z.string(), argsJson: z.string() }),
);
export type ActorCommand = z.output<typeof ActorCommand.schema>;

export type SupervisorToHost = RestartActor | StopActors | InjectCrash | InjectStall | ActorCommand;

/** A probe answered with a `Pong`; used by liveness checks, benchmarks and tests. */
export const Ping = defineMessage(z.object({ type: z.literal("Ping"), id: z.number().int(), sentNs: z.bigint() }));
export type Ping = z.output<typeof Ping.schema>;

export const Pong = defineMessage(
  z.object({ type: z.literal("Pong"), id: z.number().int(), sentNs: z.bigint(), actor: z.string() }),
);
export type Pong = z.output<typeof Pong.schema>;
