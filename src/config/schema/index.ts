/**
 * The whole config: one schema per top-level section (each in its own file, owned by whoever owns
 * that section), composed here with the cross-section rules and the "auto" resolutions.
 * `z.input<typeof configSchema>` is what users write; `z.output` is the resolved config.
 */
import { z } from "zod";
import { backtestSchema } from "./backtest.js";
import { executionSchema } from "./execution.js";
import { nonNegativeNumber, reportRule, text } from "./fields.js";
import { marketDataSchema, resolveMarketDataProvider } from "./market-data.js";
import { observabilitySchema } from "./observability.js";
import { riskSchema } from "./risk.js";
import { crossSectionViolations } from "./rules.js";
import { runtimeSchema } from "./runtime.js";
import { shadowsSchema } from "./shadows.js";
import { strategySchema } from "./strategy.js";

const sectionsSchema = z.strictObject({
  mode: z.enum(["live", "backtest"]).default("live"),
  symbol_rules_path: text().default("configs/symbol_rules.csv"), // tick size, lot size, min notional, max leverage
  runtime: runtimeSchema.prefault({}),
  market_data: marketDataSchema.prefault({}),
  execution: executionSchema.prefault({}),
  initial_balance: z.record(text(), nonNegativeNumber()).default({ USDT: 100000 }), // declared capital until an account snapshot
  strategies: z.array(strategySchema).default([]),
  risk: riskSchema.prefault({}),
  observability: observabilitySchema.prefault({}),
  backtest: backtestSchema.optional(), // required when mode is backtest
  shadows: shadowsSchema, // shadows attached at start (docs/shadow.md)
});

export type SectionsOutput = z.output<typeof sectionsSchema>;

export const configSchema = sectionsSchema
  .superRefine((config, ctx) => {
    for (const violation of crossSectionViolations(config))
      reportRule(ctx, [...violation.path], violation.value, violation.expected);
  })
  .transform((config) => ({
    ...config,
    market_data: {
      ...config.market_data,
      provider: resolveMarketDataProvider(config.market_data.provider, config.mode),
    },
  }));

/** What a config file may contain (before defaults). */
export type ConfigInput = z.input<typeof configSchema>;
/** The resolved config: every default filled in, "auto" values resolved. Deep-frozen when loaded. */
export type Config = z.output<typeof configSchema>;

export type RuntimeConfig = Config["runtime"];
export type MarketDataConfig = Config["market_data"];
export type ExecutionConfig = Config["execution"];
export type StrategyConfig = Config["strategies"][number];
export type LeadLagStrategyParams = StrategyConfig["config"];
export type RiskConfig = Config["risk"];
export type ObservabilityConfig = Config["observability"];
export type BacktestConfig = NonNullable<Config["backtest"]>;
export type SimulationConfig = BacktestConfig["simulation"];
export type ShadowSpec = Config["shadows"][number];
