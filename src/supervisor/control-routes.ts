import type { ControlServer, SubsystemHealth } from "./http.js";
import type { DaemonMetrics } from "./metrics.js";
import type { Supervisor } from "./supervisor.js";
import type { EventLoopLagWindow } from "./event-loop-lag.js";
import { actorHealthCheck, eventLoopCheck, publishedHealth, runStateCheck } from "./health.js";
import type { OrdersStatus } from "../protocol/status.js";
import { OVERALL, subsystemReadiness } from "./readiness.js";
import { statusJson } from "./status-json.js";
import { STATUS_PAGE_CSP, STATUS_PAGE_HTML } from "./status-page.js";

interface RiskStatus {
  breaker: { state: "ACTIVE" | "REDUCING" | "HALTED"; drawdownUsd: number };
}

/** What the routes use of the supervisor. */
export type SupervisedActors = Pick<
  Supervisor,
  "actors" | "actorStatus" | "isStopping" | "restartActor" | "crashActor" | "commandActor"
>;

export interface HealthOptions {
  readonly startedAt: number;
  /** `observability.health_server.max_event_loop_lag_ms`. */
  readonly maxEventLoopLagMs: number;
  /** The main thread's event-loop delay over the last window (EventLoopLag.lastWindow). */
  readonly eventLoopLag: () => EventLoopLagWindow;
}

/** `/health`, `/metrics` and the actor control routes of architecture §9 and issue 2. */
export function registerControlRoutes(
  server: ControlServer,
  supervisor: SupervisedActors,
  metrics: DaemonMetrics,
  health: HealthOptions,
): void {
  server.health("actors", () => runStateCheck(supervisor.actors(), supervisor.isStopping));
  const names = () => supervisor.actors().map((a) => a.name);
  server.health("actor_health", () => actorHealthCheck(names(), (name) => supervisor.actorStatus(name)));
  server.health("event_loop", () => eventLoopCheck(health.eventLoopLag(), health.maxEventLoopLagMs));

  const stopping = () => supervisor.isStopping;
  server.route("GET", "/health", () => {
    const report = server.healthReport();
    const actors = supervisor.actors().map((a) => {
      const published = publishedHealth(supervisor.actorStatus(a.name));
      return published === undefined ? a : { ...a, health: published };
    });
    return {
      status: report.status === "ok" ? 200 : 503,
      body: {
        // trading_core's shape first; leadlag's own checks (`state`, `checks`) and per-actor detail beside it.
        status: OVERALL[report.status],
        subsystems: subsystemReadiness(supervisor.actors(), (name) => supervisor.actorStatus(name), stopping()),
        timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
        state: report.status,
        reasons: report.reasons,
        uptime_s: Math.round((Date.now() - health.startedAt) / 100) / 10,
        checks: report.subsystems,
        actors,
      },
    };
  });

  server.route("GET", "/", () => ({
    status: 200,
    body: STATUS_PAGE_HTML,
    contentType: "text/html; charset=utf-8",
    headers: {
      "content-security-policy": STATUS_PAGE_CSP,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cache-control": "no-store",
    },
  }));
  server.route("GET", "/status.json", async () => {
    const report = server.healthReport();
    const body = await statusJson({
      actors: supervisor.actors(),
      statusOf: (name) => supervisor.actorStatus(name),
      health: {
        status: OVERALL[report.status],
        subsystems: subsystemReadiness(supervisor.actors(), (name) => supervisor.actorStatus(name), stopping()),
        reasons: report.reasons,
      },
      uptimeS: Math.round((Date.now() - health.startedAt) / 1000),
      series: (name) => metrics.series(name),
    });
    return { status: 200, body, headers: { "cache-control": "no-store" } };
  });

  server.route("GET", "/metrics", async () => ({
    status: 200,
    body: await metrics.text(),
    contentType: metrics.contentType,
  }));

  server.route("GET", "/control/actors", () => ({ status: 200, body: { actors: supervisor.actors() } }));

  server.route("POST", "/control/actors/{name}/restart", ({ params }) =>
    supervisor.restartActor(params.name)
      ? { status: 202, body: { restarting: params.name } }
      : { status: 404, body: { error: `no actor named '${params.name}'` } },
  );

  server.health("risk", (): SubsystemHealth => {
    const breaker = (supervisor.actorStatus("risk") as RiskStatus | undefined)?.breaker;
    if (breaker === undefined) return { status: "ok", breaker: "unknown" };
    const active = breaker.state === "ACTIVE";
    const reasons = active ? [] : [`risk: circuit breaker ${breaker.state} (drawdown ${breaker.drawdownUsd} USD)`];
    const details = { breaker: breaker.state, drawdown_usd: breaker.drawdownUsd };
    return { status: active ? "ok" : "degraded", ...details, reasons };
  });

  const ordersStatus = () => supervisor.actorStatus("orders") as OrdersStatus | undefined;
  server.route("GET", "/positions", () => ({ status: 200, body: { positions: ordersStatus()?.positions ?? [] } }));
  server.route("GET", "/orders", ({ query }) => {
    const state = query.get("state") ?? "open";
    if (state !== "open" && state !== "all") return { status: 400, body: { error: "state must be open or all" } };
    const orders = ordersStatus()?.orders ?? [];
    return { status: 200, body: { orders: state === "all" ? orders : orders.filter((o) => o.open) } };
  });
  server.route("GET", "/risk", () => ({
    status: 200,
    body: supervisor.actorStatus("risk") ?? { error: "risk actor has not reported yet" },
  }));
  server.route("POST", "/risk/reset", () =>
    supervisor.commandActor("risk", "reset")
      ? { status: 202, body: { reset: "requested" } }
      : { status: 404, body: { error: "no risk actor" } },
  );

  server.route("POST", "/control/actors/{name}/crash", ({ params }) => {
    if (!supervisor.actors().some((a) => a.name === params.name))
      return { status: 404, body: { error: `no actor named '${params.name}'` } };
    return supervisor.crashActor(params.name)
      ? { status: 202, body: { crashing: params.name } }
      : { status: 403, body: { error: "fault injection is off (runtime.control.fault_injection)" } };
  });
}
