import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { parseConfig } from "../src/config/index.js";
import { shadowTapSection } from "../src/actors/shadow-tap/section.js";
import { childSpecsFor, spinPlan } from "../src/supervisor/children.js";
import { resolveStart } from "../src/supervisor/sections.js";
import { startSystem } from "../src/supervisor/system.js";
import { DEFAULT_RESTART_POLICY } from "../src/supervisor/restart.js";
import { createTapSlots, ShadowGroups } from "../src/supervisor/shadows/groups.js";
import { shadowDecisionsPath } from "../src/supervisor/shadows/children.js";
import type { MetricsReport } from "../src/protocol/host.js";
import type { Bench } from "./bench.js";
import { percentile, round, sortedCopy } from "./bench.js";
import { freePort } from "./ports.js";

/**
 * The sped-up demo market (a BTC jump every 3 s, ETH and SOL following), paper venue, the daemon's threads and
 * the shadow tap, in real time. 1 s ATR bars so a shadow's warm-up from the tap's history is complete at once.
 */
function benchConfigText(dir: string, p: { trades: number; books: number }): string {
  return `
mode: live
runtime:
  account_id: bench-shadow
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")}, fsync: none }
market_data:
  provider: synthetic
  port: ${p.trades}
  books_port: ${p.books}
  synthetic:
    seed: 5
    symbols:
      - { symbol: BTC-USDT-PERP, price: 97000, volatility_bps: 1.0, jump_rate_per_min: 20, jump_bps: 60 }
      - { symbol: ETH-USDT-PERP, price: 3100, leader: BTC-USDT-PERP, lag_ms: 1500, correlation: 0.85 }
      - { symbol: SOL-USDT-PERP, price: 145, leader: BTC-USDT-PERP, lag_ms: 1000, correlation: 0.8 }
execution: { provider: paper, mode: paper }
initial_balance: { USDT: 1000000000 }
strategies:
  - name: bench
    type: leadlag
    config:
      symbols: [BTC-USDT-PERP, ETH-USDT-PERP, SOL-USDT-PERP]
      artifacts_path: ${path.join(dir, "no-artifacts")}
      inference_lookback_seconds: 30
      atr_bar_seconds: 1
      atr_period: 10
      time_limit_seconds: 5
      hazard_window_seconds: 0
      allow_stacking: true
      max_concurrent_positions: 1000
      max_total_notional_usd: 1000000000
      decision_scores_csv_path: ${path.join(dir, "decisions.csv")}
risk:
  global: { max_notional_per_order: 1000000000, max_ord_rate_per_sec: 1000000, max_open_orders: 100000000 }
  portfolio: { max_gross_usd: 1000000000000 }
observability: { logging: { level: warn } }
`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The jump times (ns) of a decision CSV, distinct, ascending. */
function jumpTimes(file: string): bigint[] {
  if (!existsSync(file)) return [];
  const [header, ...rows] = readFileSync(file, "utf8").trim().split("\n");
  const at = header.split(",").indexOf("jump_ts_ns");
  const times = new Set(rows.map((r) => r.split(",")[at]).filter((t) => /^\d+$/.test(t)));
  return [...times].map(BigInt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The live strategy's decision latency (jump arrival → its decision, the strategy's own histogram) in
 * alternating phases without and with two shadows attached, in one run; and how many live jumps pass between
 * a shadow's attach and its first decision.
 */
export const shadowBench: Bench = {
  name: "shadow",
  summary: "live decision latency with 0 and with 2 shadows attached (same run), attach → first shadow decision",
  quickTakes: "about a minute: a 35 s warm-up (the live HY window's 30 s) before two 8 s phases",
  async run({ quick }) {
    const phaseMs = quick ? 8_000 : 30_000;
    const rounds = quick ? 1 : 2;
    const warmupMs = 35_000;
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-bench-shadow-"));
    const text = benchConfigText(dir, { trades: await freePort(), books: await freePort() });
    const config = parseConfig(text, { env: {} });
    const start = resolveStart(config);
    const slots = createTapSlots();
    // Silent: the one JSON line is the bench's whole output (a warning would precede it on stdout).
    const log = pino({ level: "silent" });
    let phase: "warmup" | "none" | "two" = "warmup";
    const latency = { none: [] as number[], two: [] as number[] };
    const onMetrics = (samples: MetricsReport["samples"]) => {
      if (phase === "warmup") return;
      for (const s of samples)
        if (s.name === "decision_latency_seconds" && s.labels.actor === "strategy") latency[phase].push(s.value * 1e6);
    };
    const supervisor = await startSystem(childSpecsFor(config, undefined, start, shadowTapSection(config, slots)), {
      log,
      logLevel: "silent",
      spinUs: spinPlan(config),
      rehearseEveryUs: config.runtime.spin.rehearse_every_us,
      metricsEveryMs: 200,
      onMetrics,
    });
    const shadows = new ShadowGroups({
      live: config,
      liveText: text,
      profile: undefined,
      env: {},
      start,
      slots,
      dir: path.join(dir, "shadows"),
      supervisor: {
        policy: DEFAULT_RESTART_POLICY,
        heartbeatTimeoutMs: 3000,
        blockDeadlineMs: 5000,
        faultInjection: false,
        logLevel: "silent",
        startTimeoutMs: 15_000,
        metricsEveryMs: 1000,
        log,
      },
      onMetrics: () => undefined,
      liveEquity: () => 0,
      log,
    });
    const attachedNs: bigint[] = [];
    const attachTwo = async (round: number) => {
      for (const name of [`a${round}`, `b${round}`]) {
        attachedNs.push(BigInt(Date.now()) * 1_000_000n);
        const result = await shadows.attach({ name, set: { "strategies.0.config.entry_threshold": 0.8 } });
        if (!result.ok) throw new Error(`bench: shadow ${name} not attached: ${result.error}`);
      }
    };
    try {
      await sleep(warmupMs);
      for (let r = 0; r < rounds; r++) {
        phase = "none";
        await sleep(phaseMs);
        phase = "warmup";
        await attachTwo(r);
        phase = "two";
        await sleep(phaseMs);
        phase = "warmup";
        await shadows.detachAll();
      }
    } finally {
      await shadows.close();
      await supervisor.stop();
    }
    // Live jumps between each attach and that shadow's first decision (0: it decided on the first jump after).
    const live = jumpTimes(path.join(dir, "decisions.csv"));
    const names = Array.from({ length: rounds }, (_, r) => [`a${r}`, `b${r}`]).flat();
    const jumpsBefore = names.map((name, i) => {
      const first = jumpTimes(shadowDecisionsPath(path.join(dir, "shadows", name)))[0];
      if (first === undefined) return Number.NaN;
      return live.filter((t) => t > attachedNs[i] && t < first).length;
    });
    const none = sortedCopy(latency.none);
    const two = sortedCopy(latency.two);
    const p50 = (s: Float64Array) => round(percentile(s, 50), 1);
    return {
      bench: "shadow",
      phase_ms: phaseMs,
      rounds,
      n_none: none.length,
      n_two: two.length,
      live_decision_p50_us_none: p50(none),
      live_decision_p50_us_two: p50(two),
      live_decision_p99_us_none: round(percentile(none, 99), 1),
      live_decision_p99_us_two: round(percentile(two, 99), 1),
      overhead_ratio: round(percentile(two, 50) / percentile(none, 50), 3),
      overhead_ratio_p99: round(percentile(two, 99) / percentile(none, 99), 3),
      jumps_before_first_shadow_decision: jumpsBefore,
    };
  },
};
