import type { Config } from "../../config/index.js";
import type { EngineOrderOptions } from "../../protocol/wire/engine.js";

export type PerpSettings = NonNullable<EngineOrderOptions["perp"]>;

/** One strategy's `perp_margin_mode` and `perp_leverage`, as data in a venue's section. */
export interface StrategyPerpSettings extends PerpSettings {
  readonly strategy: string;
}

/** Every strategy's perp settings, in configuration order (the first serves orders of no strategy). */
export function strategyPerpSettings(config: Config): readonly StrategyPerpSettings[] {
  return config.strategies.map((s) => ({
    strategy: s.name,
    marginMode: s.config.perp_margin_mode,
    leverage: s.config.perp_leverage,
  }));
}

/**
 * Each strategy's perp settings, as its perp orders carry them on the engine wire (`details.margin_mode`,
 * `details.leverage`). An order of no strategy (risk's flatten) takes the first one's.
 */
export function perpSettings(
  settings: readonly StrategyPerpSettings[],
): (strategy: string) => PerpSettings | undefined {
  const byStrategy = new Map(
    settings.map(({ strategy, marginMode, leverage }) => [strategy, { marginMode, leverage }] as const),
  );
  const first = settings[0] && byStrategy.get(settings[0].strategy);
  return (strategy) => byStrategy.get(strategy) ?? first;
}
