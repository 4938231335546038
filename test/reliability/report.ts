/**
 * What the runner prints and writes: the scenario table for the terminal, the same rows as Markdown, the
 * failure details, and the replacement of the generated sections of docs/reliability.md. Pure functions.
 */

export type Verdict = "pass" | "FAIL" | "n/a";

export interface ScenarioRow {
  readonly scenario: string;
  /** The load the daemon carried meanwhile: market rate, orders, connections. */
  readonly load: string;
  readonly faults: string;
  readonly badInputs: string;
  readonly verdict: Verdict;
  readonly notes: string;
  readonly seconds: number;
}

/** One failed check of a scenario, with the daemon's last log lines when there was a daemon. */
export interface FailureDetail {
  readonly scenario: string;
  readonly message: string;
  readonly logTail?: readonly string[];
}

export interface RunMeta {
  readonly date: string;
  readonly node: string;
  readonly cpus: number;
  readonly commit: string;
  readonly totalSeconds: number;
}

const HEADERS = ["scenario", "load held", "faults injected", "bad inputs tried", "result", "notes"] as const;
/** Terminal columns: notes wrap at this width, other cells at theirs. */
const WIDTHS = [20, 28, 24, 24, 6, 60] as const;

function cells(row: ScenarioRow): string[] {
  return [row.scenario, row.load, row.faults, row.badInputs, row.verdict, row.notes];
}

/** Words onto lines of at most `width` characters (a longer word is cut). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    for (let rest = word; rest !== ""; ) {
      const room = line === "" ? width : width - line.length - 1;
      if (rest.length <= room) {
        line = line === "" ? rest : `${line} ${rest}`;
        rest = "";
      } else if (line !== "") {
        lines.push(line);
        line = "";
      } else {
        lines.push(rest.slice(0, width));
        rest = rest.slice(width);
      }
    }
  }
  if (line !== "" || lines.length === 0) lines.push(line);
  return lines;
}

/** A fixed-width table with wrapped cells, one blank-free block per row, separated by a rule. */
export function formatTable(rows: readonly ScenarioRow[]): string {
  const rule = WIDTHS.map((w) => "-".repeat(w)).join("-+-");
  const render = (values: readonly string[]) => {
    const wrapped = values.map((v, i) => wrap(v, WIDTHS[i]));
    const height = Math.max(...wrapped.map((w) => w.length));
    const lines: string[] = [];
    for (let l = 0; l < height; l++)
      lines.push(
        wrapped
          .map((w, i) => (w[l] ?? "").padEnd(WIDTHS[i]))
          .join(" | ")
          .trimEnd(),
      );
    return lines.join("\n");
  };
  return [render(HEADERS), rule, ...rows.flatMap((r) => [render(cells(r)), rule])].join("\n");
}

function markdownCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();
}

export function markdownTable(rows: readonly ScenarioRow[]): string {
  const head = `| ${HEADERS.join(" | ")} | s |`;
  const rule = `|${HEADERS.map(() => "---").join("|")}|---:|`;
  const body = rows.map((r) => `| ${cells(r).map(markdownCell).join(" | ")} | ${Math.round(r.seconds)} |`);
  return [head, rule, ...body].join("\n");
}

export function summaryLine(rows: readonly ScenarioRow[]): string {
  const count = (v: Verdict) => rows.filter((r) => r.verdict === v).length;
  const counts = `${count("pass")} passed, ${count("FAIL")} failed, ${count("n/a")} not applicable here`;
  return `${rows.length} scenarios: ${counts}`;
}

/** Failure messages grouped by scenario, each followed by the daemon's last log lines. */
export function formatFailures(failures: readonly FailureDetail[]): string {
  return failures
    .map((f) => {
      const tail = f.logTail && f.logTail.length > 0 ? "\n" + f.logTail.map((l) => `    | ${l}`).join("\n") : "";
      return `  ${f.scenario}: ${f.message}${tail}`;
    })
    .join("\n");
}

/** The generated figures section of docs/reliability.md (a full run of the scenarios). */
export function scenarioFigures(
  rows: readonly ScenarioRow[],
  failures: readonly FailureDetail[],
  meta: RunMeta,
): string {
  const lines = [
    `Last full run: ${meta.date}, commit ${meta.commit}, Node ${meta.node}, ${meta.cpus} cores, ` +
      `${Math.round(meta.totalSeconds)} s in all. ${summaryLine(rows)}.`,
    "",
    markdownTable(rows),
  ];
  if (failures.length > 0) {
    lines.push("", "Failures of that run:", "");
    for (const f of failures) lines.push(`- **${f.scenario}**: ${markdownCell(f.message)}`);
  }
  return lines.join("\n");
}

export interface SoakFigure {
  readonly metric: string;
  readonly unit: string;
  readonly start: number | undefined;
  readonly end: number | undefined;
  /** Largest growth that still counts as flat, as a fraction (0.1 = 10 %). */
  readonly tolerance: number;
  /** Absolute growth below which a change is measurement noise (same unit). */
  readonly noiseFloor: number;
}

export type SoakJudgement =
  | { readonly ok: true; readonly change: number }
  | { readonly ok: false; readonly change: number | undefined; readonly why: string };

/** Flat = the end value is at most `tolerance` above the start, or above it by less than the noise floor. */
export function judgeSoak(f: SoakFigure): SoakJudgement {
  if (f.start === undefined || f.end === undefined)
    return { ok: false, change: undefined, why: `no ${f.start === undefined ? "start" : "end"} value` };
  const change = f.start === 0 ? (f.end === 0 ? 0 : Infinity) : (f.end - f.start) / f.start;
  if (change <= f.tolerance || f.end - f.start < f.noiseFloor) return { ok: true, change };
  return { ok: false, change, why: `grew ${(change * 100).toFixed(1)} % (limit ${(f.tolerance * 100).toFixed(0)} %)` };
}

function formatNumber(value: number | undefined): string {
  if (value === undefined) return "—";
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

export function soakTable(figures: readonly SoakFigure[]): string {
  const head = "| metric | start | end | change | result |";
  const rule = "|---|---:|---:|---:|---|";
  const body = figures.map((f) => {
    const j = judgeSoak(f);
    const change = j.change === undefined ? "—" : `${j.change >= 0 ? "+" : ""}${(j.change * 100).toFixed(1)} %`;
    const result = j.ok ? "pass" : `FAIL (${j.why})`;
    return `| ${f.metric} (${f.unit}) | ${formatNumber(f.start)} | ${formatNumber(f.end)} | ${change} | ${result} |`;
  });
  return [head, rule, ...body].join("\n");
}

/** Replaces what lies between `<!-- NAME:start -->` and `<!-- NAME:end -->`; the markers must be there once. */
export function replaceSection(doc: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from || doc.indexOf(start, from + 1) >= 0)
    throw new Error(`docs: expected one '${start}' … '${end}' section`);
  return `${doc.slice(0, from + start.length)}\n${content.trim()}\n${doc.slice(to)}`;
}
