/**
 * `npm run reliability`: the fault scenarios of issue 13 against real daemons (docs/reliability.md).
 * Each scenario gets its own scope — temp dirs, ports, processes, mounts — released when it ends, at its
 * deadline, or on Ctrl-C. Prints the table, rewrites the figures in docs/reliability.md after a full run,
 * and exits 1 when any scenario fails (2 on a usage error).
 */
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fromRoot } from "../../src/runtime/paths.js";
import { parseRunArgs, USAGE, UsageError, type RunPlan } from "./cli.js";
import { Scope, closeAllScopes, installCleanupHooks } from "./harness/cleanup.js";
import { commitId, utcMinute } from "./harness/run-info.js";
import { within } from "./harness/wait.js";
import {
  formatFailures,
  formatTable,
  replaceSection,
  scenarioFigures,
  summaryLine,
  type FailureDetail,
  type RunMeta,
  type ScenarioRow,
} from "./report.js";
import { ScenarioReport, type Scenario } from "./scenario.js";
import { SCENARIOS } from "./scenarios/index.js";
import { runSoak } from "./scenarios/soak.js";

const DOC = fromRoot("docs", "reliability.md");

function progress(scenario: string): (message: string) => void {
  return (message) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${scenario}: ${message}\n`);
}

async function runScenario(scenario: Scenario): Promise<{ row: ScenarioRow; failures: FailureDetail[] }> {
  const scope = new Scope(scenario.name);
  const report = new ScenarioReport();
  const say = progress(scenario.name);
  const t0 = Date.now();
  say("start");
  const running = scenario.run({ scope, progress: say }, report);
  // Past the deadline the scenario is abandoned; whatever it still awaits fails once its scope is closed.
  running.catch(() => undefined);
  try {
    await within(running, scenario.budgetS * 1000, `did not finish within its ${scenario.budgetS} s budget`);
  } catch (err) {
    report.crashed(err);
  } finally {
    scope.close();
  }
  // A failure no check tied to a daemon (an exception, the budget) shows the newest daemon's log.
  const unattributed = report.failures.find((f) => f.daemon === undefined);
  const seconds = (Date.now() - t0) / 1000;
  const verdict = report.failures.length > 0 ? "FAIL" : report.notApplicable !== undefined ? "n/a" : "pass";
  const notes = [...(report.notApplicable ? [report.notApplicable] : []), ...report.notes];
  if (verdict === "FAIL") notes.unshift(`${report.failures.length} of ${report.checks} checks failed`);
  say(`${verdict} in ${seconds.toFixed(0)} s`);
  // A daemon's log tail is shown once, under its last failure: several failed checks often share one cause.
  const lastOf = new Map(report.failures.map((f, i) => [f.daemon, i]));
  const failures = report.failures.map((f, i) => ({
    scenario: scenario.name,
    message: f.message,
    logTail:
      f.daemon !== undefined
        ? lastOf.get(f.daemon) === i
          ? f.daemon.excerpt()
          : undefined
        : f === unattributed
          ? scope.latestLog()?.slice(-12)
          : undefined,
  }));
  return {
    row: {
      scenario: scenario.name,
      load: report.load,
      faults: report.faults,
      badInputs: report.badInputs,
      verdict,
      notes: notes.join("; "),
      seconds,
    },
    failures,
  };
}

function meta(totalSeconds: number): RunMeta {
  return { date: utcMinute(), node: process.version, cpus: os.cpus().length, commit: commitId(), totalSeconds };
}

async function runScenarios(plan: Extract<RunPlan, { kind: "scenarios" }>): Promise<number> {
  const chosen = plan.only ? SCENARIOS.filter((s) => plan.only!.includes(s.name)) : SCENARIOS;
  const t0 = Date.now();
  const rows: ScenarioRow[] = [];
  const failures: FailureDetail[] = [];
  for (const scenario of chosen) {
    const result = await runScenario(scenario);
    rows.push(result.row);
    failures.push(...result.failures);
  }
  const totalSeconds = (Date.now() - t0) / 1000;
  process.stdout.write(`\n${formatTable(rows)}\n\n${summaryLine(rows)} (${totalSeconds.toFixed(0)} s)\n`);
  if (failures.length > 0) process.stdout.write(`\nFailures:\n${formatFailures(failures)}\n`);
  if (plan.writeDocs) {
    writeFileSync(
      DOC,
      replaceSection(
        readFileSync(DOC, "utf8"),
        "reliability:figures",
        scenarioFigures(rows, failures, meta(totalSeconds)),
      ),
    );
    process.stdout.write(`\nfigures written to docs/reliability.md\n`);
  }
  return rows.some((r) => r.verdict === "FAIL") ? 1 : 0;
}

async function main(argv: readonly string[]): Promise<number> {
  let plan: RunPlan;
  try {
    plan = parseRunArgs(
      argv,
      SCENARIOS.map((s) => s.name),
    );
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`reliability: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (plan.kind === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (plan.kind === "list") {
    process.stdout.write(SCENARIOS.map((s) => `${s.name} (≤ ${s.budgetS} s)`).join("\n") + "\n");
    return 0;
  }
  installCleanupHooks();
  if (plan.kind === "soak") return runSoak(plan.seconds, plan.writeDocs ? DOC : undefined, progress("soak"));
  return runScenarios(plan);
}

const code = await main(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`reliability: ${err.stack ?? err.message}\n`);
  return 1;
});
closeAllScopes();
process.exit(code);
