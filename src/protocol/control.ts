import { z } from "zod";
import { defineMessage } from "./message.js";

/** Asks an actor's host to stop the actor cleanly (shutdown phase), answered by nothing: the host reports. */
export const StopActor = defineMessage(z.object({ type: z.literal("StopActor"), actor: z.string(), reason: z.string() }));
export type StopActor = z.output<typeof StopActor.schema>;

/** Fault injection: the target actor's next handler call throws. Only honoured with `fault_injection: true`. */
export const CrashActor = defineMessage(z.object({ type: z.literal("CrashActor"), actor: z.string() }));
export type CrashActor = z.output<typeof CrashActor.schema>;

/** A probe that actors echo back as `Pong`; used by liveness checks, benchmarks and tests. */
export const Ping = defineMessage(z.object({ type: z.literal("Ping"), id: z.number().int(), sentNs: z.bigint() }));
export type Ping = z.output<typeof Ping.schema>;

export const Pong = defineMessage(
  z.object({ type: z.literal("Pong"), id: z.number().int(), sentNs: z.bigint(), actor: z.string() }),
);
export type Pong = z.output<typeof Pong.schema>;
