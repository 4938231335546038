/**
 * Whether the trading engine answers, for `/health` (execution): the engine sends no heartbeat, so an
 * order put on the wire is the probe. Degraded while an order went out more than `deadlineMs` ago and no
 * report or fill has come back since, or while the events link, once connected, is down. A quiet engine
 * with nothing asked of it is not degraded. Pure: time passed in.
 */
import type { ActorHealth } from "../../protocol/status.js";

export interface EngineLivenessStatus {
  /** Seconds since the last report or fill; null before the first. */
  last_report_age_s: number | null;
  /** Seconds the oldest unanswered order has waited; null when every sent order was answered. */
  awaiting_report_s: number | null;
  events_link: "connected" | "disconnected" | "not yet connected";
  health: ActorHealth;
}

export class EngineLiveness {
  private awaitingSinceMs: number | undefined;
  private lastReportMs: number | undefined;
  private link: EngineLivenessStatus["events_link"] = "not yet connected";

  /** @param deadlineMs the longest an order waits for its first report (`runtime.order_manager.ack_timeout_ms.gtc`). */
  constructor(private readonly deadlineMs: number) {}

  /** An order or cancel frame went out. */
  sent(nowMs: number): void {
    this.awaitingSinceMs ??= nowMs;
  }

  /** A report or fill came back: the engine answers. */
  received(nowMs: number): void {
    this.lastReportMs = nowMs;
    this.awaitingSinceMs = undefined;
  }

  linked(connected: boolean): void {
    this.link = connected ? "connected" : "disconnected";
  }

  status(nowMs: number): EngineLivenessStatus {
    const reasons: string[] = [];
    const awaitingMs = this.awaitingSinceMs === undefined ? undefined : nowMs - this.awaitingSinceMs;
    if (awaitingMs !== undefined && awaitingMs > this.deadlineMs)
      reasons.push(
        `engine: no report for ${seconds(awaitingMs)} s after an order (deadline ${seconds(this.deadlineMs)} s)`,
      );
    if (this.link === "disconnected") reasons.push("engine: events link disconnected");
    return {
      last_report_age_s: this.lastReportMs === undefined ? null : seconds(nowMs - this.lastReportMs),
      awaiting_report_s: awaitingMs === undefined ? null : seconds(awaitingMs),
      events_link: this.link,
      health: { status: reasons.length === 0 ? "ok" : "degraded", reasons },
    };
  }
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
