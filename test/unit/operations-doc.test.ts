import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { Registry, collectDefaultMetrics } from "prom-client";
import { fromRoot } from "../../src/runtime/paths.js";

/**
 * docs/operations.md tells an operator which metric, log line or endpoint diagnoses what: each one it names
 * must be one the daemon has, or the runbook sends a person looking for nothing in an incident.
 */
const doc = readFileSync(fromRoot("docs/operations.md"), "utf8");

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => readFileSync(path.join(e.parentPath, e.name), "utf8"));
}
const source = sourcesUnder(fromRoot("src")).join("\n");

/** prom-client's process and Node metrics, as the daemon registers them (`leadlag_` prefix). */
function defaultMetricNames(): Set<string> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "leadlag_" });
  return new Set(registry.getMetricsAsArray().map((m) => m.name));
}

/** A metric the code defines: an actor's `ctx.metrics.*("name")`, the supervisor's `${PREFIX}name`, or a default. */
function isDefined(metric: string, defaults: Set<string>): boolean {
  if (defaults.has(metric)) return true;
  const name = metric.replace(/^leadlag_/, "");
  return source.includes(`"${name}"`) || source.includes(`\${PREFIX}${name}\``);
}

describe("docs/operations.md names only what the daemon has", () => {
  it("every metric it names is defined by the code", () => {
    const defaults = defaultMetricNames();
    const named = new Set([...doc.matchAll(/\bleadlag_[a-z0-9_]*[a-z0-9]\b/g)].map((m) => m[0]));
    expect(named.size).toBeGreaterThan(20);
    const missing = [...named].filter((m) => !isDefined(m, defaults));
    expect(missing).toEqual([]);
  });

  it("the check itself refuses a metric nothing defines", () => {
    expect(isDefined("leadlag_venue_rejections_total", defaultMetricNames())).toBe(true);
    expect(isDefined("leadlag_orders_rejected_total", defaultMetricNames())).toBe(false);
  });

  it("every log line it quotes (log `…`) is a message the code logs", () => {
    // "log `a`", "log line `a`", "the log has `a`, `b`" and the spans listed after them, up to the sentence's end.
    const quoted: string[] = [];
    for (const m of doc.matchAll(/\blog(?: line)?s? (?:has )?((?:`[^`]+`(?:,? (?:and |or )?)?)+)/g)) {
      for (const span of m[1].matchAll(/`([^`]+)`/g)) quoted.push(span[1].replace(/\s+/g, " "));
    }
    const messages = quoted.filter((q) => !q.startsWith("leadlag_") && !/^[a-z_]+(\{|$)/.test(q));
    expect(messages.length).toBeGreaterThanOrEqual(10);
    // A message's fixed text: up to an ellipsis or the variable part after a colon.
    const missing = messages.filter((m) => !source.includes(m.split(/ …|…|: …/)[0].trim()));
    expect(missing).toEqual([]);
  });

  it("every endpoint it names is a route of the health server", () => {
    const paths = [...doc.matchAll(/`(?:GET |POST )?(\/[a-z][a-z/{}._?=-]*)`/g)].map((m) => m[1]);
    // Files on the host (`/etc/leadlag/env`) are not routes.
    const routes = new Set(paths.filter((p) => !/^\/(etc|usr|var|opt|home)\//.test(p)));
    expect(routes.size).toBeGreaterThanOrEqual(5);
    const missing = [...routes]
      .map((r) => r.split("?")[0].split("{")[0].replace(/\/$/, ""))
      .filter((r) => !source.includes(`"${r}`) && !source.includes(`'${r}`) && !source.includes(`\`${r}`));
    expect(missing).toEqual([]);
  });
});
