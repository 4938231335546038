import type { ShadowGroups, ShadowInfo } from "./groups.js";
import type { EquityPoint } from "./equity.js";
import { shadowDecisionsPath } from "./children.js";
import { readDecisions, type DecisionRow } from "./decisions-csv.js";
import { calibrate, type Calibration } from "./calibration.js";
import type { OrdersStatus } from "../../protocol/status.js";

/** One side of a decision: entered or the gate that stopped it, with side and size. */
export interface DecisionSide {
  readonly outcome: string;
  readonly reason: string;
  readonly side: string;
  readonly size: number;
  readonly notional_usd: number | null;
}

/** For one (leader jump, lagger): the live and the shadow decision side by side (docs/shadow.md). */
export interface Divergence {
  readonly leader: string;
  readonly lagger: string;
  readonly jump_ts_ns: string;
  readonly live: DecisionSide | null;
  readonly shadow: DecisionSide | null;
  /** Both decided the same way: both entered on the same side, or both were stopped. */
  readonly agree: boolean;
}

export interface ShadowReport {
  readonly shadow: ShadowInfo;
  readonly summary: {
    readonly decisions: number;
    readonly entered: number;
    readonly orders_proposed: number;
    readonly fills: number;
    readonly realized_pnl_usd: number;
    readonly unrealized_pnl_usd: number;
    readonly live_decisions: number;
    readonly live_entered: number;
    readonly jumps_compared: number;
    readonly disagreements: number;
  };
  readonly strategy: unknown;
  readonly orders: unknown;
  readonly risk: unknown;
  readonly divergence: readonly Divergence[];
  /** Live and shadow equity (realized + unrealized PnL since the attach), about one point a second. */
  readonly equity: readonly EquityPoint[];
  /**
   * A shadow whose strategy is the live one (a mirror, or one changing only the simulation or risk): the live
   * orders beside the simulated venue's fills of the same decisions.
   */
  readonly calibration?: Calibration;
}

interface ReportSources {
  readonly total: (name: string, where: Readonly<Record<string, string>>) => number;
  readonly liveDecisionsCsv: string;
  /** The live order manager's published status. */
  readonly liveOrders: () => OrdersStatus | undefined;
}

/**
 * A shadow's report: its decisions, orders, simulated fills and PnL (from its actors' status and metrics),
 * and, for every jump since it attached, its decision beside the live one, read from the two decision files.
 */
export function shadowReport(shadows: ShadowGroups, name: string, sources: ReportSources): ShadowReport | undefined {
  const info = shadows.get(name);
  const dir = shadows.dirOf(name);
  if (info === undefined || dir === undefined) return undefined;
  const sinceNs = BigInt(Date.parse(info.attachedAt)) * 1_000_000n;
  const shadowRows = readDecisions(shadowDecisionsPath(dir), sinceNs);
  const liveRows = readDecisions(sources.liveDecisionsCsv, sinceNs);
  const divergence = sideBySide(liveRows, shadowRows);
  const total = (metric: string, where: Record<string, string> = {}) =>
    sources.total(`shadow_${metric}`, { shadow: name, ...where });
  return {
    shadow: info,
    summary: {
      decisions: shadowRows.length,
      entered: shadowRows.filter((r) => r.outcome === "entered").length,
      orders_proposed: total("orders_proposed_total"),
      fills: total("fills_total"),
      realized_pnl_usd: total("realized_pnl_usd"),
      unrealized_pnl_usd: total("unrealized_pnl_usd"),
      live_decisions: liveRows.length,
      live_entered: liveRows.filter((r) => r.outcome === "entered").length,
      jumps_compared: divergence.length,
      disagreements: divergence.filter((d) => !d.agree).length,
    },
    strategy: shadows.actorStatus(name, "strategy") ?? null,
    orders: shadows.actorStatus(name, "orders") ?? null,
    risk: shadows.actorStatus(name, "risk") ?? null,
    divergence,
    equity: shadows.equityOf(name) ?? [],
    ...(shadows.decidesAsLive(name)
      ? {
          calibration: calibrate(
            sources.liveOrders()?.orders ?? [],
            (shadows.actorStatus(name, "orders") as OrdersStatus | undefined)?.orders ?? [],
          ),
        }
      : {}),
  };
}

/** Joins the two decision lists on (leader, lagger, jump time), oldest jump first. */
export function sideBySide(live: readonly DecisionRow[], shadow: readonly DecisionRow[]): Divergence[] {
  const key = (r: DecisionRow) => `${r.jumpTsNs}|${r.leader}|${r.lagger}`;
  const rows = new Map<string, { row: DecisionRow; live?: DecisionRow; shadow?: DecisionRow }>();
  for (const r of live) rows.set(key(r), { ...rows.get(key(r)), row: r, live: r });
  for (const r of shadow) rows.set(key(r), { ...rows.get(key(r)), row: rows.get(key(r))?.row ?? r, shadow: r });
  return [...rows.values()]
    .sort((a, b) => (a.row.jumpTsNs < b.row.jumpTsNs ? -1 : a.row.jumpTsNs > b.row.jumpTsNs ? 1 : 0))
    .map(({ row, live: l, shadow: s }) => ({
      leader: row.leader,
      lagger: row.lagger,
      jump_ts_ns: row.jumpTsNs.toString(),
      live: l ? side(l) : null,
      shadow: s ? side(s) : null,
      agree: l !== undefined && s !== undefined && agrees(l, s),
    }));
}

function agrees(a: DecisionRow, b: DecisionRow): boolean {
  const entered = (r: DecisionRow) => r.outcome === "entered";
  return entered(a) === entered(b) && (!entered(a) || a.side === b.side);
}

function side(r: DecisionRow): DecisionSide {
  return {
    outcome: r.outcome,
    reason: r.reason,
    side: r.side,
    size: r.size,
    notional_usd: Number.isFinite(r.notionalUsd) ? r.notionalUsd : null,
  };
}
