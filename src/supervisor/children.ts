import type { Config } from "./config/index.js";
import type { ChildSpec } from "./child-spec.js";
import { compiledUrl } from "../runtime/paths.js";

/** The compiled module of an actor kind: `src/actors/<kind>/actor.ts`. */
export function actorModule(kind: string): string {
  return compiledUrl(new URL(`../actors/${kind}/actor.ts`, import.meta.url)).href;
}

/**
 * The daemon's child list, in start order (reverse = a safe stop order): market data first, then the
 * estimators and the tick path, the venue last but one so exits can still be sent while stopping.
 * Placement follows `runtime.placement` (architecture §4).
 */
export function childSpecsFor(config: Config): ChildSpec[] {
  const shutdownMs = config.runtime.supervisor.shutdown_timeout_ms;
  const children: ChildSpec[] = [];
  const add = (name: string, kind: string, thread: string, restart: ChildSpec["restart"] = "permanent") =>
    children.push({ name, module: actorModule(kind), thread, config, restart, shutdownMs });

  if (config.market_data.provider === "synthetic") add("market-synth", "market-synth", "main");
  return children;
}
