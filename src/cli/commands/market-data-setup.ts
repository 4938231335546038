/** Config and symbol-rules loading shared by `leadlag market` and `leadlag record`. */
import { existsSync } from "node:fs";
import path from "node:path";
import { loadInstrumentRegistry, type InstrumentRegistry } from "../../model/instruments.js";
import { fromRoot } from "../../runtime/paths.js";
import { ConfigError, loadConfig, type Config } from "../../config/index.js";

export const DEFAULT_CONFIG = "configs/paper.yaml";

export type Loaded = { ok: true; config: Config; registry: InstrumentRegistry } | { ok: false; exitCode: number };

/**
 * Loads the config (the paper default when none is given) and its symbol rules; prints problems and returns exit code
 * 2.
 */
export async function loadMarketDataSetup(configPath: string | undefined): Promise<Loaded> {
  const file = configPath ?? repositoryPath(DEFAULT_CONFIG);
  let config: Config;
  try {
    config = await loadConfig(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(err.message + "\n");
    return { ok: false, exitCode: 2 };
  }
  try {
    return { ok: true, config, registry: await loadInstrumentRegistry(repositoryPath(config.symbol_rules_path)) };
  } catch (err) {
    process.stderr.write(`leadlag: ${(err as Error).message}\n`);
    return { ok: false, exitCode: 2 };
  }
}

/** A relative path as given when it exists from the working directory, else from the repository root. */
function repositoryPath(file: string): string {
  return path.isAbsolute(file) || existsSync(file) ? file : fromRoot(file);
}

/** Resolves when the process gets SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
