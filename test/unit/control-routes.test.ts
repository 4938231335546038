/** `/health` and `/metrics` as the daemon registers them, on a real ControlServer, over a supervisor stand-in. */
import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { ControlServer } from "../../src/supervisor/http.js";
import { registerControlRoutes, type SupervisedActors } from "../../src/supervisor/control-routes.js";
import { DaemonMetrics } from "../../src/supervisor/metrics.js";
import { buildTopology } from "../../src/supervisor/topology.js";
import type { ActorStatus } from "../../src/supervisor/supervisor.js";

let server: ControlServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** What the actors last published, and the main thread's lag, set by each test. */
interface World {
  statuses: Record<string, unknown>;
  states: Record<string, ActorStatus["state"]>;
  lagMs: number;
}

async function start(world: World): Promise<{ base: string; metrics: DaemonMetrics }> {
  const log = pino({ level: "silent" });
  const supervisor: SupervisedActors = {
    actors: () => Object.entries(world.states).map(([name, state]) => ({ name, thread: "main", state, restarts: 0 })),
    actorStatus: (name) => world.statuses[name],
    isStopping: false,
    restartActor: () => true,
    crashActor: () => false,
    commandActor: () => true,
  };
  const metrics = new DaemonMetrics(buildTopology([], new Map()), () => supervisor, log);
  const s = new ControlServer({ host: "127.0.0.1", port: 0, token: undefined, log });
  registerControlRoutes(s, supervisor, metrics, {
    startedAt: Date.now(),
    maxEventLoopLagMs: 200,
    eventLoopLag: () => ({ p99Ms: world.lagMs, maxMs: world.lagMs * 2 }),
  });
  const { port } = await s.listen();
  server = s;
  return { base: `http://127.0.0.1:${port}`, metrics };
}

interface HealthBody {
  status: string;
  subsystems: Record<string, string>;
  timestamp: string;
  state: string;
  reasons: string[];
  checks: Record<string, { status: string; reasons?: string[] }>;
  actors: { name: string; state: string; restarts: number; health?: unknown }[];
}

async function health(base: string): Promise<{ code: number; body: HealthBody }> {
  const res = await fetch(`${base}/health`);
  return { code: res.status, body: (await res.json()) as HealthBody };
}

const running = { feed: "running", orders: "running", risk: "running" } as const;

describe("/health aggregates what the actors say of themselves", () => {
  it("is ok (200) while every actor that reports health is ok, and keeps the per-actor detail", async () => {
    const world: World = {
      statuses: {
        feed: { staleness: [], health: { status: "ok", reasons: [] } },
        orders: { positions: [], health: { status: "ok", reasons: [] } },
      },
      states: { ...running },
      lagMs: 3,
    };
    const { base } = await start(world);
    const { code, body } = await health(base);
    expect(code).toBe(200);
    expect(body.status).toBe("healthy");
    expect(body.state).toBe("ok");
    expect(body.subsystems).toEqual({ market_data: "ready", execution: "ready", strategies: "ready" });
    expect(Math.abs(Date.parse(body.timestamp) - Date.now())).toBeLessThan(5_000);
    expect(body.reasons).toEqual([]);
    expect(body.actors.map((a) => [a.name, a.state, a.restarts])).toEqual([
      ["feed", "running", 0],
      ["orders", "running", 0],
      ["risk", "running", 0],
    ]);
    expect(body.actors[0].health).toEqual({ status: "ok", reasons: [] });
  });

  it("is degraded (503) while any actor is, naming each reason with its actor; ok when they recover", async () => {
    const world: World = {
      statuses: {
        feed: { health: { status: "degraded", reasons: ["BTC-USDT-PERP stale 12.4 s"] } },
        orders: {
          health: { status: "degraded", reasons: ["halted: journal cannot write (ENOSPC)", "holding 2 entries"] },
        },
        risk: { breaker: { state: "ACTIVE", drawdownUsd: 0 } },
      },
      states: { ...running },
      lagMs: 3,
    };
    const { base } = await start(world);
    const degraded = await health(base);
    expect(degraded.code).toBe(503);
    expect(degraded.body.status).toBe("degraded");
    expect(degraded.body.state).toBe("degraded");
    expect(degraded.body.subsystems).toEqual({ market_data: "degraded", execution: "degraded", strategies: "ready" });
    expect(degraded.body.reasons).toEqual([
      "feed: BTC-USDT-PERP stale 12.4 s",
      "orders: halted: journal cannot write (ENOSPC)",
      "orders: holding 2 entries",
    ]);
    expect(degraded.body.checks.actor_health.status).toBe("degraded");
    expect(degraded.body.actors.find((a) => a.name === "orders")!.health).toEqual(
      world.statuses.orders && (world.statuses.orders as { health: unknown }).health,
    );

    world.statuses.feed = { health: { status: "ok", reasons: [] } };
    world.statuses.orders = { health: { status: "ok", reasons: [] } };
    expect((await health(base)).code).toBe(200);
  });

  it("names a degraded actor that gave no reason, and treats a malformed health field as degraded", async () => {
    const world: World = {
      statuses: {
        feed: { health: { status: "degraded", reasons: [] } },
        orders: { health: { status: "fine", reasons: "all good" } },
      },
      states: { ...running },
      lagMs: 0,
    };
    const { base } = await start(world);
    const { code, body } = await health(base);
    expect(code).toBe(503);
    expect(body.reasons).toEqual([
      "feed: degraded (no reason given)",
      "orders: published a health field that is not {status: ok|degraded, reasons: [text]}",
    ]);
  });

  it("is degraded while the main thread's event loop lags past its limit, as its own named reason", async () => {
    const world: World = { statuses: {}, states: { ...running }, lagMs: 350 };
    const { base } = await start(world);
    const lagging = await health(base);
    expect(lagging.code).toBe(503);
    expect(lagging.body.reasons).toEqual([
      "event loop: the main thread's timers ran 350 ms late (99th percentile; limit 200 ms)",
    ]);
    expect(lagging.body.checks.event_loop).toMatchObject({
      status: "degraded",
      lag_p99_ms: 350,
      lag_max_ms: 700,
      max_lag_ms: 200,
    });
    world.lagMs = 150;
    expect((await health(base)).code).toBe(200);
  });

  it("names actors that are not running and a tripped breaker among the reasons", async () => {
    const world: World = {
      statuses: { risk: { breaker: { state: "HALTED", drawdownUsd: 812.5 } } },
      states: { ...running, feed: "restarting" },
      lagMs: 0,
    };
    const { base } = await start(world);
    const { code, body } = await health(base);
    expect(code).toBe(503);
    expect(body.reasons).toEqual(["feed: restarting", "risk: circuit breaker HALTED (drawdown 812.5 USD)"]);
  });
});

describe("/metrics through the control server", () => {
  it("answers 200 with realised PnL below zero", async () => {
    const { base, metrics } = await start({ statuses: {}, states: { ...running }, lagMs: 0 });
    metrics.ingest([
      { kind: "gauge", name: "realized_pnl_usd", labels: { actor: "strategy" }, value: -42.5 },
      { kind: "counter", name: "realized_pnl_usd_total", labels: { actor: "strategy" }, value: -42.5 },
    ]);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('leadlag_realized_pnl_usd{actor="strategy"} -42.5');
  });
});

describe("the live status page and /status.json", () => {
  const position = {
    symbol: "ETH-USDT-PERP",
    qty: 0.5,
    avg_price: 3100,
    realized_pnl: 12,
    unrealized_pnl: -3,
    fees: 1.5,
  };
  const flat = { symbol: "SOL-USDT-PERP", qty: 0, avg_price: 0, realized_pnl: 0, unrealized_pnl: 0, fees: 0 };
  const order = (cl_id: string, open: boolean, status: string) => ({
    ...{ cl_id, strategy: "s", intent_id: "i", symbol: "ETH-USDT-PERP", side: "sell", type: "limit", tif: "gtc" },
    ...{ role: "take_profit", price: 3130, size: 0.5, status, open, filled: 0, avg_fill_price: 0 },
    ...{ exchange_order_id: "", reason: "" },
  });
  const decision = (at: string, outcome: string, reason: string) => ({
    ...{ at, leader: "BTC-USDT-PERP", lagger: "ETH-USDT-PERP", jump_bps: 61.2, outcome, reason },
    ...{ side: outcome === "entered" ? "buy" : "", size: outcome === "entered" ? 0.5 : 0, notional_usd: null },
  });

  it("serves one self-contained page under a strict Content-Security-Policy, without a token on loopback", async () => {
    const { base } = await start({ statuses: {}, states: { ...running }, lagMs: 0 });
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'(;|$)/);
    expect(csp).toContain("connect-src 'self'");
    const html = await res.text();
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="(?!data:)|https?:\/\//i);
    expect(html).toContain('fetch("status.json"');
  });

  it("gathers actors, positions, open orders, PnL, the last decisions, gates, jumps and latency", async () => {
    const world: World = {
      statuses: {
        orders: {
          positions: [position, flat],
          orders: [order("a", true, "open"), order("b", false, "filled"), order("c", false, "filled")],
          balances: [],
          health: { status: "ok", reasons: [] },
        },
        risk: { breaker: { state: "ACTIVE", drawdownUsd: 0 }, equity_usd: 100_009, limits: { secret: "x" } },
        strategy: {
          last_decisions: [
            decision("2026-12-06T18:00:01.000Z", "entered", ""),
            decision("2026-12-06T18:00:02.000Z", "hy_pass", "1 of 3 scans passed < 2"),
          ],
        },
        feed: { staleness: [{ symbol: "BTC-USDT-PERP", stale: false, age_s: 0.02 }] },
      },
      states: { ...running, strategy: "running" },
      lagMs: 0,
    };
    const { base, metrics } = await start(world);
    metrics.ingest([
      { kind: "counter", name: "decisions_total", labels: { outcome: "entered", gate: "" }, value: 3 },
      { kind: "counter", name: "decisions_total", labels: { outcome: "stopped", gate: "hy_pass" }, value: 7 },
      {
        kind: "counter",
        name: "jumps_detected_total",
        labels: { symbol: "BTC-USDT-PERP", systematic: "false" },
        value: 4,
      },
      {
        kind: "counter",
        name: "jumps_detected_total",
        labels: { symbol: "BTC-USDT-PERP", systematic: "true" },
        value: 1,
      },
      { kind: "histogram", name: "decision_latency_seconds", labels: {}, value: 0.0002 },
      { kind: "histogram", name: "decision_latency_seconds", labels: {}, value: 0.0004 },
      { kind: "histogram", name: "decision_latency_seconds", labels: {}, value: 0.003 },
    ]);
    const res = await fetch(`${base}/status.json`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.health).toEqual({
      status: "healthy",
      subsystems: { market_data: "ready", execution: "ready", strategies: "ready" },
      reasons: [],
    });
    expect((body.actors as { name: string }[]).map((a) => a.name)).toEqual(["feed", "orders", "risk", "strategy"]);
    expect(body.positions).toEqual([position]);
    expect((body.open_orders as { cl_id: string }[]).map((o) => o.cl_id)).toEqual(["a"]);
    expect(body.orders_by_status).toEqual({ open: 1, filled: 2 });
    expect(body.pnl).toEqual({ realized_usd: 12, unrealized_usd: -3, fees_usd: 1.5, equity_usd: 100_009 });
    expect(body.breaker).toEqual({ state: "ACTIVE", drawdown_usd: 0 });
    expect((body.decisions as { outcome: string }[]).map((d) => d.outcome)).toEqual(["hy_pass", "entered"]);
    expect(body.decisions_by_gate).toEqual({ entered: 3, hy_pass: 7 });
    expect(body.jumps).toEqual({ "BTC-USDT-PERP": 5 });
    expect(body.decision_latency).toEqual({ count: 3, mean_s: 0.0012, p50_le_s: 5e-4, p99_le_s: 5e-3 });
    expect(body.market_data).toEqual([{ symbol: "BTC-USDT-PERP", stale: false, age_s: 0.02 }]);
    expect(JSON.stringify(body)).not.toContain("secret");
  });
});
