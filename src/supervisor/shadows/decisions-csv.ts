import { existsSync, readFileSync } from "node:fs";

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
  const columns = parseCsvLine(header);
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
    const cells = parseCsvLine(line);
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

/** RFC 4180 cells of one line (quoted cells may hold commas and doubled quotes). */
export function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      cells.push(cell);
      cell = "";
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}
