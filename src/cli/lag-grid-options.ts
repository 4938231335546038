/** The lag grid flags `analyze hy` and `scan` share: `hy_estimator_config` overrides from the command line. */
import type { LagGridOverrides } from "../backtest/scan/lag-grid.js";
import { UsageError } from "./command.js";

export const LAG_GRID_OPTIONS = {
  "lag-min-s": { type: "string" },
  "lag-max-s": { type: "string" },
  "lag-step-s": { type: "string" },
  "exclude-low-s": { type: "string" },
  "exclude-high-s": { type: "string" },
} as const;

export const LAG_GRID_USAGE = [
  "  --lag-min-s S --lag-max-s S --lag-step-s S   (a negative value as --lag-min-s=-30)",
  "                    the lag grid (default: hy_estimator_config, -12 .. 12 step 0.05); at most 2001 lags",
  "  --exclude-low-s S --exclude-high-s S",
  "                    the exclusion zone tau* never takes (default -0.3 .. 0.3); inside the grid",
].join("\n");

function optional(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${value}'`);
  return n;
}

export function lagGridOverrides(values: Partial<Record<keyof typeof LAG_GRID_OPTIONS, string>>): LagGridOverrides {
  return {
    lagMinS: optional("lag-min-s", values["lag-min-s"]),
    lagMaxS: optional("lag-max-s", values["lag-max-s"]),
    lagStepS: optional("lag-step-s", values["lag-step-s"]),
    excludeLowS: optional("exclude-low-s", values["exclude-low-s"]),
    excludeHighS: optional("exclude-high-s", values["exclude-high-s"]),
  };
}
