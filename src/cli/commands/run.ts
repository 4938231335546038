import type { Command } from "../command.js";
import { UsageError } from "../command.js";
import { parseCommandArgs } from "../args.js";
import { runDaemon, LIVE_CONFIRM_ENV } from "../../supervisor/daemon.js";

export const runCommand: Command = {
  name: "run",
  summary: "run the daemon (paper, live or shadow) until SIGTERM/SIGINT",
  usage: [
    "usage: leadlag run CONFIG [--profile P] [--live]",
    "",
    "  CONFIG       YAML config (configs/paper.yaml is the default setup)",
    "  --profile P  merge the config's profiles.P over it",
    `  --live       confirm real-money trading (or ${LIVE_CONFIRM_ENV}=yes); refused without it`,
    "",
    "exit codes: 0 stopped cleanly, 1 failed to start, 2 bad config or refused, 70 supervisor escalation;",
    "a main thread stalled past runtime.watchdog.stall_ms: killed by SIGKILL (status 137 in a shell)",
  ].join("\n"),
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      profile: { type: "string" },
      live: { type: "boolean", default: false },
    });
    if (positionals.length !== 1) throw new UsageError("give exactly one CONFIG file");
    return runDaemon(positionals[0], { profile: values.profile, confirmLive: values.live ?? false });
  },
};
