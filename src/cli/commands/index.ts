import type { Command } from "../command.js";
import { benchCommand } from "./bench.js";

/** Every `leadlag` subcommand, in the order `leadlag --help` lists them. */
export const commands: Command[] = [benchCommand];
