/**
 * `/health` in trading_core's shape (`{"status": "healthy", "subsystems": {"market_data": "ready", …}}`),
 * derived from the same actor states and published health as leadlag's own checks, so a tool written
 * for trading_core reads leadlag's `/health` unchanged.
 */
import type { HealthStatus } from "./http.js";
import type { ActorStatus } from "./supervisor.js";
import { publishedHealth } from "./health.js";

export type OverallStatus = "healthy" | "degraded" | "unhealthy";
export type Readiness = "ready" | "degraded" | "down";
export type SubsystemName = "market_data" | "execution" | "strategies";

export const OVERALL: Readonly<Record<HealthStatus, OverallStatus>> = {
  ok: "healthy",
  degraded: "degraded",
  down: "unhealthy",
};

/** Which of trading_core's subsystems an actor belongs to; undefined for none (a recorder). */
export function subsystemOf(actor: string): SubsystemName | undefined {
  if (actor === "feed" || actor === "market-synth" || actor === "md-bridge") return "market_data";
  if (actor === "orders" || actor === "venue" || actor === "risk") return "execution";
  if (actor.startsWith("strategy") || actor === "jumps" || actor.startsWith("estimator")) return "strategies";
  if (actor.startsWith("shadow-")) return "strategies";
  return undefined;
}

/**
 * Each subsystem: `down` while one of its actors is not running (or the daemon stops), `degraded` while
 * one says so in its published health (the feed: a symbol stale past `risk.global.reject_on_stale_data_ms`;
 * the engine venue: no report within its deadline) or, for execution, while the risk breaker is not
 * ACTIVE; else `ready`.
 */
export function subsystemReadiness(
  actors: readonly ActorStatus[],
  statusOf: (name: string) => unknown,
  stopping: boolean,
): Record<SubsystemName, Readiness> {
  const result: Record<SubsystemName, Readiness> = { market_data: "ready", execution: "ready", strategies: "ready" };
  for (const actor of actors) {
    const subsystem = subsystemOf(actor.name);
    if (subsystem === undefined) continue;
    if (stopping || actor.state !== "running") {
      result[subsystem] = "down";
      continue;
    }
    const health = publishedHealth(statusOf(actor.name));
    const degraded = health === "malformed" || health?.status === "degraded";
    if (degraded && result[subsystem] === "ready") result[subsystem] = "degraded";
  }
  // A breaker that is not ACTIVE blocks entries: execution is degraded, as `/health`'s risk check says.
  const breaker = (statusOf("risk") as { breaker?: { state?: unknown } } | undefined)?.breaker?.state;
  if (breaker !== undefined && breaker !== "ACTIVE" && result.execution === "ready") result.execution = "degraded";
  return result;
}
