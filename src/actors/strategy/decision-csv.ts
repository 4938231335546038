import type { DecisionRecord } from "./records.js";

/**
 * The decision-score CSV (`decision_scores_csv_path`): one row per evaluated decision. The shell writes the
 * header once when it creates the file and appends rows. Times are epoch ns as integers.
 */

const COLUMNS = [
  ["ts_ns", (r) => r.tsNs.toString()],
  ["request_id", (r) => String(r.requestId)],
  ["leader", (r) => r.leader],
  ["lagger", (r) => r.lagger],
  ["jump_ts_ns", (r) => r.jumpTsNs.toString()],
  ["jump_bps", (r) => num(r.jumpBps)],
  ["tau_star_s", (r) => num(r.tauStarS)],
  ["rho_star", (r) => num(r.rhoStar)],
  ["lls", (r) => num(r.lls)],
  ["passing_scans", (r) => String(r.passingScans)],
  ["strength", (r) => num(r.strength)],
  ["expected_move_bps", (r) => num(r.expectedMoveBps)],
  ["expected_move_source", (r) => r.expectedMoveSource],
  ["outcome", (r) => r.outcome],
  ["reason", (r) => r.reason],
  ["side", (r) => r.side],
  ["size", (r) => num(r.size)],
  ["notional_usd", (r) => num(r.notionalUsd)],
  ["intent_id", (r) => r.intentId],
] as const satisfies readonly (readonly [string, (r: DecisionRecord) => string])[];

export const DECISION_CSV_HEADER = COLUMNS.map(([name]) => name).join(",");

/** One CSV line, without the newline. */
export function decisionCsvRow(record: DecisionRecord): string {
  return COLUMNS.map(([, cell]) => quote(cell(record))).join(",");
}

/** Shortest round-trip text; "inf", "-inf" and "nan" as pandas reads them. */
function num(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return String(x);
}

/** RFC 4180: quote a cell holding a comma, quote or line break, doubling quotes. */
function quote(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}
