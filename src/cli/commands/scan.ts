import path from "node:path";
import type { Command } from "../command.js";
import { UsageError } from "../command.js";
import { numberOption, parseCommandArgs } from "../args.js";
import { LAG_GRID_OPTIONS, LAG_GRID_USAGE, lagGridOverrides } from "../lag-grid-options.js";
import { ConfigError, leadLagStrategy, loadConfig } from "../../config/index.js";
import { createLogger } from "../../runtime/logger.js";
import { BacktestRefused, planBacktest } from "../../backtest/runner/plan.js";
import { NoData } from "../../backtest/runner/run.js";
import { SourceError } from "../../backtest/sources/source.js";
import { LagGridError } from "../../backtest/scan/lag-grid.js";
import { defaultWorkers } from "../../backtest/scan/hy-pool.js";
import { runScan, type ScanOutcome } from "../../backtest/scan/scan.js";
import { artifactDirOf, LATEST, rollback, VersionsError } from "../../backtest/scan/versions.js";

const USAGE = [
  "usage: leadlag scan CONFIG --from SRC --start ISO --end ISO [--out DIR] [--keep N] [--holdout F]",
  "                   [--min-decisions N] [--workers N] [--profile P] [lag grid flags]",
  "       leadlag scan --rollback DIR",
  "",
  "  Computes the strategy's artifacts (top_pairs.json, top_features.json, baselines.json: docs/artifacts.md)",
  "  from recorded history: HY over the lag grid for every ordered pair of the strategy's symbols and every",
  "  configured feature, ranked with the config's gates, baselines from the leaders' jumps. Writes",
  "  DIR/YYYYMMDDTHHMMZ/ with a manifest.json, validates it with a backtest of the hold-out window, and only",
  "  then points DIR/latest at it; a set that fails goes to DIR/rejected/<version>/ with reason.txt.",
  "  CONFIG is a mode: backtest config (as for leadlag backtest); its strategy gives symbols, features, gates.",
  "",
  "  --from SRC          postgresql://user@host:5432/db, a recorder CSV directory, or a replay file",
  "                      (default: backtest.data_source.connection)",
  "  --start/--end ISO   the window on receipt time (default: backtest.start_date / end_date)",
  "  --out DIR           the artifact directory (default: the parent of the strategy's artifacts_path when",
  "                      that ends in /latest)",
  "  --keep N            validated versions kept (default 7; rejected/ keeps as many)",
  "  --holdout F         the window's last fraction, not scanned, backtested for validation (default 0.2)",
  "  --min-decisions N   decisions the hold-out backtest must take (default 1)",
  "  --workers N         HY worker threads (default: the machine's cores)",
  LAG_GRID_USAGE,
  "  --rollback DIR      point DIR/latest back at the validated version before the current one",
  "",
  "exit codes: 0 validated and linked (or rolled back), 1 the set was rejected or the source could not be",
  "read, 2 bad arguments or config, or no data in the scan window.",
].join("\n");

const OPTIONS = {
  profile: { type: "string" },
  from: { type: "string" },
  start: { type: "string" },
  end: { type: "string" },
  out: { type: "string" },
  keep: { type: "string" },
  holdout: { type: "string" },
  "min-decisions": { type: "string" },
  workers: { type: "string" },
  rollback: { type: "string" },
  ...LAG_GRID_OPTIONS,
} as const;

function positiveInteger(name: string, value: string | undefined, fallback: number, min = 1): number {
  const n = numberOption(name, value, fallback);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got '${value ?? fallback}'`);
  return n;
}

export const scanCommand: Command = {
  name: "scan",
  summary: "compute, validate and deploy the strategy's artifacts from recorded history",
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS);
    const fail = (code: number, message: string) => {
      process.stderr.write(`leadlag scan: ${message}\n`);
      return code;
    };
    if (values.rollback !== undefined) {
      if (positionals.length > 0) throw new UsageError("--rollback takes only the artifact directory");
      try {
        const [from, to] = await rollback(values.rollback);
        process.stdout.write(`${path.join(values.rollback, LATEST)} -> ${to} (was ${from})\n`);
        return 0;
      } catch (err) {
        if (err instanceof VersionsError) return fail(2, err.message);
        throw err;
      }
    }
    if (positionals.length !== 1) throw new UsageError("give exactly one CONFIG file");
    const keep = positiveInteger("keep", values.keep, 7);
    const minDecisions = positiveInteger("min-decisions", values["min-decisions"], 1, 0);
    const workers = positiveInteger("workers", values.workers, defaultWorkers());
    const holdout = numberOption("holdout", values.holdout, 0.2);
    if (!(holdout > 0 && holdout < 1)) throw new UsageError(`--holdout must lie in (0, 1), got '${values.holdout}'`);
    const grid = lagGridOverrides(values);
    try {
      const config = await loadConfig(positionals[0], { profile: values.profile });
      const outDir = values.out ?? defaultOut(leadLagStrategy(config).config.artifacts_path);
      const plan = await planBacktest(config, { from: values.from, start: values.start, end: values.end });
      const log = createLogger("error");
      const outcome = await runScan({
        config,
        plan,
        holdout,
        outDir,
        keep,
        workers,
        grid,
        minDecisions,
        log,
        nowMs: Date.now(),
      });
      printOutcome(outcome, outDir);
      return outcome.accepted ? 0 : 1;
    } catch (err) {
      if (err instanceof ConfigError || err instanceof BacktestRefused || err instanceof NoData)
        return fail(2, err.message);
      if (err instanceof LagGridError || err instanceof VersionsError) return fail(2, err.message);
      if (err instanceof SourceError) return fail(1, err.message);
      throw err;
    }
  },
};

function defaultOut(artifactsPath: string): string {
  const dir = artifactDirOf(artifactsPath);
  if (dir === undefined)
    throw new UsageError(
      `give --out DIR: the strategy's artifacts_path (${artifactsPath}) does not end in /${LATEST}, so the ` +
        "artifact directory cannot be derived from it",
    );
  return dir;
}

function fixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

function printOutcome(outcome: ScanOutcome, outDir: string): void {
  const out = process.stdout;
  for (const r of outcome.results) {
    const res = r.result;
    const body =
      res.status === "ok"
        ? `tau* ${fixed(res.tauStarS, 3).padStart(8)} s  rho* ${fixed(res.rhoStar, 4).padStart(7)}  LLS ` +
          `${fixed(res.lls, 3).padStart(8)}  ${res.passes ? "passes" : "fails"}${r.edge ? "  EDGE" : ""}`
        : res.status;
    out.write(`${`${r.leader} -> ${r.lagger}`.padEnd(32)} ${r.feature.padEnd(9)} ${body}\n`);
  }
  for (const w of outcome.warnings) process.stderr.write(`${w}\n`);
  const t = outcome.timings;
  out.write(
    `scanned ${outcome.events} events, ${outcome.orderedPairs} ordered pairs in ${t.scanSeconds.toFixed(2)} s ` +
      `(read ${t.readSeconds.toFixed(2)} s, HY ${t.hySeconds.toFixed(2)} s); ${outcome.rankedPairs} pair(s) pass\n`,
  );
  const v = outcome.validation;
  if (outcome.accepted) {
    out.write(
      `validated on the hold-out in ${t.validateSeconds.toFixed(1)} s: ${v?.decisions} decisions, ${v?.entered} entered, ` +
        `${v?.trades} trades\n${path.join(outDir, LATEST)} -> ${outcome.version}` +
        `${outcome.removed.length > 0 ? ` (removed ${outcome.removed.join(", ")})` : ""}\n`,
    );
  } else {
    process.stderr.write(`leadlag scan: rejected ${outcome.version}: ${outcome.reason}; kept in ${outcome.path}\n`);
  }
}
