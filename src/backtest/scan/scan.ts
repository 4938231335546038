/**
 * `leadlag scan`: the artifacts of docs/artifacts.md computed from history, written as a new version, validated
 * on the hold-out window and only then made `latest` (versions.ts). Steps: read the scan window once
 * (history.ts), HY curves on a piscina pool (hy-pool.ts), gates and ranking (rank.ts), baselines from the
 * leaders' jumps (baselines.ts), files + manifest into a staging directory, validation (validate.ts), then
 * accept or reject.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { hyParamsOf, type HyParams, type LagGrid } from "../../actors/estimator/params.js";
import { leadLagStrategy, loadRegistry, type Config } from "../../config/index.js";
import type { Feature } from "../../protocol/signals.js";
import { fromRoot, packageRoot } from "../../runtime/paths.js";
import type { Nanos } from "../../model/time.js";
import { BacktestRefused, type BacktestPlan } from "../runner/plan.js";
import { configHash } from "../../config/index.js";
import { NoData, windowText } from "../runner/run.js";
import { openSource } from "../sources/open.js";
import { pairBaselines } from "./baselines.js";
import { readHistory, type ScanHistory } from "./history.js";
import { computeCurves, curveKey, type CurveRequest } from "./hy-pool.js";
import { applyLagGrid, edgeWarning, type LagGridOverrides } from "./lag-grid.js";
import { featureWeights, pairFeatureResult, rankPairs, type PairFeatureResult } from "./rank.js";
import { validateArtifacts, type ValidationResult } from "./validate.js";
import { accept, ensureWritable, freshVersion, reject, stagingDir } from "./versions.js";

export interface ScanRequest {
  readonly config: Config;
  /** The whole window (`--start`..`--end`), source and symbols: the scan reads its first part, validation the rest. */
  readonly plan: BacktestPlan;
  /** Fraction of the window kept for validation, in (0, 1). */
  readonly holdout: number;
  readonly outDir: string;
  readonly keep: number;
  readonly workers: number;
  readonly grid: LagGridOverrides;
  readonly minDecisions: number;
  readonly log: Logger;
  /** Wall-clock time of the scan (the version's name). */
  readonly nowMs: number;
}

export interface ScanTimings {
  readonly readSeconds: number;
  readonly hySeconds: number;
  /** Reading, HY and baselines: the scan itself, without validation. */
  readonly scanSeconds: number;
  readonly validateSeconds: number;
}

export interface ScanOutcome {
  readonly version: string;
  /** Where the set ended: `DIR/<version>` or `DIR/rejected/<version>`. */
  readonly path: string;
  readonly accepted: boolean;
  readonly reason: string;
  readonly warnings: readonly string[];
  readonly results: readonly PairFeatureResult[];
  readonly rankedPairs: number;
  readonly orderedPairs: number;
  readonly events: number;
  readonly removed: readonly string[];
  readonly validation: ValidationResult | undefined;
  readonly timings: ScanTimings;
}

const iso = (ns: Nanos) => new Date(Number(ns / 1_000_000n)).toISOString();

/** package.json's version, and the git commit when the package is a checkout. */
export function codeVersion(): { package: string; git_commit: string | null } {
  const pkg = JSON.parse(readFileSync(fromRoot("package.json"), "utf8")) as { version: string };
  let commit: string | null = null;
  try {
    commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: packageRoot, encoding: "utf8", stdio: "pipe" }).trim();
  } catch {
    commit = null; // not a checkout (a package install, a container without git)
  }
  return { package: pkg.version, git_commit: commit };
}

/** The scan's grid: the config's hy_estimator_config with the command line's overrides. */
export function scanGrid(config: Config, overrides: LagGridOverrides): { params: HyParams; grid: LagGrid } {
  return applyLagGrid(hyParamsOf(leadLagStrategy(config)), overrides);
}

export function splitNs(plan: BacktestPlan, holdout: number): Nanos {
  const span = plan.endNs - plan.startNs;
  return plan.startNs + (span * BigInt(Math.round((1 - holdout) * 1e6))) / 1_000_000n;
}

export async function runScan(request: ScanRequest): Promise<ScanOutcome> {
  const { config, plan, log } = request;
  const strategy = leadLagStrategy(config).config;
  const { params, grid } = scanGrid(config, request.grid);
  await ensureWritable(request.outDir);
  const registry = await loadRegistry(config);
  const symbols = strategy.symbols;
  const recorded = symbols.map((s) => {
    const found = registry.resolve(s);
    if (!found.ok) throw new BacktestRefused(`strategy symbol ${s} is not in ${config.symbol_rules_path}`);
    return found.instrument.mdSymbol;
  });
  const features = strategy.features as readonly Feature[];
  const split = splitNs(plan, request.holdout);
  const scanPlan: BacktestPlan = { ...plan, endNs: split };
  const holdoutPlan: BacktestPlan = { ...plan, startNs: split };

  const t0 = performance.now();
  const source = await openSource(
    plan.source,
    { window: { startNs: plan.startNs, endNs: split }, symbols: recorded, batchSize: plan.batchSize },
    plan.tables,
  );
  const description = source.description;
  let history: ScanHistory;
  try {
    const probe = await source.probe();
    if (probe.total === 0)
      throw new NoData(
        `no data for ${symbols.join(", ")} in the scan window ${windowText(scanPlan)} in ${source.description}`,
      );
    const jump = strategy.jump_detection_config;
    history = await readHistory(source, {
      symbols: recorded,
      features,
      baseNs: plan.startNs,
      jumpParams: {
        windowK: jump.window_K,
        alpha: jump.alpha,
        coJumpThreshold: jump.co_jump_threshold,
        coJumpWindowS: jump.co_jump_window_s,
      },
      jumpPriceSource: jump.price_source,
    });
  } finally {
    await source.close();
  }
  const t1 = performance.now();

  const requests: CurveRequest[] = [];
  for (let a = 0; a < symbols.length; a++)
    for (let b = 0; b < symbols.length; b++)
      if (a !== b) for (const feature of features) requests.push({ leader: a, lagger: b, feature });
  const seriesOf = (i: number, feature: string) => history.symbols[i].features.get(feature as Feature)!;
  const curves = await computeCurves(requests, seriesOf, grid, request.workers);
  const t2 = performance.now();

  const results = requests.map((r) =>
    pairFeatureResult(
      { leader: symbols[r.leader], lagger: symbols[r.lagger], feature: r.feature as Feature },
      seriesOf(r.leader, r.feature),
      seriesOf(r.lagger, r.feature),
      curves.get(curveKey(r.leader, r.lagger, r.feature))!,
      grid,
      params,
    ),
  );
  const ranked = rankPairs(results);
  const historyByConfigured: ScanHistory = {
    ...history,
    symbols: history.symbols.map((s, i) => ({ ...s, symbol: symbols[i] })),
  };
  const baselines = pairBaselines(historyByConfigured, ranked);
  const weights = featureWeights(results, ranked, features);
  const warnings = results
    .filter((r) => r.edge)
    .map((r) => edgeWarning(`${r.leader} -> ${r.lagger} ${r.feature}`, r.result, params));
  const t3 = performance.now();

  const version = await freshVersion(request.outDir, request.nowMs);
  const staging = await stagingDir(request.outDir, version);
  const generatedAt = new Date(request.nowMs).toISOString();
  const files: Record<string, unknown> = {
    "top_pairs.json": {
      version: 1,
      generated_at: generatedAt,
      pairs: ranked.map((p) => ({
        leader: p.leader,
        lagger: p.lagger,
        weight: 1,
        expected_tau_s: Number(p.best.result.tauStarS.toFixed(6)),
      })),
    },
    "top_features.json": { version: 1, generated_at: generatedAt, features: weights },
    "baselines.json": { version: 1, generated_at: generatedAt, pairs: baselines.rows },
  };
  // An empty pair list is not a valid top_pairs.json: such a set is rejected below, its reason said plainly.
  const noPairs = ranked.length === 0;
  for (const [name, body] of Object.entries(files))
    await writeFile(path.join(staging, name), JSON.stringify(body, null, 2) + "\n");

  const validation = noPairs
    ? undefined
    : await validateArtifacts(config, holdoutPlan, staging, request.minDecisions, log);
  const reason = noPairs
    ? `no ordered pair passes the gates (|rho*| >= ${params.correlationThreshold}, LLS >= ${params.llsThreshold}, ` +
      "tau* > 0) with any feature"
    : (validation?.reason ?? "");
  const timings = {
    readSeconds: (t1 - t0) / 1000,
    hySeconds: (t2 - t1) / 1000,
    scanSeconds: (t3 - t0) / 1000,
    validateSeconds: validation?.wallSeconds ?? 0,
  };
  const manifest = {
    version,
    created_at: generatedAt,
    code_version: codeVersion(),
    config_hash: configHash(config),
    data: {
      source: description,
      window: { start: iso(plan.startNs), end: iso(plan.endNs) },
      scan_window: { start: iso(plan.startNs), end: iso(split) },
      holdout_window: { start: iso(split), end: iso(plan.endNs) },
      events: history.events,
      rows: Object.fromEntries(history.symbols.map((s, i) => [symbols[i], { trades: s.trades, books: s.books }])),
      observations: Object.fromEntries(
        history.symbols.map((s, i) => [
          symbols[i],
          Object.fromEntries([...s.features].map(([f, series]) => [f, series.times.length])),
        ]),
      ),
      jumps: history.jumps.length,
    },
    lag_grid: {
      lag_min_s: params.lagMinS,
      lag_max_s: params.lagMaxS,
      lag_step_s: params.lagStepS,
      exclude_low_s: params.excludeLowS,
      exclude_high_s: params.excludeHighS,
      lags: grid.lagsNs.length,
    },
    gates: { correlation_threshold: params.correlationThreshold, lls_threshold: params.llsThreshold },
    pairs: results.map((r) => ({
      leader: r.leader,
      lagger: r.lagger,
      feature: r.feature,
      status: r.result.status,
      tau_star_s: r.result.tauStarS,
      rho_star: r.result.rhoStar,
      lls: Number.isFinite(r.result.lls) ? r.result.lls : String(r.result.lls),
      passes: r.result.passes,
      edge_of_grid: r.edge,
    })),
    baselines: baselines.stats,
    edge_of_grid: results.some((r) => r.edge),
    warnings,
    validation: {
      criterion:
        "the files load against the configured universe; a backtest of the hold-out window with them runs without " +
        `an actor crash and takes at least ${request.minDecisions} decision(s)`,
      passed: reason === "",
      reason,
      ...(validation === undefined
        ? {}
        : {
            decisions: validation.decisions,
            entered: validation.entered,
            trades: validation.trades,
            pnl_usd: Number(validation.pnlUsd.toFixed(2)),
          }),
    },
    timings: {
      read_s: Number(timings.readSeconds.toFixed(3)),
      hy_s: Number(timings.hySeconds.toFixed(3)),
      scan_s: Number(timings.scanSeconds.toFixed(3)),
      validate_s: Number(timings.validateSeconds.toFixed(3)),
    },
  };
  await writeFile(path.join(staging, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");

  let removed: string[] = [];
  let where: string;
  if (reason === "") {
    removed = await accept(request.outDir, staging, version, request.keep);
    where = path.join(request.outDir, version);
  } else {
    where = await reject(request.outDir, staging, version, reason, request.keep);
  }
  return {
    version,
    path: where,
    accepted: reason === "",
    reason,
    warnings,
    results,
    rankedPairs: ranked.length,
    orderedPairs: symbols.length * (symbols.length - 1),
    events: history.events,
    removed,
    validation,
    timings,
  };
}
