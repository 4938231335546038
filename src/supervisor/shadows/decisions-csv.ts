import { existsSync, readFileSync } from "node:fs";
import { splitCsvLine } from "../../model/csv-line.js";

/** One row of a decision-score CSV (actors/strategy/decision-csv.ts) as the shadow report reads it. */
export interface DecisionRow {
  readonly leader: string;
  readonly lagger: string;
  readonly jumpTsNs: bigint;
  readonly outcome: string;
  readonly reason: string;
  readonly side: string;
  readonly size: number;
  readonly notionalUsd: number;
}

/** The rows of a decision CSV whose jump is at or after `sinceNs`; none when the file does not exist yet. */
export function readDecisions(file: string, sinceNs: bigint): DecisionRow[] {
  if (!existsSync(file)) return [];
  const [header, ...lines] = readFileSync(file, "utf8").split("\n");
  const columns = splitCsvLine(header);
  const at = (name: string) => columns.indexOf(name);
  const [leader, lagger, jump, outcome, reason, side, size, notional] = [
    "leader",
    "lagger",
    "jump_ts_ns",
    "outcome",
    "reason",
    "side",
    "size",
    "notional_usd",
  ].map(at);
  const rows: DecisionRow[] = [];
  for (const line of lines) {
    if (line === "") continue;
    const cells = splitCsvLine(line);
    if (!/^\d+$/.test(cells[jump] ?? "")) continue;
    const jumpTsNs = BigInt(cells[jump]);
    if (jumpTsNs < sinceNs) continue;
    rows.push({
      leader: cells[leader],
      lagger: cells[lagger],
      jumpTsNs,
      outcome: cells[outcome],
      reason: cells[reason],
      side: cells[side],
      size: Number(cells[size]),
      notionalUsd: Number(cells[notional]),
    });
  }
  return rows;
}
