/**
 * Reads back the decision-score CSV the strategy wrote during the replay (its live output, unchanged):
 * the record's decisions, and the leader of each entered intent.
 */
import { readFile } from "node:fs/promises";
import { splitCsvLine } from "../../model/csv-line.js";
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
