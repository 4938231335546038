/**
 * `GET /status.json`: what the live status page shows, from what the supervisor already holds: actor
 * states and restarts, the `/health` report, the statuses the orders, risk, feed and strategy actors
 * publish, and the actors' metrics. Built field by field (never a whole status passed through), so the
 * page shows nothing the public routes do not already show and no configuration (no secret) leaks.
 */
import type { MetricSeries } from "./metrics.js";
import type { ActorStatus } from "./supervisor.js";
import type { OrdersStatus } from "../protocol/status.js";
import type { DecisionSummary } from "../actors/strategy/decision-summary.js";

export interface StatusSources {
  actors: readonly ActorStatus[];
  statusOf: (name: string) => unknown;
  health: { status: string; subsystems: Record<string, string>; reasons: string[] };
  uptimeS: number;
  /** An actor metric's series (`DaemonMetrics.series`). */
  series: (name: string) => Promise<MetricSeries[]>;
}

interface BreakerView {
  state: string;
  drawdownUsd: number;
}

export async function statusJson(src: StatusSources): Promise<Record<string, unknown>> {
  const orders = src.statusOf("orders") as OrdersStatus | undefined;
  const positions = (orders?.positions ?? []).filter((p) => p.qty !== 0 || p.realized_pnl !== 0 || p.fees !== 0);
  const risk = src.statusOf("risk") as { breaker?: BreakerView; equity_usd?: number } | undefined;
  const sum = (pick: (p: OrdersStatus["positions"][number]) => number) =>
    (orders?.positions ?? []).reduce((total, p) => total + pick(p), 0);
  const strategies = src.actors.filter((a) => a.name.startsWith("strategy"));
  const decisions = strategies
    .flatMap((a) => (src.statusOf(a.name) as { last_decisions?: DecisionSummary[] } | undefined)?.last_decisions ?? [])
    .sort((a, b) => (a.at < b.at ? 1 : -1));
  const feed = src.statusOf("feed") as { staleness?: { symbol: string; stale: boolean; age_s: number | null }[] };
  return {
    generated_at: new Date().toISOString(),
    uptime_s: src.uptimeS,
    health: src.health,
    actors: src.actors.map((a) => ({ name: a.name, thread: a.thread, state: a.state, restarts: a.restarts })),
    positions: positions.map((p) => ({
      symbol: p.symbol,
      qty: p.qty,
      avg_price: p.avg_price,
      unrealized_pnl: p.unrealized_pnl,
      realized_pnl: p.realized_pnl,
      fees: p.fees,
    })),
    open_orders: (orders?.orders ?? [])
      .filter((o) => o.open)
      .map((o) => ({
        cl_id: o.cl_id,
        symbol: o.symbol,
        side: o.side,
        type: o.type,
        role: o.role,
        price: o.price,
        size: o.size,
        filled: o.filled,
        status: o.status,
      })),
    orders_by_status: countBy((orders?.orders ?? []).map((o) => o.status)),
    pnl: {
      realized_usd: sum((p) => p.realized_pnl),
      unrealized_usd: sum((p) => p.unrealized_pnl),
      fees_usd: sum((p) => p.fees),
      equity_usd: risk?.equity_usd ?? null,
    },
    breaker: risk?.breaker ? { state: risk.breaker.state, drawdown_usd: risk.breaker.drawdownUsd } : null,
    decisions,
    decisions_by_gate: await sumBy(src, "decisions_total", (l) => (l.outcome === "entered" ? "entered" : `${l.gate}`)),
    jumps: await sumBy(src, "jumps_detected_total", (l) => `${l.symbol}`),
    exits_by_cause: await sumBy(src, "exits_total", (l) => `${l.closed_by}`),
    decision_latency: histogramSummary(await src.series("decision_latency_seconds")),
    market_data: (feed?.staleness ?? []).map((s) => ({ symbol: s.symbol, stale: s.stale, age_s: s.age_s })),
  };
}

export function countBy(keys: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const k of keys) counts[k] = (counts[k] ?? 0) + 1;
  return counts;
}

/** An actor metric summed per `key` of its labels. */
export async function sumBy(
  src: Pick<StatusSources, "series">,
  metric: string,
  key: (labels: Record<string, string | number>) => string,
): Promise<Record<string, number>> {
  const sums: Record<string, number> = {};
  for (const s of await src.series(metric)) sums[key(s.labels)] = (sums[key(s.labels)] ?? 0) + s.value;
  return sums;
}

/**
 * Count, mean and the 50th/99th percentiles of a histogram, each percentile as the upper bound of the
 * bucket it falls in (what the histogram can tell; null past the last finite bucket).
 */
export function histogramSummary(series: readonly MetricSeries[]): {
  count: number;
  mean_s: number | null;
  p50_le_s: number | null;
  p99_le_s: number | null;
} {
  const count = series.filter((s) => s.name.endsWith("_count")).reduce((n, s) => n + s.value, 0);
  const total = series.filter((s) => s.name.endsWith("_sum")).reduce((n, s) => n + s.value, 0);
  const buckets = new Map<number, number>();
  for (const s of series) {
    if (!s.name.endsWith("_bucket")) continue;
    const le = Number(s.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const quantile = (q: number) => {
    if (count === 0) return null;
    const bound = bounds.find((le) => (buckets.get(le) ?? 0) >= q * count);
    return bound === undefined || !Number.isFinite(bound) ? null : bound;
  };
  return { count, mean_s: count === 0 ? null : total / count, p50_le_s: quantile(0.5), p99_le_s: quantile(0.99) };
}
