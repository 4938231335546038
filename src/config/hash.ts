import { createHash } from "node:crypto";
import type { Config } from "./schema/index.js";

/** sha256 of the resolved config (profiles merged, variables substituted): which settings a run or a backtest used. */
export function configHash(config: Config): string {
  return createHash("sha256")
    .update(JSON.stringify(config, (_key, value) => (typeof value === "bigint" ? value.toString() : value)))
    .digest("hex");
}
