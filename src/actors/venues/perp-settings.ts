import type { Config } from "../../config/index.js";
import type { EngineOrderOptions } from "../../protocol/wire/engine.js";

/**
 * Each strategy's `perp_margin_mode` and `perp_leverage`, as its perp orders carry them on the engine wire
 * (`details.margin_mode`, `details.leverage`). An order of no strategy (risk's flatten) takes the first one's.
 */
export function perpSettings(config: Config): (strategy: string) => EngineOrderOptions["perp"] {
  const byStrategy = new Map(
    config.strategies.map((s) => [s.name, { marginMode: s.config.perp_margin_mode, leverage: s.config.perp_leverage }]),
  );
  const first = byStrategy.get(config.strategies[0]?.name ?? "");
  return (strategy) => byStrategy.get(strategy) ?? first;
}
