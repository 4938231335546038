/** What the scenarios read from a running daemon: actors, orders, positions, metrics. */
import { parseMetrics, type MetricSample } from "../prometheus.js";
import { near } from "../scenario.js";
import { DaemonError, type Daemon } from "./daemon.js";
import { getJson } from "./http.js";
import { coinOf, type BookedPosition } from "./venue.js";
import { sleep } from "./wait.js";

export interface ActorRow {
  readonly name: string;
  readonly thread: string;
  readonly state: string;
  readonly restarts: number;
}

export interface DaemonOrder {
  readonly cl_id: string;
  readonly intent_id: string;
  readonly symbol: string;
  readonly side: string;
  readonly role: string;
  readonly status: string;
  readonly open: boolean;
  readonly filled: number;
  readonly size: number;
}

export interface DaemonPosition {
  readonly symbol: string;
  readonly qty: number;
  readonly avg_price: number;
  readonly realized_pnl: number;
  readonly fees: number;
}

export async function actorsOf(daemon: Daemon): Promise<ActorRow[]> {
  return (await daemon.json<{ actors: ActorRow[] }>("/control/actors")).actors;
}

export async function totalRestarts(daemon: Daemon): Promise<number> {
  return (await actorsOf(daemon)).reduce((sum, a) => sum + a.restarts, 0);
}

export async function ordersOf(daemon: Daemon): Promise<DaemonOrder[]> {
  return (await daemon.json<{ orders: DaemonOrder[] }>("/orders?state=all")).orders;
}

export async function positionsOf(daemon: Daemon): Promise<DaemonPosition[]> {
  return (await daemon.json<{ positions: DaemonPosition[] }>("/positions")).positions;
}

/** `/metrics` parsed; a scrape that fails is an error naming the status (finding 5 made it answer 500). */
export async function metricsOf(daemon: Daemon): Promise<MetricSample[]> {
  const answer = await getJson(daemon.healthPort!, "/metrics", { timeoutMs: 5000 });
  if (answer.status !== 200)
    throw new DaemonError(
      daemon,
      `/metrics answered ${answer.status}: ${String(JSON.stringify(answer.body)).slice(0, 160)}`,
    );
  return parseMetrics(String(answer.body));
}

/**
 * Follows a daemon's orders across its restarts: when each was first seen, which entries are new, which
 * stayed open past a deadline (an order no report will ever close keeps its executor waiting for good).
 */
export class OrderWatch {
  private readonly firstSeen = new Map<string, number>();
  private readonly latest = new Map<string, DaemonOrder>();
  readonly stuck = new Map<string, string>();

  constructor(private readonly stuckAfterMs: number) {}

  /** One look at the daemon's orders; false when the daemon did not answer. */
  async sample(daemon: Daemon): Promise<boolean> {
    let orders: DaemonOrder[];
    try {
      orders = await ordersOf(daemon);
    } catch {
      return false;
    }
    const now = Date.now();
    for (const o of orders) {
      if (!this.firstSeen.has(o.cl_id)) this.firstSeen.set(o.cl_id, now);
      this.latest.set(o.cl_id, o);
      const age = now - this.firstSeen.get(o.cl_id)!;
      if (o.open && age > this.stuckAfterMs && !this.stuck.has(o.cl_id)) {
        this.stuck.set(
          o.cl_id,
          `${o.role} ${o.side} ${o.symbol} (${o.cl_id.slice(0, 12)}…) still '${o.status}' ` +
            `${Math.round(age / 1000)} s after it appeared`,
        );
      }
      if (!o.open) this.stuck.delete(o.cl_id);
    }
    return true;
  }

  /** Entry orders first seen after `sinceMs` that are filled. */
  filledEntriesSince(sinceMs: number): DaemonOrder[] {
    return [...this.latest.values()].filter(
      (o) => o.role === "entry" && o.status === "filled" && this.firstSeen.get(o.cl_id)! > sinceMs,
    );
  }

  entriesSince(sinceMs: number): DaemonOrder[] {
    return [...this.latest.values()].filter((o) => o.role === "entry" && this.firstSeen.get(o.cl_id)! > sinceMs);
  }

  get count(): number {
    return this.latest.size;
  }
}

/** Differences between the daemon's positions and the venue's, by coin; empty when they agree. */
export function positionDifferences(
  daemon: readonly DaemonPosition[],
  venue: ReadonlyMap<string, BookedPosition>,
): string[] {
  const ours = new Map<string, DaemonPosition>();
  for (const p of daemon) ours.set(coinOf(p.symbol), p);
  const coins = new Set([...ours.keys(), ...venue.keys()]);
  const out: string[] = [];
  for (const coin of [...coins].sort()) {
    const d = ours.get(coin);
    const v = venue.get(coin) ?? { qty: 0, avgPrice: 0, realizedPnl: 0, fees: 0 };
    const qty = d?.qty ?? 0;
    const realized = d?.realized_pnl ?? 0;
    const fees = d?.fees ?? 0;
    if (!near(qty, v.qty, 1e-9, 1e-9)) out.push(`${coin} qty: daemon ${qty}, venue ${v.qty}`);
    if (!near(realized, v.realizedPnl))
      out.push(`${coin} realised PnL: daemon ${realized.toFixed(6)}, venue ${v.realizedPnl.toFixed(6)}`);
    if (!near(fees, v.fees)) out.push(`${coin} fees: daemon ${fees.toFixed(6)}, venue ${v.fees.toFixed(6)}`);
  }
  return out;
}

/** `{coin: qty}` of open positions, for notes. */
export function openPositions(positions: readonly DaemonPosition[]): string {
  const open = positions.filter((p) => Math.abs(p.qty) > 1e-12).map((p) => `${coinOf(p.symbol)} ${p.qty}`);
  return open.length === 0 ? "flat" : open.join(", ");
}

/**
 * Waits until the daemon's RSS stops moving (three readings 2 s apart within 3 %) and returns their median:
 * the embedded database takes tens of seconds after start-up to load, and a baseline taken before that
 * would blame its hundreds of MB on whatever comes next. Gives up after `timeoutMs` with the last median.
 */
export async function settledRss(daemon: Daemon, timeoutMs = 90_000): Promise<number> {
  const readings: number[] = [];
  const until = Date.now() + timeoutMs;
  for (;;) {
    readings.push(daemon.rssMb() ?? NaN);
    const last = readings.slice(-3);
    const median = [...last].sort((a, b) => a - b)[Math.floor(last.length / 2)];
    if (last.length === 3 && Math.max(...last) - Math.min(...last) <= 0.03 * median) return median;
    if (Date.now() >= until || !daemon.alive) return median;
    await sleep(2000);
  }
}
