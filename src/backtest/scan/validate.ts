/**
 * The validation a scanned artifact set must pass before `latest` points at it (docs/artifacts.md,
 * "Validation before deployment"): the files load against the configured universe as the daemon loads them, and
 * a backtest of the hold-out window (the part of `--start`..`--end` the scan did not read) with the set as the
 * strategy's artifacts runs without an actor crash and takes at least `minDecisions` decisions.
 */
import type { Logger } from "pino";
import { leadLagStrategy, loadRegistry, universe, type Config } from "../../config/index.js";
import { artifactStoreOf, loadArtifacts } from "../../actors/strategy/artifact-files.js";
import type { BacktestPlan } from "../runner/plan.js";
import { BacktestFailed, NoData, openReplay, runBacktest } from "../runner/run.js";
import { SourceError } from "../sources/source.js";

export interface ValidationResult {
  readonly ok: boolean;
  /** Why the set was rejected; "" when ok. */
  readonly reason: string;
  readonly decisions: number;
  readonly entered: number;
  readonly trades: number;
  readonly pnlUsd: number;
  readonly wallSeconds: number;
}

/** The config with the strategy reading its artifacts from `dir`. */
export function withArtifactsPath(config: Config, dir: string): Config {
  const [first, ...rest] = config.strategies;
  return { ...config, strategies: [{ ...first, config: { ...first.config, artifacts_path: dir } }, ...rest] };
}

export async function validateArtifacts(
  config: Config,
  holdout: BacktestPlan,
  dir: string,
  minDecisions: number,
  log: Logger,
): Promise<ValidationResult> {
  const started = performance.now();
  const result = (fields: Partial<ValidationResult> & { reason: string }): ValidationResult => ({
    decisions: 0,
    entered: 0,
    trades: 0,
    pnlUsd: 0,
    ...fields,
    ok: fields.reason === "",
    wallSeconds: (performance.now() - started) / 1000,
  });
  const registry = await loadRegistry(config);
  const store = artifactStoreOf(leadLagStrategy(config).config, registry, universe(config, registry));
  const loaded = loadArtifacts(store, dir);
  if (!loaded.ok) return result({ reason: `the artifacts do not load: ${loaded.errors.join("; ")}` });

  const validated = withArtifactsPath(config, dir);
  let source: Awaited<ReturnType<typeof openReplay>>;
  try {
    source = await openReplay(holdout, log);
  } catch (err) {
    if (err instanceof NoData) return result({ reason: `hold-out backtest: ${err.message}` });
    throw err;
  }
  try {
    const record = await runBacktest(validated, holdout, source, { log });
    const decisions = record.decisions.length;
    const entered = record.decisions.filter((d) => d.outcome === "entered").length;
    const pnlUsd = record.trades.reduce((sum, t) => sum + t.netPnl, 0);
    const reason =
      decisions < minDecisions
        ? `hold-out backtest: the strategy took ${decisions} decision(s), fewer than --min-decisions ${minDecisions}`
        : "";
    return result({ reason, decisions, entered, trades: record.trades.length, pnlUsd });
  } catch (err) {
    if (err instanceof BacktestFailed || err instanceof SourceError)
      return result({ reason: `hold-out backtest failed: ${err.message}` });
    throw err;
  } finally {
    await source.close();
  }
}
