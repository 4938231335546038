/**
 * Every key a config file can set is read by some code outside src/config (issue 16: "a test walks every
 * key of the schema and fails on one that no code reads"). A grep on the source text, so it stays fast:
 *
 * - a key whose name is unique in the schema must occur as a word in some file of src/ outside src/config;
 * - a key whose name several paths share (`enabled`, `host`, `maker_fee_bps`) must occur in a file that
 *   also names one of its ancestors (`deltas`, `metrics_aggregator`, …), so `market_data.deltas.enabled`
 *   is not counted as read because `risk.circuit_breaker.enabled` is.
 *
 * A key this test reports is either wired up or refused by validation (then listed below, with why).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema/index.js";
import { leafKeyPaths } from "../../src/config/schema-keys.js";
import { fromRoot } from "../../src/runtime/paths.js";

/**
 * Keys that validation refuses in every value but the one the code assumes, so no code needs to read them.
 * Empty today; an entry needs the refusing rule named next to it.
 */
const REFUSED_BY_VALIDATION: ReadonlySet<string> = new Set<string>([]);

/** Keys that a resolver in src/config/schema reads; the resolver must then be used outside src/config. */
const READ_BY_RESOLVER: Readonly<Record<string, string>> = {
  "runtime.placement.estimator_shards": "estimatorShardCount", // auto → cores − 1
};

/** Strategy parameters travel as these types and helpers rather than under the name `strategies`. */
const ANCESTOR_ALIASES: Readonly<Record<string, readonly string[]>> = {
  strategies: ["LeadLagStrategyParams", "StrategyConfig", "leadLagStrategy"],
};
/** Ancestors too common to tell one key from another (`strategies[].config.*`). */
const GENERIC_ANCESTORS = new Set(["config"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return full === fromRoot("src", "config") ? [] : sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

const word = (name: string) => new RegExp(`\\b${name.replace(/[$]/g, "\\$")}\\b`);
const segmentsOf = (keyPath: string) => keyPath.split(/[.[\]*]+/).filter((s) => s !== "");

const SCHEMA_PATHS = leafKeyPaths(configSchema);

/** The paths no source file reads under the rules at the top; names are counted over the whole schema. */
function unreadKeys(paths: readonly string[], sources: readonly string[]): string[] {
  const leafCount = new Map<string, number>();
  for (const p of SCHEMA_PATHS) {
    const leaf = segmentsOf(p).at(-1) ?? p;
    leafCount.set(leaf, (leafCount.get(leaf) ?? 0) + 1);
  }
  return paths.filter((p) => {
    if (REFUSED_BY_VALIDATION.has(p)) return false;
    const resolver = READ_BY_RESOLVER[p];
    if (resolver !== undefined) return !sources.some((text) => word(resolver).test(text));
    const segments = segmentsOf(p);
    const leaf = segments.at(-1) ?? p;
    const owners =
      (leafCount.get(leaf) ?? 0) > 1
        ? segments
            .slice(0, -1)
            .filter((s) => !GENERIC_ANCESTORS.has(s))
            .flatMap((s) => [s, ...(ANCESTOR_ALIASES[s] ?? [])])
        : [];
    const readIn = (text: string) =>
      word(leaf).test(text) && (owners.length === 0 || owners.some((owner) => word(owner).test(text)));
    return !sources.some(readIn);
  });
}

describe("config keys", () => {
  const paths = SCHEMA_PATHS;
  const sources = sourceFiles(fromRoot("src")).map((file) => readFileSync(file, "utf8"));

  it("walks the whole schema, lists and records included", () => {
    expect(paths).toContain("market_data.deltas.enabled");
    expect(paths).toContain("strategies[].config.hy_estimator_config.lag_min_s");
    expect(paths).toContain("risk.portfolio.inventory_bands.*.min");
    expect(paths).toContain("backtest.simulation.queue_power_exponent");
    expect(paths).not.toContain("backtest.simulation"); // a transform's output is no key
    expect(paths.length).toBeGreaterThan(200);
  });

  it("finds a key that nothing reads, and one read only under another parent", () => {
    const reading = ["const x = config.market_data.deltas.lob_top_n;", "if (breaker.circuit_breaker.enabled) go();"];
    expect(unreadKeys(["market_data.deltas.lob_top_n", "market_data.deltas.enabled"], reading)).toEqual([
      "market_data.deltas.enabled",
    ]);
    expect(unreadKeys(["observability.logging.never_read_anywhere"], reading)).toEqual([
      "observability.logging.never_read_anywhere",
    ]);
  });

  it("every key of the schema is read by code outside src/config", () => {
    expect(unreadKeys(paths, sources)).toEqual([]);
  });
});
