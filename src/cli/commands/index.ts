import type { Command } from "../command.js";
import { benchCommand } from "./bench.js";
import { runCommand } from "./run.js";
import { checkConfigCommand } from "./check-config.js";

/** Every `leadlag` subcommand, in the order `leadlag --help` lists them. */
export const commands: Command[] = [runCommand, checkConfigCommand, benchCommand];
