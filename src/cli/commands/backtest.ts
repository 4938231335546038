import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import type { Command } from "../command.js";
import { UsageError } from "../command.js";
import { numberOption, parseCommandArgs } from "../args.js";
import { ConfigError, loadConfig } from "../../config/index.js";
import { createLogger } from "../../runtime/logger.js";
import { BacktestRefused, planBacktest } from "../../backtest/runner/plan.js";
import { BacktestFailed, NoData, openReplay, runBacktest } from "../../backtest/runner/run.js";
import { progressReporter } from "../../backtest/runner/progress.js";
import { checkReportPaths, ReportPathError, writeReports } from "../../backtest/report/write.js";
import { printSummary } from "../../backtest/report/summary.js";
import { SourceError } from "../../backtest/sources/source.js";

const USAGE = [
  "usage: leadlag backtest CONFIG [--profile P] [--from SRC] [--start ISO] [--end ISO] [--seed N]",
  "                        [--report-json F] [--report-html F] [--decisions-csv F] [--quiet]",
  "",
  "  Replays recorded market data through the daemon's actors (feed, jumps, estimator, strategy, risk,",
  "  orders, venue) on the inline runtime, its clock driven by event time. CONFIG must have mode: backtest.",
  "",
  "  --from SRC        postgresql://user@host:5432/db, a recorder CSV directory, or a replay file",
  "                    (default: backtest.data_source.connection)",
  "  --start/--end     the window on receipt time (default: backtest.start_date / end_date)",
  "  --seed N          the simulation's seed (default backtest.simulation.seed, 42)",
  '  --report-json F   the report as JSON (the same inputs and seed give the same bytes, but for "timing")',
  "  --report-html F   the report as one self-contained HTML file",
  "  --decisions-csv F the strategy's decision-score CSV of the run (one row per evaluated decision)",
  "  --quiet           no progress and no summary",
  "",
  "exit codes: 0 done, 1 the replay failed (unreadable source, an actor crashed), 2 bad config, refused, or no",
  "data in the window. Docs: docs/backtest.md.",
].join("\n");

const OPTIONS = {
  profile: { type: "string" },
  from: { type: "string" },
  start: { type: "string" },
  end: { type: "string" },
  seed: { type: "string" },
  "report-json": { type: "string" },
  "report-html": { type: "string" },
  "decisions-csv": { type: "string" },
  quiet: { type: "boolean", default: false },
} as const;

export const backtestCommand: Command = {
  name: "backtest",
  summary: "replay recorded market data through the trading actors and report the result",
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS);
    if (positionals.length !== 1) throw new UsageError("give exactly one CONFIG file");
    const seed = values.seed === undefined ? undefined : numberOption("seed", values.seed, 0);
    if (seed !== undefined && !Number.isSafeInteger(seed))
      throw new UsageError(`--seed must be an integer, got '${values.seed}'`);
    const fail = (code: number, message: string) => {
      process.stderr.write(`leadlag backtest: ${message}\n`);
      return code;
    };
    try {
      const config = await loadConfig(positionals[0], { profile: values.profile });
      const plan = await planBacktest(config, { from: values.from, start: values.start, end: values.end, seed });
      const targets = { json: values["report-json"], html: values["report-html"] };
      const decisionsCsv = values["decisions-csv"];
      await checkReportPaths(targets);
      if (decisionsCsv !== undefined) await checkDecisionsPath(decisionsCsv);
      const quiet = values.quiet ?? false;
      // Warnings and errors only: at info the actors log every position closed, which would bury the summary.
      const log = createLogger(quiet ? "error" : "warn");
      const source = await openReplay(plan, log);
      const progress = progressReporter(plan, quiet ? "none" : process.stderr.isTTY ? "bar" : "lines");
      let record: Awaited<ReturnType<typeof runBacktest>>;
      try {
        record = await runBacktest(config, plan, source, { log, decisionsCsv, onProgress: (p) => progress.update(p) });
        // The window is replayed to its end even when its last event came earlier: the bar ends at 100 %.
        progress.update({ eventNs: plan.endNs, events: record.meta.eventsReplayed });
      } finally {
        progress.stop();
        await source.close();
      }
      await writeReports(record, targets);
      if (!quiet) printSummary(record, process.stdout);
      return 0;
    } catch (err) {
      if (err instanceof ConfigError) return fail(2, err.message);
      if (err instanceof BacktestRefused || err instanceof NoData || err instanceof ReportPathError)
        return fail(2, err.message);
      if (err instanceof SourceError || err instanceof BacktestFailed) return fail(1, err.message);
      throw err;
    }
  },
};

/** `--decisions-csv` must be writable before the replay starts, as the report paths are. */
async function checkDecisionsPath(file: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  const target = info === undefined ? path.dirname(path.resolve(file)) : file;
  if (info?.isDirectory()) throw new ReportPathError(`cannot write the decision CSV ${file}: it is a directory`);
  await access(target, constants.W_OK).catch((err: NodeJS.ErrnoException) => {
    throw new ReportPathError(`cannot write the decision CSV ${file}: ${err.code ?? err.message}`);
  });
}
