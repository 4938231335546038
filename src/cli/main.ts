import type { Command } from "./command.js";
import { UsageError } from "./command.js";
import { commands } from "./commands/index.js";
import { closeLogFiles } from "../runtime/logger.js";

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    "usage: leadlag <command> [options]   (leadlag <command> --help for details)",
    "",
    "commands:",
    ...lines,
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(overview() + "\n");
    return name ? 0 : 2;
  }
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`leadlag: unknown command '${name}'\n\n${overview()}\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`leadlag ${command.name}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    throw err;
  } finally {
    await closeLogFiles();
  }
}
