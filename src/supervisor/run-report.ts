/**
 * `leadlag run --report-json FILE`: what a run did, written when it ends, from what the supervisor holds
 * (the orders, risk and strategy actors' statuses, their metrics, the actors' restarts), in the same terms
 * as `/status.json`. The backtest report's per-trade figures need each round trip's record, which a daemon
 * does not keep; this report counts round trips by exit cause instead.
 */
import { accessSync, constants, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ActorStatus } from "./supervisor.js";
import type { OrdersStatus } from "../protocol/status.js";
import { countBy, histogramSummary, type StatusSources, sumBy } from "./status-json.js";

export interface RunFacts {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly mode: string;
  readonly configPath: string;
  readonly configHash: string;
  /** How the run ended: the signal that stopped it, or `escalated`. */
  readonly stoppedBy: string;
  readonly exitCode: number;
}

export type ReportSources = Pick<StatusSources, "statusOf" | "series"> & { actors: readonly ActorStatus[] };

export async function runReport(facts: RunFacts, src: ReportSources): Promise<Record<string, unknown>> {
  const orders = src.statusOf("orders") as OrdersStatus | undefined;
  const positions = orders?.positions ?? [];
  const sum = (pick: (p: OrdersStatus["positions"][number]) => number) =>
    positions.reduce((total, p) => total + pick(p), 0);
  const risk = src.statusOf("risk") as { equity_usd?: number } | undefined;
  const decisionsByGate = await sumBy(src, "decisions_total", (l) =>
    l.outcome === "entered" ? "entered" : `${l.gate}`,
  );
  const roundTrips = await sumBy(src, "exits_total", (l) => `${l.closed_by}`);
  const fills = await sumBy(src, "fills_total", (l) => `${l.symbol}`);
  const jumps = await sumBy(src, "jumps_detected_total", (l) => `${l.symbol}`);
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((n, v) => n + v, 0);
  return {
    mode: facts.mode,
    config: facts.configPath,
    config_hash: facts.configHash,
    started_at: new Date(facts.startedAt).toISOString(),
    ended_at: new Date(facts.endedAt).toISOString(),
    duration_s: (facts.endedAt - facts.startedAt) / 1000,
    stopped_by: facts.stoppedBy,
    exit_code: facts.exitCode,
    trades: {
      round_trips: total(roundTrips),
      round_trips_by_exit: roundTrips,
      fills: total(fills),
      fills_by_symbol: fills,
      orders_by_status: countBy((orders?.orders ?? []).map((o) => o.status)),
    },
    pnl: {
      realized_usd: sum((p) => p.realized_pnl),
      unrealized_usd: sum((p) => p.unrealized_pnl),
      fees_usd: sum((p) => p.fees),
      equity_usd: risk?.equity_usd ?? null,
    },
    positions: positions
      .filter((p) => p.qty !== 0 || p.realized_pnl !== 0 || p.fees !== 0)
      .map((p) => ({
        symbol: p.symbol,
        qty: p.qty,
        avg_price: p.avg_price,
        realized_pnl: p.realized_pnl,
        unrealized_pnl: p.unrealized_pnl,
        fees: p.fees,
      })),
    decisions: { total: total(decisionsByGate), by_gate: decisionsByGate },
    decision_latency: histogramSummary(await src.series("decision_latency_seconds")),
    jumps: { total: total(jumps), by_symbol: jumps },
    actors: src.actors.map((a) => ({ name: a.name, restarts: a.restarts })),
    actor_restarts: src.actors.reduce((n, a) => n + a.restarts, 0),
  };
}

/**
 * Refuses, before anything starts, a report path the run could not write at its end: a directory, a
 * missing or read-only parent, a read-only file.
 */
export function assertReportWritable(file: string): void {
  const dir = path.dirname(path.resolve(file));
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat?.isDirectory()) throw new Error(`--report-json ${file}: is a directory`);
  try {
    accessSync(stat === undefined ? dir : file, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what = stat === undefined ? `its directory ${dir}` : "the file";
    throw new Error(`--report-json ${file}: cannot be written (${what}: ${code === "ENOENT" ? "missing" : code})`);
  }
}

export function writeRunReport(file: string, report: Record<string, unknown>): void {
  writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
}
