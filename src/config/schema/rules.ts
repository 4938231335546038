/**
 * Rules that span sections. Each is a small function returning null or the violation (path, value,
 * expectation); they run in the listed order, after every section has parsed on its own.
 */
import path from "node:path";
import { expected } from "../messages.js";
import type { PathSegment } from "../errors.js";
import type { SectionsOutput } from "./index.js";

export interface RuleViolation {
  readonly path: readonly PathSegment[];
  readonly value: unknown;
  readonly expected: string;
}

type Rule = (config: SectionsOutput) => RuleViolation | readonly RuleViolation[] | null;

const LOOPBACK_HOSTS = new Set(["localhost", "::1", "[::1]"]);
const isLoopback = (host: string) => LOOPBACK_HOSTS.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

const backtestNeedsItsSection: Rule = (c) =>
  c.mode === "backtest" && c.backtest === undefined
    ? { path: ["backtest"], value: undefined, expected: expected.backtestSection }
    : null;

const backtestReplaysRecordedData: Rule = (c) =>
  c.mode === "backtest" && c.market_data.provider === "zmq"
    ? { path: ["market_data", "provider"], value: c.market_data.provider, expected: expected.replayProvider }
    : null;

// The daemon has no replay: a live config naming recorded data would start the ZeroMQ bridge instead.
const liveReadsALiveFeed: Rule = (c) =>
  c.mode === "live" && c.market_data.provider === "postgresql"
    ? { path: ["market_data", "provider"], value: c.market_data.provider, expected: expected.liveProvider }
    : null;

// The daemon would run the default layout: the inline runtime's simulated clock exists only in a backtest.
const inlineIsForBacktests: Rule = (c) =>
  c.mode === "live" && c.runtime.placement.layout === "inline"
    ? { path: ["runtime", "placement", "layout"], value: "inline", expected: expected.liveLayout }
    : null;

// One registry for the whole run: instrument ids in the feed's books are row numbers of the daemon's rules file.
// Both paths are relative to the working directory (config/universe.ts), so one file spelt two ways is the same.
const simulationUsesTheDaemonsRules: Rule = (c) => {
  const rules = c.backtest?.simulation.symbol_rules_path;
  return rules !== undefined && path.resolve(rules) !== path.resolve(c.symbol_rules_path)
    ? {
        path: ["backtest", "simulation", "symbol_rules_path"],
        value: rules,
        expected: expected.sameSymbolRules(c.symbol_rules_path),
      }
    : null;
};

// Crashing actors on purpose is for tests and drills, never while real orders can be in flight.
const noFaultInjectionWithRealOrders: Rule = (c) =>
  c.execution.mode === "live" && c.runtime.control.fault_injection
    ? { path: ["runtime", "control", "fault_injection"], value: true, expected: expected.noFaultInjectionWithRealMoney }
    : null;

// The same server carries the control API, which can restart (or crash) actors.
const publicHealthServerNeedsToken: Rule = (c) => {
  const server = c.observability.health_server;
  return server.enabled && !isLoopback(server.host) && c.runtime.control.token === undefined
    ? { path: ["observability", "health_server", "host"], value: server.host, expected: expected.tokenForPublicBind }
    : null;
};

// Every actor below the strategy (estimator shards, jumps, feed lookback, order settings) is built from the
// first entry; a second one would be parsed and silently ignored, so it is refused where it stands.
const oneStrategyPerDaemon: Rule = (c) =>
  c.strategies.slice(1).map((strategy, index) => ({
    path: ["strategies", index + 1],
    value: strategy.name,
    expected: expected.oneStrategyPerDaemon(c.strategies[0].name),
  }));

const riskProfilesNameStrategies: Rule = (c) => {
  const known = [...new Set(c.strategies.flatMap((s) => [s.name, s.type]))];
  return Object.keys(c.risk.profiles)
    .filter((key) => !known.includes(key))
    .map((key) => ({ path: ["risk", "profiles", key], value: key, expected: expected.knownStrategy(known) }));
};

const CROSS_SECTION_RULES: readonly Rule[] = [
  backtestNeedsItsSection,
  backtestReplaysRecordedData,
  liveReadsALiveFeed,
  inlineIsForBacktests,
  simulationUsesTheDaemonsRules,
  noFaultInjectionWithRealOrders,
  publicHealthServerNeedsToken,
  oneStrategyPerDaemon,
  riskProfilesNameStrategies,
];

export function crossSectionViolations(config: SectionsOutput): RuleViolation[] {
  return CROSS_SECTION_RULES.flatMap((rule) => {
    const result = rule(config);
    return result === null ? [] : ([] as RuleViolation[]).concat(result);
  });
}
