import type { Command } from "../command.js";
import { UsageError } from "../command.js";
import { parseCommandArgs } from "../args.js";
import {
  type Config,
  ConfigError,
  definedProfiles,
  parseConfig,
  readConfigText,
  redactSecrets,
} from "../../config/index.js";

const USAGE = `usage: leadlag check-config FILE [--profile P] [--print]

Validates a config file without starting anything.
Without --profile, checks the base config (profiles: sections are not merged).

  --profile P   check the config with profile P merged over it
  --print       print the resolved config as JSON (secrets redacted)

exit status: 0 valid, 2 invalid (every error is listed)`;

function summary(config: Config): string {
  const symbols = new Set(config.strategies.flatMap((s) => s.config.symbols));
  const strategies =
    `${config.strategies.length} strateg${config.strategies.length === 1 ? "y" : "ies"} ` + `(${symbols.size} symbols)`;
  return (
    `mode ${config.mode}, market data ${config.market_data.provider}, execution ` +
    `${config.execution.provider}/${config.execution.mode}, ${strategies}`
  );
}

function profileNote(selected: string | undefined, defined: readonly string[]): string {
  if (selected !== undefined) return ` (profile ${selected})`;
  return defined.length > 0 ? ` (base; profiles ${defined.join(", ")} checked only with --profile)` : "";
}

export const checkConfigCommand: Command = {
  name: "check-config",
  summary: "validate a config file and list every error",
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      profile: { type: "string" },
      print: { type: "boolean", default: false },
    });
    const [file, ...extra] = positionals;
    if (!file) throw new UsageError("name a config file");
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);

    let text: string;
    try {
      text = await readConfigText(file);
    } catch (err) {
      const unreadable = `leadlag check-config: cannot read ${file}: ${(err as Error).message}`;
      process.stderr.write(`${err instanceof ConfigError ? err.message : unreadable}\n`);
      return 2;
    }
    let config: Config;
    try {
      config = parseConfig(text, { profile: values.profile, sourceName: file });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    if (values.print) {
      process.stdout.write(JSON.stringify(redactSecrets(config), null, 2) + "\n");
    } else {
      process.stdout.write(`OK ${file}${profileNote(values.profile, definedProfiles(text))}: ${summary(config)}\n`);
    }
    return 0;
  },
};
