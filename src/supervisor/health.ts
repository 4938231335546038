/**
 * The `/health` checks over the actors: whether they run, what they say of themselves (the `health`
 * field of their published status) and how long the main thread's event loop was blocked. Each reason
 * names its source, so `/health` says what is wrong and where.
 */
import type { SubsystemHealth } from "./http.js";
import type { ActorStatus } from "./supervisor.js";
import type { EventLoopLagWindow } from "./event-loop-lag.js";
import type { ActorHealth } from "../protocol/status.js";

export const MALFORMED_HEALTH = "published a health field that is not {status: ok|degraded, reasons: [text]}";

export function runStateCheck(actors: readonly ActorStatus[], stopping: boolean): SubsystemHealth {
  const down = actors.filter((a) => a.state !== "running");
  if (stopping) return { status: "down", down: down.map((a) => a.name), reasons: ["daemon: stopping"] };
  return {
    status: down.length === 0 ? "ok" : "degraded",
    down: down.map((a) => a.name),
    reasons: down.map((a) => `${a.name}: ${a.state}`),
  };
}

/** An actor's `health` as it last published it; undefined when it publishes none. */
export function publishedHealth(status: unknown): ActorHealth | "malformed" | undefined {
  if (typeof status !== "object" || status === null || !("health" in status)) return undefined;
  const health: unknown = status.health;
  return isActorHealth(health) ? health : "malformed";
}

function isActorHealth(value: unknown): value is ActorHealth {
  if (typeof value !== "object" || value === null) return false;
  const { status, reasons } = value as Record<string, unknown>;
  return (
    (status === "ok" || status === "degraded") && Array.isArray(reasons) && reasons.every((r) => typeof r === "string")
  );
}

/** Degraded while any actor says it is (or publishes a health field that cannot be read). */
export function actorHealthCheck(names: readonly string[], statusOf: (name: string) => unknown): SubsystemHealth {
  const actors: Record<string, ActorHealth | "malformed"> = {};
  const reasons: string[] = [];
  for (const name of names) {
    const health = publishedHealth(statusOf(name));
    if (health === undefined) continue;
    actors[name] = health;
    if (health === "malformed") reasons.push(`${name}: ${MALFORMED_HEALTH}`);
    else if (health.status === "degraded") {
      reasons.push(
        ...(health.reasons.length > 0
          ? health.reasons.map((r) => `${name}: ${r}`)
          : [`${name}: degraded (no reason given)`]),
      );
    }
  }
  return { status: reasons.length > 0 ? "degraded" : "ok", reasons, actors };
}

/** Degraded while the main thread's loop runs late: the 99th percentile of its delay past the limit. */
export function eventLoopCheck(window: EventLoopLagWindow, maxLagMs: number): SubsystemHealth {
  const p99 = Math.round(window.p99Ms);
  const over = window.p99Ms > maxLagMs;
  return {
    status: over ? "degraded" : "ok",
    lag_p99_ms: p99,
    lag_max_ms: Math.round(window.maxMs),
    max_lag_ms: maxLagMs,
    reasons: over
      ? [`event loop: the main thread's timers ran ${p99} ms late (99th percentile; limit ${maxLagMs} ms)`]
      : [],
  };
}
