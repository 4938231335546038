/**
 * Which config a shadow runs, and what it may change. A shadow reads the live feed, jumps and estimator
 * scans through the tap (docs/shadow.md), so everything those depend on must be the live value: the
 * market data, the symbols, the HY and jump parameters, the artifacts. What it may change is what its
 * own actors read: the strategy's other parameters, `risk`, `initial_balance` and `backtest.simulation`.
 */
import type { Config } from "../../config/index.js";

export interface ShadowConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Strategy parameters the live estimator shards and jumps actor read (or the tap's contents depend on). */
export const FROZEN_STRATEGY_KEYS: ReadonlySet<string> = new Set([
  "symbols",
  "features",
  "inference_lookback_seconds",
  "correlation_threshold",
  "lls_threshold",
  "hy_estimator_config",
  "jump_detection_config",
  "artifacts_path",
  "market_type",
  "decision_scores_csv_path",
]);

/** Top-level sections a shadow may change as a whole. */
const FREE_SECTIONS: ReadonlySet<string> = new Set(["risk", "initial_balance"]);

/**
 * Every way `shadow` differs from `live` that a shadow cannot honour, each with its path; empty when the
 * shadow can run. A config of its own (`inherited` false: `--config FILE`) that names a live execution
 * provider is refused by name; one built on the live config (`--set`, `--mirror`) inherits the live
 * `execution:` unchanged, which a shadow ignores: its orders only ever reach its simulated venue.
 */
export function shadowConfigIssues(live: Config, shadow: Config, inherited: boolean): ShadowConfigIssue[] {
  const issues: ShadowConfigIssue[] = [];
  const namesEngine = shadow.execution.provider === "zmq" && !(inherited && live.execution.provider === "zmq");
  if (namesEngine) issues.push({ path: "execution.provider", message: ENGINE_REFUSED });
  // Built on the live config, a shadow inherits the live `shadows:` list, which it does not read.
  if (!inherited && shadow.shadows.length > 0)
    issues.push({ path: "shadows", message: "a shadow cannot attach shadows of its own" });
  if (shadow.strategies.length !== 1 || live.strategies.length !== 1)
    issues.push({ path: "strategies", message: "a shadow runs exactly one strategy, as the live daemon does" });
  for (const path of differences(live, shadow, [])) {
    const [top, index, section, key] = path;
    if (FREE_SECTIONS.has(String(top)) || top === "shadows") continue;
    if (top === "execution" && namesEngine) continue;
    if (top === "backtest" && index === "simulation") continue;
    if (top === "strategies" && index === 0 && section === "name") continue;
    if (top === "strategies" && index === 0 && section === "config" && !FROZEN_STRATEGY_KEYS.has(String(key))) continue;
    issues.push({ path: dotted(path), message: FROZEN });
  }
  return issues;
}

/**
 * The `--set` paths a shadow cannot honour, checked before the config is, so a refusal lists these beside the
 * schema's errors. The same rules as `shadowConfigIssues`, applied to the paths themselves.
 */
export function setPathIssues(set: Readonly<Record<string, unknown>>): ShadowConfigIssue[] {
  const issues: ShadowConfigIssue[] = [];
  for (const [given, value] of Object.entries(set)) {
    const parts = given.split(".");
    const [top, index, section, key] = parts;
    // As the schema's errors spell it (`strategies[0].config.x`), so each path is named once.
    const path = dotted(parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p)));
    if (top === "execution" && index === "provider" && value === "zmq") {
      issues.push({ path, message: ENGINE_REFUSED });
      continue;
    }
    const free =
      FREE_SECTIONS.has(top) ||
      (top === "backtest" && index === "simulation") ||
      (top === "strategies" && index === "0" && section === "name") ||
      (top === "strategies" &&
        index === "0" &&
        section === "config" &&
        key !== undefined &&
        !FROZEN_STRATEGY_KEYS.has(key));
    if (!free) issues.push({ path, message: FROZEN });
  }
  return issues;
}

const ENGINE_REFUSED =
  "'zmq' names a live execution provider (the engine): a shadow's orders go to its simulated venue only, " +
  "never to a live venue";
const FROZEN =
  "a shadow reads the live feed, jumps and estimator scans: it may change the strategy's own parameters " +
  `(not ${[...FROZEN_STRATEGY_KEYS].join(", ")}), risk, initial_balance and backtest.simulation, nothing else`;

/** Leaf paths where two plain-data trees differ (a key on one side only counts as a difference). */
function differences(a: unknown, b: unknown, at: readonly (string | number)[]): (string | number)[][] {
  if (Object.is(a, b)) return [];
  const isTree = (v: unknown): v is object => typeof v === "object" && v !== null;
  if (!isTree(a) || !isTree(b) || Array.isArray(a) !== Array.isArray(b)) return [[...at]];
  if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) return [[...at]];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => {
    const key = Array.isArray(a) ? Number(k) : k;
    return differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], [...at, key]);
  });
}

function dotted(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}
