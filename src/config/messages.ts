/**
 * Every sentence the config loader prints lives here, so wording stays consistent and can be
 * changed in one place. Each entry returns the "expected" half of an issue; the formatter adds the
 * received value and the path.
 */
/** zod's type names in the words of a YAML file. */
const TYPE_PHRASES: Readonly<Record<string, string>> = {
  string: "text",
  object: "a mapping",
  record: "a mapping",
  array: "a list",
  int: "an integer",
};

export const expected = {
  type: (type: string) => TYPE_PHRASES[type] ?? `a ${type}`,
  oneOf: (values: readonly unknown[]) => `one of ${values.map((v) => JSON.stringify(v)).join(" | ")}`,
  atLeast: (limit: number | bigint, inclusive: boolean, unit: string) => `${unit} ${inclusive ? "≥" : ">"} ${limit}`,
  atMost: (limit: number | bigint, inclusive: boolean, unit: string) => `${unit} ${inclusive ? "≤" : "<"} ${limit}`,
  format: (format: string) => `a valid ${format}`,
  listLength: (minimum: number | bigint) => `a list with at least ${minimum} entr${minimum === 1 ? "y" : "ies"}`,
  nonEmptyText: "non-empty text",
  knownKey: (suggestion: string | undefined) =>
    suggestion ? `a known key (did you mean "${suggestion}"?)` : "a known key (check the spelling and the nesting)",
  mapping: "a mapping of keys to values",
  yamlSyntax: "valid YAML",
  yamlAliases: (limit: number) => `valid YAML whose aliases (*name) expand to at most ${limit} copies`,
  fileSize: (limit: string) => `a config file of at most ${limit} (this one is larger)`,
  environmentVariable: (name: string) => `environment variable ${name} to be set (or a default: \${${name}:default})`,
  closedReference: "a closed ${NAME} or ${NAME:default} reference",
  profileDefined: (name: string, defined: readonly string[]) =>
    `profile "${name}" to be defined under profiles (defined: ${defined.length ? defined.join(", ") : "none"})`,
  profileMapping: "a mapping of profile names to partial configs",
  unique: (what: string) => `unique ${what}`,
  lessThan: (other: string) => `a value < ${other}`,
  atMostField: (other: string) => `a value ≤ ${other}`,
  excludeZoneInsideGrid: "exclude_low_s ≤ exclude_high_s, both inside [lag_min_s, lag_max_s]",
  positiveIntOrAuto: '"auto" or an integer ≥ 1',
  laggerKey: "no such key on a leader: it belongs to a lagger (a symbol with leader:)",
  leaderKey: "no such key on a lagger: its moves come from its leader, beta and correlation",
  nonZeroBeta: "a non-zero beta (a lagger with beta 0 follows nothing: make it a leader instead)",
  bandWithinLag: (lag: number, fromPreset: boolean) =>
    `a value ≤ lag_ms (${lag})${fromPreset ? ": the preset's band is wider, set lag_band_ms" : ""}`,
  isoDate: "an ISO 8601 date or date-time (2025-09-07 or 2025-09-07T08:00:00Z)",
  startBeforeEnd: "a start_date before end_date",
  powerLawOnly: "no queue_power_exponent unless queue_ahead_model is power_law (the linear model has no exponent)",
  latencyLegsSet: "no latency_ms when order_latency_ms, response_latency_ms and feed_latency_ms are all set",
  bpsSlippageOnly: "no slippage_bps unless slippage_mode is bps_only (book_vwap takes its slippage from the book)",
  sameSymbolRules: (path: string) =>
    `the daemon's symbol_rules_path (${path}): the simulated venue trades the instruments the feed and strategy use`,
  noFaultInjectionWithRealMoney: "fault_injection: false when execution.mode is live (real orders)",
  paperVenueTradesPaper:
    'execution.mode: paper when execution.provider is "paper" (the simulator cannot place real orders)',
  replayProvider:
    'postgresql or synthetic when mode is backtest (zmq is a live feed; leave provider out to get "auto")',
  tokenForPublicBind: "runtime.control.token to be set when the health server binds a non-loopback host",
  backtestSection: "a backtest section when mode is backtest",
  liveProvider:
    "zmq or synthetic when mode is live (postgresql is recorded data, replayed by leadlag backtest with mode: backtest)",
  liveLayout: "default or isolated when mode is live (inline runs a backtest's simulated clock: leadlag backtest)",
  knownStrategy: (names: readonly string[]) =>
    `a strategy name or type (${names.length ? names.join(", ") : "no strategies configured"})`,
  oneStrategyPerDaemon: (first: string) =>
    `no second strategy: one strategy per daemon is supported ("${first}" runs; start another daemon for another)`,
  differentPorts: (other: string) => `a port different from ${other}`,
} as const;

/** Headline of a formatted error report. */
export function reportHeadline(sourceName: string, count: number, listed = count): string {
  const more = listed < count ? ` (the first ${listed} listed)` : "";
  return `${sourceName}: ${count} configuration error${count === 1 ? "" : "s"}${more}`;
}

/** Last line of a report that lists only some of its issues. */
export function moreIssues(count: number): string {
  return `… and ${count} more`;
}

/** One issue line: what was expected and what the file holds. */
export function issueLine(expectation: string, received: string | undefined): string {
  return received === undefined ? `expected ${expectation}` : `expected ${expectation}, got ${received}`;
}
