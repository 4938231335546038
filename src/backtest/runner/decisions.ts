/**
 * Reads back the decision-score CSV the strategy wrote during the replay (its live output, unchanged):
 * the record's decisions, and the leader of each entered intent.
 */
import { readFile } from "node:fs/promises";
import { DECISION_CSV_HEADER } from "../../actors/strategy/decision-csv.js";
import type { DecisionPoint } from "../report/record.js";

export interface DecisionsRead {
  readonly decisions: DecisionPoint[];
  /** Entered intent → its leader. */
  readonly leaderOf: Map<string, string>;
}

export async function readDecisions(path: string): Promise<DecisionsRead> {
  const text = await readFile(path, "utf8").catch(() => "");
  const lines = text.split("\n").filter((l) => l.length > 0);
  const decisions: DecisionPoint[] = [];
  const leaderOf = new Map<string, string>();
  if (lines.length === 0) return { decisions, leaderOf };
  if (lines[0] !== DECISION_CSV_HEADER) throw new Error(`${path}: not a decision-score CSV of this version`);
  const column = new Map(DECISION_CSV_HEADER.split(",").map((name, i) => [name, i]));
  const cell = (cells: readonly string[], name: string) => cells[column.get(name)!];
  const num = (text: string) =>
    text === "nan" ? Number.NaN : text === "inf" ? Infinity : text === "-inf" ? -Infinity : Number(text);
  for (const line of lines.slice(1)) {
    const cells = splitCsvLine(line);
    const outcome = cell(cells, "outcome");
    decisions.push({
      tsNs: BigInt(cell(cells, "ts_ns")),
      leader: cell(cells, "leader"),
      lagger: cell(cells, "lagger"),
      outcome,
      rhoStar: num(cell(cells, "rho_star")),
      tauStarS: num(cell(cells, "tau_star_s")),
      lls: num(cell(cells, "lls")),
      strength: num(cell(cells, "strength")),
    });
    if (outcome === "entered") leaderOf.set(cell(cells, "intent_id"), cell(cells, "leader"));
  }
  return { decisions, leaderOf };
}

/** One RFC 4180 line as `decisionCsvRow` writes it: a cell is quoted when it holds a comma or a quote. */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let cell = "";
      i++;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) throw new Error(`unterminated quoted cell in: ${line}`);
        cell += line.slice(i, close);
        if (line[close + 1] === '"') {
          cell += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      cells.push(cell);
    } else {
      const comma = line.indexOf(",", i);
      cells.push(line.slice(i, comma < 0 ? line.length : comma));
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) return cells;
    i++; // the comma
  }
}
