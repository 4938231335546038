import type { Command } from "../command.js";
import { UsageError } from "../command.js";
import { parseCommandArgs } from "../args.js";
import { runDaemon, LIVE_CONFIRM_ENV } from "../../supervisor/daemon.js";
import { LOG_LEVEL_NAMES, pinoLevel } from "../../config/index.js";

export const runCommand: Command = {
  name: "run",
  summary: "run the daemon (paper, live or shadow) until SIGTERM/SIGINT",
  usage: [
    "usage: leadlag run CONFIG [--profile P] [--live] [--log-level LEVEL] [--structured-logging]",
    "                            [--report-json FILE]",
    "",
    "  CONFIG       YAML config (configs/paper.yaml is the default setup)",
    "  --profile P  merge the config's profiles.P over it",
    `  --live       confirm real-money trading (or ${LIVE_CONFIRM_ENV}=yes); refused without it`,
    `  --log-level LEVEL     override observability.logging.level (${LOG_LEVEL_NAMES.join(", ")})`,
    "  --structured-logging  JSON log lines, overriding observability.logging.structured: false",
    "  --report-json FILE    write a run report (trades, PnL, fees, decisions by gate, jumps, restarts) at exit",
    "",
    "exit codes: 0 stopped cleanly, 1 failed to start, 2 bad config or refused, 70 supervisor escalation;",
    "a main thread stalled past runtime.watchdog.stall_ms: killed by SIGKILL (status 137 in a shell)",
  ].join("\n"),
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      profile: { type: "string" },
      live: { type: "boolean", default: false },
      "log-level": { type: "string" },
      "structured-logging": { type: "boolean", default: false },
      "report-json": { type: "string" },
    });
    if (positionals.length !== 1) throw new UsageError("give exactly one CONFIG file");
    const levelName = values["log-level"];
    const logLevel = levelName === undefined ? undefined : pinoLevel(levelName);
    if (levelName !== undefined && logLevel === undefined) {
      throw new UsageError(`--log-level: unknown level '${levelName}'; use one of ${LOG_LEVEL_NAMES.join(", ")}`);
    }
    return runDaemon(positionals[0], {
      profile: values.profile,
      confirmLive: values.live ?? false,
      logLevel,
      structuredLogging: values["structured-logging"],
      reportJson: values["report-json"],
    });
  },
};
