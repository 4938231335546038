import type { Command } from "../command.js";
import { analyzeCommand } from "./analyze.js";
import { backtestCommand } from "./backtest.js";
import { benchCommand } from "./bench.js";
import { runCommand } from "./run.js";
import { scanCommand } from "./scan.js";
import { shadowCommand } from "./shadow.js";
import { checkConfigCommand } from "./check-config.js";
import { marketCommand } from "./market.js";
import { recordCommand } from "./record.js";
import { dataCommand } from "./data.js";
import { ordersCommand, positionsCommand } from "./views.js";
import { sweepCommands } from "./sweep.js";

/** Every `leadlag` subcommand, in the order `leadlag --help` lists them. */
export const commands: Command[] = [
  runCommand,
  backtestCommand,
  checkConfigCommand,
  positionsCommand,
  ordersCommand,
  shadowCommand,
  analyzeCommand,
  scanCommand,
  marketCommand,
  recordCommand,
  dataCommand,
  benchCommand,
  ...sweepCommands,
];
