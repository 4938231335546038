import type { Logger } from "pino";

/** What a person watching the terminal wants to know every few minutes, from the actors' metrics. */
export interface TradingStatus {
  readonly jumps: number;
  readonly scans: number;
  readonly entries: number;
  readonly exits: number;
  readonly openPositions: number;
  readonly realizedPnlUsd: number;
  readonly unrealizedPnlUsd: number;
}

/** Sums an actor-reported metric over its label sets that match `where` (DaemonMetrics.total). */
export type MetricTotal = (name: string, where?: Readonly<Record<string, string>>) => number;

export function tradingStatus(total: MetricTotal): TradingStatus {
  return {
    jumps: total("jumps_detected_total"),
    scans: total("hy_scans_total"),
    entries: total("decisions_total", { outcome: "entered" }),
    exits: total("exits_total"),
    openPositions: total("open_positions"),
    realizedPnlUsd: total("realized_pnl_usd"),
    unrealizedPnlUsd: total("unrealized_pnl_usd"),
  };
}

const usd = (value: number) => `${value < 0 ? "-" : "+"}${Math.abs(value).toFixed(2)}`;

/** The status line's message: readable on its own in a terminal, the numbers also in the line's fields. */
export function statusMessage(s: TradingStatus): string {
  return (
    `status: ${s.jumps} jumps, ${s.scans} scans, ${s.entries} entries, ${s.exits} exits, ` +
    `${s.openPositions} open, PnL ${usd(s.realizedPnlUsd)} USD realized, ${usd(s.unrealizedPnlUsd)} unrealized`
  );
}

/**
 * Logs the status at info every `intervalMs` (`observability.metrics_aggregator.log_interval_sec`), so a
 * terminal is never silent while nothing trades. Returns the function that stops it.
 */
export function startStatusLine(intervalMs: number, log: Logger, read: () => TradingStatus): () => void {
  const timer = setInterval(() => {
    const status = read();
    log.info({ status }, statusMessage(status));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
