/** Config loading and validation: the public surface. Everything else in this folder is internal. */
export { loadConfig, parseConfig, readConfigText, definedProfiles, configFileWith } from "./load.js";
export type { LoadOptions, ParseOptions } from "./load.js";
export { ConfigError, formatConfigIssues, type ConfigIssue, type SourceLocation } from "./errors.js";
export { redactSecrets, REDACTED } from "./redact.js";
export { configHash } from "./hash.js";
export { configSchema, type Config, type ConfigInput } from "./schema/index.js";
export type {
  RuntimeConfig,
  MarketDataConfig,
  ExecutionConfig,
  StrategyConfig,
  LeadLagStrategyParams,
  RiskConfig,
  ObservabilityConfig,
  BacktestConfig,
  SimulationConfig,
  ShadowSpec,
} from "./schema/index.js";
export { simulationSchema } from "./schema/backtest.js";
export { SHADOW_NAME, SHADOW_THREADS, type ShadowThread } from "./schema/shadows.js";
export type { Overrides } from "./overrides.js";
export { pinoLevel, LOG_LEVEL_NAMES } from "./schema/observability.js";
export { estimatorShardCount, HOT_WORKER_ACTORS } from "./schema/runtime.js";
export { LEADLAG_STRATEGY_TYPE, TRADING_CORE_STRATEGY_ALIAS } from "./schema/strategy.js";
export type { Environment } from "./substitute.js";
export { leadLagStrategy, loadRegistry, universe } from "./universe.js";
