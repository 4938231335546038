/**
 * `--soak SECONDS`: the sped-up paper demo with the synthetic market at 10x its rate, for SECONDS. `/metrics`
 * is scraped every few seconds; a window after the warm-up and the last window of the run are compared:
 * RSS, event-loop lag and decision latency must be flat (at most 10 % up, or up by less than the noise floor
 * of the measurement). The daemon must also stay up, restart nothing and never fail a scrape.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { Scope } from "../harness/cleanup.js";
import { tradingConfig, writeConfig } from "../harness/configs.js";
import { Daemon } from "../harness/daemon.js";
import { describeError } from "../harness/http.js";
import { metricsOf, totalRestarts } from "../harness/observe.js";
import { freePorts } from "../harness/ports.js";
import { commitId, utcMinute } from "../harness/run-info.js";
import { sleep } from "../harness/wait.js";
import {
  histogramDelta,
  histogramMean,
  histogramOf,
  histogramQuantile,
  sumOf,
  type HistogramState,
} from "../prometheus.js";
import { judgeSoak, replaceSection, soakTable, type SoakFigure } from "../report.js";

export const SOAK_RATE_MULTIPLIER = 10;
const TOLERANCE = 0.1;

interface Sample {
  readonly atS: number;
  readonly rssMb: number | undefined;
  readonly lagMeanMs: number | undefined;
  readonly lagP99Ms: number | undefined;
  readonly decisions: HistogramState | undefined;
  readonly published: number | undefined;
}

/**
 * Where the start and end windows lie in a run of `seconds`, and how often to scrape. Decisions come a few
 * a minute (one per lagger and leader jump), so their windows are at least a minute, or half the run after
 * the warm-up when it is shorter.
 */
export function soakPlan(seconds: number): {
  warmupS: number;
  windowS: number;
  decisionWindowS: number;
  everyS: number;
} {
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const warmupS = clamp(Math.round(seconds * 0.25), 20, 300);
  const windowS = clamp(Math.round(seconds * 0.2), 10, 300);
  const decisionWindowS = Math.max(windowS, Math.min(60, Math.floor((seconds - warmupS) / 2)));
  return { warmupS, windowS, decisionWindowS, everyS: clamp(Math.floor(windowS / 4), 2, 10) };
}

export async function runSoak(
  seconds: number,
  doc: string | undefined,
  progress: (m: string) => void,
): Promise<number> {
  const scope = new Scope("soak");
  try {
    return await soak(scope, seconds, doc, progress);
  } finally {
    scope.close();
  }
}

async function soak(
  scope: Scope,
  seconds: number,
  doc: string | undefined,
  progress: (m: string) => void,
): Promise<number> {
  const dir = scope.tempDir("run");
  const [health, trades, books] = await freePorts(3);
  const config = writeConfig(
    dir,
    tradingConfig({
      dir,
      ports: { health, trades, books },
      marketFrom: "embedded",
      venue: "paper",
      trade: true,
      rateMultiplier: SOAK_RATE_MULTIPLIER,
    }),
  );
  const daemon = Daemon.run(scope, "daemon", config, health);
  await daemon.waitHealthy(90_000);
  const plan = soakPlan(seconds);
  progress(
    `healthy; ${seconds} s at ${SOAK_RATE_MULTIPLIER}x, ` +
      `start window ${plan.warmupS}-${plan.warmupS + plan.windowS} s, ` +
      `end window the last ${plan.windowS} s`,
  );
  const t0 = Date.now();
  const samples: Sample[] = [];
  const scrapeErrors: string[] = [];
  for (let next = 0; next <= seconds && daemon.alive; next += plan.everyS) {
    await sleep(Math.max(0, t0 + next * 1000 - Date.now()));
    const atS = (Date.now() - t0) / 1000;
    try {
      const m = await metricsOf(daemon);
      const ms = (name: string) => {
        const v = sumOf(m, name);
        return v === undefined ? undefined : v * 1000;
      };
      samples.push({
        atS,
        rssMb: daemon.rssMb(),
        lagMeanMs: ms("leadlag_nodejs_eventloop_lag_mean_seconds"),
        lagP99Ms: ms("leadlag_nodejs_eventloop_lag_p99_seconds"),
        decisions: histogramOf(m, "leadlag_decision_latency_seconds"),
        published: sumOf(m, "leadlag_synth_published_total"),
      });
    } catch (err) {
      scrapeErrors.push(`${atS.toFixed(0)} s: ${describeError(err)}`);
      samples.push({
        atS,
        rssMb: daemon.rssMb(),
        lagMeanMs: undefined,
        lagP99Ms: undefined,
        decisions: undefined,
        published: undefined,
      });
    }
    if (samples.length % Math.max(1, Math.round(60 / plan.everyS)) === 0)
      progress(`${atS.toFixed(0)} s: RSS ${samples.at(-1)!.rssMb?.toFixed(0)} MB`);
  }
  const alive = daemon.alive;
  const restarts = alive ? await totalRestarts(daemon).catch(() => -1) : -1;
  if (alive) await daemon.stop("SIGINT", 20_000);

  const between = (from: number, to: number) => samples.filter((s) => s.atS >= from && s.atS <= to);
  const figures = soakFigures(
    { start: between(plan.warmupS, plan.warmupS + plan.windowS), end: between(seconds - plan.windowS, Infinity) },
    {
      start: between(plan.warmupS, plan.warmupS + plan.decisionWindowS),
      end: between(seconds - plan.decisionWindowS, Infinity),
    },
  );
  const rate = messageRate(samples);
  const problems = [
    ...(alive ? [] : [`the daemon exited (${daemon.exitInfo?.code ?? daemon.exitInfo?.signal})`]),
    ...(restarts > 0 ? [`${restarts} actor restarts`] : []),
    ...(scrapeErrors.length > 0
      ? [`${scrapeErrors.length} failed scrapes of /metrics (first: ${scrapeErrors[0]})`]
      : []),
  ];
  const flat = figures.every((f) => judgeSoak(f).ok);
  const header =
    `Soak: ${seconds} s, synthetic market at ${SOAK_RATE_MULTIPLIER}x ` +
    `(${rate === undefined ? "?" : rate.toFixed(0)} messages/s published), ` +
    `windows ${plan.warmupS}-${plan.warmupS + plan.windowS} s and the last ${plan.windowS} s ` +
    `(decisions: ${plan.warmupS}-${plan.warmupS + plan.decisionWindowS} s and the last ${plan.decisionWindowS} s)`;
  const verdict = flat && problems.length === 0 ? "pass" : "FAIL";
  process.stdout.write(
    `\n${header}\n\n${soakTable(figures)}\n\n${verdict}${problems.length > 0 ? `: ${problems.join("; ")}` : ""}\n`,
  );
  if (problems.length > 0)
    process.stdout.write(
      `\nlast log lines:\n${daemon
        .tail(12)
        .map((l) => `    | ${l}`)
        .join("\n")}\n`,
    );
  if (doc !== undefined) {
    const when = `${utcMinute()}, commit ${commitId()}`;
    const result = `${verdict}${problems.length > 0 ? ` (${problems.join("; ")})` : ""}`;
    const section = `${header}; run ${when}.\n\n${soakTable(figures)}\n\nResult: ${result}.`;
    writeFileSync(doc, replaceSection(readFileSync(doc, "utf8"), "reliability:soak", section));
    process.stdout.write("soak figures written to docs/reliability.md\n");
  }
  return verdict === "pass" ? 0 : 1;
}

function mean(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return defined.length === 0 ? undefined : defined.reduce((a, b) => a + b, 0) / defined.length;
}

/** Decisions observed between the first and the last sample of a window. */
function windowDecisions(window: readonly Sample[]): HistogramState | undefined {
  const scraped = window.filter((s) => s.decisions !== undefined);
  if (scraped.length < 2) return undefined;
  return histogramDelta(scraped[0].decisions!, scraped[scraped.length - 1].decisions!);
}

interface Windows {
  readonly start: readonly Sample[];
  readonly end: readonly Sample[];
}

function soakFigures({ start, end }: Windows, decisions: Windows): SoakFigure[] {
  const ms = (v: number | undefined) => (v === undefined ? undefined : v * 1000);
  const [d0, d1] = [windowDecisions(decisions.start), windowDecisions(decisions.end)];
  return [
    {
      metric: "RSS",
      unit: "MB",
      start: mean(start.map((s) => s.rssMb)),
      end: mean(end.map((s) => s.rssMb)),
      tolerance: TOLERANCE,
      noiseFloor: 0,
    },
    // prom-client samples the loop's delay with a 10 ms timer: changes of a few ms are within its resolution.
    {
      metric: "event-loop lag, mean",
      unit: "ms",
      start: mean(start.map((s) => s.lagMeanMs)),
      end: mean(end.map((s) => s.lagMeanMs)),
      tolerance: TOLERANCE,
      noiseFloor: 2,
    },
    {
      metric: "event-loop lag, p99",
      unit: "ms",
      start: mean(start.map((s) => s.lagP99Ms)),
      end: mean(end.map((s) => s.lagP99Ms)),
      tolerance: TOLERANCE,
      noiseFloor: 5,
    },
    // Decision latency is hundreds of µs with single runs ±30 % apart (docs/benchmarks.md).
    {
      metric: "decision latency, mean",
      unit: "ms",
      start: ms(d0 && histogramMean(d0)),
      end: ms(d1 && histogramMean(d1)),
      tolerance: TOLERANCE,
      noiseFloor: 0.25,
    },
    {
      metric: "decision latency, p50",
      unit: "ms",
      start: ms(d0 && histogramQuantile(d0, 0.5)),
      end: ms(d1 && histogramQuantile(d1, 0.5)),
      tolerance: TOLERANCE,
      noiseFloor: 0.25,
    },
  ];
}

function messageRate(samples: readonly Sample[]): number | undefined {
  const scraped = samples.filter((s) => s.published !== undefined);
  if (scraped.length < 2) return undefined;
  const [a, b] = [scraped[0], scraped[scraped.length - 1]];
  return (b.published! - a.published!) / (b.atS - a.atS);
}
