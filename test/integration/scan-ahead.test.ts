import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { compiledUrl } from "../../src/runtime/paths.js";
import { resolveChildSpecs } from "../../src/supervisor/child-spec.js";
import { loadDefs } from "../../src/supervisor/system.js";
import { actorModule } from "../../src/supervisor/children.js";
import { actorSections } from "../../src/supervisor/sections.js";
import { InlineRuntime } from "../../src/runtime/inline.js";
import { parseConfig } from "../../src/config/index.js";
import type { JumpDetected, PairsScanned } from "../../src/protocol/signals.js";
import type { MetricsReport } from "../../src/protocol/host.js";

const START_NS = 1_763_380_800_000_000_000n;
const fixture = (name: string) => compiledUrl(new URL(`../fixtures/actors/${name}.ts`, import.meta.url)).href;

function config(priceSource: "trade" | "mid") {
  return parseConfig(
    `
market_data:
  provider: zmq
  exchanges: [HYPERLIQUID]
  synthetic:
    preset: demo
    seed: 11
    symbols:
      - { symbol: BTC-USDT-PERP, price: 97000, volatility_bps: 1.0, jump_rate_per_min: 20, jump_bps: 60 }
      - { symbol: ETH-USDT-PERP, price: 3100, leader: BTC-USDT-PERP, lag_ms: 1500, correlation: 0.85 }
strategies:
  - name: s
    config:
      symbols: [BTC-USDT-PERP, ETH-USDT-PERP]
      artifacts_path: ./no-such-artifacts
      inference_lookback_seconds: 30
      jump_detection_config: { price_source: ${priceSource} }
`,
    { env: {} },
  );
}

/**
 * Market → feed → jumps and one estimator shard, under the inline transport: the jumps the jumps actor reports, the
 * results the shard pushes, and its push counter by warmth.
 */
async function scansOfJumps(priceSource: "trade" | "mid") {
  const daemon = config(priceSource);
  const sections = actorSections(daemon);
  const jumps: JumpDetected[] = [];
  const answers: PairsScanned[] = [];
  const children = resolveChildSpecs([
    { name: "market", module: fixture("synthetic-frames"), thread: "inline", config: daemon },
    { name: "feed", module: actorModule("feed"), thread: "inline", config: sections.feed() },
    { name: "jumps", module: actorModule("jumps"), thread: "inline", config: sections.jumps() },
    {
      name: "estimator-0",
      module: actorModule("estimator"),
      thread: "inline",
      config: sections.estimator(0, 1),
    },
    {
      name: "watcher",
      module: fixture("scan-watcher"),
      thread: "inline",
      config: { onJump: (j: JumpDetected) => jumps.push(j), onResults: (a: PairsScanned) => answers.push(a) },
    },
  ]);
  const runtime = new InlineRuntime(children, await loadDefs(children), START_NS, pino({ level: "silent" }));
  await runtime.start();
  runtime.runUntil(START_NS + 240n * 1_000_000_000n);
  runtime.flushMetrics();
  const pushes = new Map<string, number>();
  for (const e of runtime.events) {
    if (e.type !== "MetricsReport") continue;
    for (const s of (e as MetricsReport).samples)
      if (s.name === "hy_scans_pushed_total") pushes.set(s.labels.warm, (pushes.get(s.labels.warm) ?? 0) + s.value);
  }
  return { jumps, answers, pushes };
}

describe("estimator shards push every jump's scan: the strategy never asks", () => {
  it.each(["trade", "mid"] as const)(
    "with jumps detected on %s prices, the shard pushes each non-systematic jump's results once, when its tick " +
      "arrives",
    async (priceSource) => {
      const { jumps, answers, pushes } = await scansOfJumps(priceSource);
      expect(answers.length).toBeGreaterThan(3);
      expect(answers.every((a) => a.results.length === 2 || a.results.length === 0)).toBe(true);
      expect(answers.flatMap((a) => a.results).every((r) => r.status !== "not_warm")).toBe(true);
      // Exactly the jumps the strategy opens a scan for, each once.
      const key = (leader: number, tsNs: bigint) => `${leader}:${tsNs}`;
      const pushedKeys = answers.map((a) => key(a.leader, a.jumpTsNs));
      expect(new Set(pushedKeys).size).toBe(answers.length);
      const opened = jumps.filter((j) => !j.systematic).map((j) => key(j.instrument, j.tsNs));
      expect(pushedKeys.sort()).toEqual(opened.sort());
      expect(pushes.get("true")).toBe(answers.length);
      expect(pushes.get("false") ?? 0).toBe(0);
    },
  );
});
