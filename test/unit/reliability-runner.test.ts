import { describe, expect, it } from "vitest";
import { parseRunArgs, UsageError } from "../reliability/cli.js";
import {
  farAheadTrade,
  hostileFrames,
  seededRandom,
  timestampAbove2To64,
} from "../reliability/harness/hostile-frames.js";
import type { LegitFrame } from "../reliability/harness/market-publisher.js";
import { foldFills } from "../reliability/harness/venue.js";
import {
  histogramDelta,
  histogramOf,
  histogramQuantile,
  parseMetrics,
  sumBy,
  sumOf,
} from "../reliability/prometheus.js";
import {
  formatTable,
  judgeSoak,
  markdownTable,
  replaceSection,
  soakTable,
  wrap,
  type ScenarioRow,
} from "../reliability/report.js";
import { soakPlan } from "../reliability/scenarios/soak.js";

const KNOWN = ["restart-engine", "bad-configs", "disk-full"];

describe("reliability runner arguments", () => {
  it("runs every scenario and writes the docs by default", () => {
    expect(parseRunArgs([], KNOWN)).toEqual({ kind: "scenarios", only: undefined, writeDocs: true });
    expect(parseRunArgs(["--no-docs"], KNOWN)).toEqual({ kind: "scenarios", only: undefined, writeDocs: false });
  });

  it("--only takes names, comma-separated or repeated, and never writes the docs of a partial run", () => {
    expect(parseRunArgs(["--only", "bad-configs"], KNOWN)).toEqual({
      kind: "scenarios",
      only: ["bad-configs"],
      writeDocs: false,
    });
    expect(parseRunArgs(["--only", "disk-full,bad-configs", "--only", "disk-full"], KNOWN)).toEqual({
      kind: "scenarios",
      only: ["disk-full", "bad-configs"],
      writeDocs: false,
    });
  });

  it("refuses an unknown scenario, naming the known ones", () => {
    expect(() => parseRunArgs(["--only", "disk-ful"], KNOWN)).toThrow(
      new UsageError("unknown scenario 'disk-ful'; one of: restart-engine, bad-configs, disk-full"),
    );
    expect(() => parseRunArgs(["--only", ","], KNOWN)).toThrow(UsageError);
  });

  it("--soak takes whole seconds within bounds and runs alone", () => {
    expect(parseRunArgs(["--soak", "3600"], KNOWN)).toEqual({ kind: "soak", seconds: 3600, writeDocs: true });
    expect(parseRunArgs(["--soak", "60", "--no-docs"], KNOWN)).toEqual({ kind: "soak", seconds: 60, writeDocs: false });
    for (const bad of ["29", "86401", "1.5", "abc", "-60", ""])
      expect(() => parseRunArgs(["--soak", bad], KNOWN), bad).toThrow(UsageError);
    expect(() => parseRunArgs(["--soak", "60", "--only", "disk-full"], KNOWN)).toThrow("--soak runs alone");
  });

  it("refuses unknown options and positionals; --help and --list win", () => {
    expect(() => parseRunArgs(["--fast"], KNOWN)).toThrow(UsageError);
    expect(() => parseRunArgs(["disk-full"], KNOWN)).toThrow(UsageError);
    expect(parseRunArgs(["--help", "--only", "nope"], KNOWN)).toEqual({ kind: "help" });
    expect(parseRunArgs(["--list"], KNOWN)).toEqual({ kind: "list" });
  });
});

const row = (over: Partial<ScenarioRow> = {}): ScenarioRow => ({
  scenario: "restart-engine",
  load: "synthetic market",
  faults: "SIGINT + start",
  badInputs: "—",
  verdict: "pass",
  notes: "",
  seconds: 141.4,
  ...over,
});

describe("reliability report", () => {
  it("wraps words to the width and cuts a word longer than it", () => {
    expect(wrap("one two three", 7)).toEqual(["one two", "three"]);
    expect(wrap("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
    expect(wrap("", 5)).toEqual([""]);
  });

  it("prints a table whose cells wrap within their columns", () => {
    const notes = "after SIGINT: trading did not resume: 0 entries placed, 0 filled within 120 s";
    const text = formatTable([row({ verdict: "FAIL", notes })]);
    const lines = text.split("\n");
    expect(lines[0]).toMatch(
      /^scenario\s+\| load held\s+\| faults injected\s+\| bad inputs tried\s+\| result \| notes$/,
    );
    expect(lines.find((l) => l.startsWith("restart-engine"))).toContain("| FAIL   |");
    expect(lines.every((l) => l.length <= 20 + 28 + 24 + 24 + 6 + 60 + 5 * 3)).toBe(true);
    const first = lines.findIndex((l) => l.startsWith("restart-engine"));
    expect(lines[first].endsWith("| after SIGINT: trading did not resume: 0 entries placed, 0")).toBe(true);
    expect(lines[first + 1]).toMatch(/^\s+\|.*\| filled within 120 s$/);
  });

  it("writes Markdown rows with pipes escaped and whole seconds", () => {
    const md = markdownTable([row({ notes: "a | b" })]);
    expect(md.split("\n")[2]).toBe("| restart-engine | synthetic market | SIGINT + start | — | pass | a \\| b | 141 |");
  });

  it("replaces exactly the generated section and refuses a document without its markers", () => {
    const doc = "intro\n<!-- x:start -->\nold\n<!-- x:end -->\noutro\n";
    expect(replaceSection(doc, "x", "new figures")).toBe(
      "intro\n<!-- x:start -->\nnew figures\n<!-- x:end -->\noutro\n",
    );
    expect(() => replaceSection("intro", "x", "y")).toThrow("expected one");
    expect(() => replaceSection(doc + doc, "x", "y")).toThrow("expected one");
  });

  it("judges a soak figure flat within the tolerance or under the noise floor", () => {
    const f = { metric: "RSS", unit: "MB", tolerance: 0.1, noiseFloor: 0 };
    expect(judgeSoak({ ...f, start: 500, end: 549 })).toEqual({ ok: true, change: 0.098 });
    expect(judgeSoak({ ...f, start: 500, end: 560 })).toEqual({
      ok: false,
      change: 0.12,
      why: "grew 12.0 % (limit 10 %)",
    });
    expect(judgeSoak({ ...f, start: 0.4, end: 0.6, noiseFloor: 0.25 }).ok).toBe(true);
    expect(judgeSoak({ ...f, start: undefined, end: 3 })).toEqual({
      ok: false,
      change: undefined,
      why: "no start value",
    });
    expect(soakTable([{ ...f, start: 500, end: 560 }])).toContain(
      "| RSS (MB) | 500 | 560 | +12.0 % | FAIL (grew 12.0 % (limit 10 %)) |",
    );
  });

  it("places the soak's windows after a warm-up, within the run", () => {
    expect(soakPlan(60)).toEqual({ warmupS: 20, windowS: 12, decisionWindowS: 20, everyS: 3 });
    expect(soakPlan(600)).toEqual({ warmupS: 150, windowS: 120, decisionWindowS: 120, everyS: 10 });
    expect(soakPlan(3600)).toEqual({ warmupS: 300, windowS: 300, decisionWindowS: 300, everyS: 10 });
  });
});

describe("reading /metrics", () => {
  const text = [
    "# HELP leadlag_feed_drops_total x",
    'leadlag_feed_drops_total{reason="invalid_json"} 7',
    'leadlag_feed_drops_total{reason="duplicate"} 3',
    'leadlag_feed_messages_total{symbol="BTC-USDC-PERP",stream="trades"} 100',
    'leadlag_decision_latency_seconds_bucket{le="0.001"} 2',
    'leadlag_decision_latency_seconds_bucket{le="0.002"} 6',
    'leadlag_decision_latency_seconds_bucket{le="+Inf"} 8',
    "leadlag_decision_latency_seconds_sum 0.02",
    "leadlag_decision_latency_seconds_count 8",
  ].join("\n");

  it("sums samples by name and labels", () => {
    const samples = parseMetrics(text);
    expect(sumOf(samples, "leadlag_feed_drops_total")).toBe(10);
    expect(sumOf(samples, "leadlag_feed_messages_total", { stream: "trades" })).toBe(100);
    expect(sumOf(samples, "leadlag_nope")).toBeUndefined();
    expect([...sumBy(samples, "leadlag_feed_drops_total", "reason")]).toEqual([
      ["invalid_json", 7],
      ["duplicate", 3],
    ]);
  });

  it("takes quantiles of what a histogram observed between two scrapes", () => {
    const after = histogramOf(parseMetrics(text), "leadlag_decision_latency_seconds");
    expect(histogramQuantile(after, 0.5)).toBeCloseTo(0.0015, 10);
    const before = histogramOf(
      parseMetrics(
        ['{le="0.001"} 2', '{le="0.002"} 2', '{le="+Inf"} 2']
          .map((b) => `leadlag_decision_latency_seconds_bucket${b}`)
          .join("\n") + "\nleadlag_decision_latency_seconds_count 2",
      ),
      "leadlag_decision_latency_seconds",
    );
    const delta = histogramDelta(before, after);
    expect(delta.count).toBe(6);
    expect(histogramQuantile(delta, 0.5)).toBeCloseTo(0.00175, 10);
    expect(histogramQuantile({ buckets: new Map(), sum: 0, count: 0 }, 0.5)).toBeUndefined();
  });
});

describe("the venue's fills folded into positions", () => {
  it("books average price, realised PnL and fees by coin, across a flip", () => {
    const fills = [
      { symbol: "ETH-USDC-PERP", side: "buy" as const, price: 100, size: 1, fee: 0.05 },
      { symbol: "ETH-USDT-PERP", side: "buy" as const, price: 110, size: 1, fee: 0.05 },
      { symbol: "ETH-USDC-PERP", side: "sell" as const, price: 120, size: 3, fee: 0.15 },
    ];
    expect(foldFills(fills).get("ETH")).toEqual({ qty: -1, avgPrice: 120, realizedPnl: 30, fees: 0.25 });
  });
});

describe("hostile market-data frames", () => {
  const recent: LegitFrame[] = Array.from({ length: 10 }, (_, i) => ({
    socket: "trades",
    topic: "HYPERLIQUID-preprocessed_trades-BTC-USDC-PERP",
    payload:
      `{"receipt_timestamp_ns":${1_000n + BigInt(i)},"symbol":"BTC-USDC-PERP","exchange":"HYPERLIQUID",` +
      `"price":97000.0,"amount":0.1,"side":"buy","seq":${i + 1}}`,
    seq: i + 1,
    tsNs: 1_000n + BigInt(i),
  }));

  it("are the same for the same seed, with the heavy kinds at a fixed spacing", () => {
    const a = hostileFrames(recent, 1000, seededRandom(5));
    const b = hostileFrames(recent, 1000, seededRandom(5));
    expect(a.frames.map((f) => f.parts.map(String))).toEqual(b.frames.map((f) => f.parts.map(String)));
    expect(a.byKind.get("oversized")).toBe(1);
    expect(a.byKind.get("deep_nesting")).toBe(1);
    expect(a.frames.every((f) => String(f.parts[0]).startsWith(recent[0].topic))).toBe(true);
  });

  it("poison frames change only the receipt time and the seq", () => {
    const latest = recent[9];
    expect(String(timestampAbove2To64(latest).parts[1])).toBe(
      latest.payload
        .replace('"receipt_timestamp_ns":1009', '"receipt_timestamp_ns":18446744073709563961')
        .replace('"seq":10', '"seq":11'),
    );
    expect(String(farAheadTrade(latest, 2 ** 52, 86_400_000_000_000n).parts[1])).toContain(
      '"receipt_timestamp_ns":86400000001009,',
    );
    expect(String(farAheadTrade(latest, 2 ** 52, 0n).parts[1])).toContain('"seq":4503599627370496}');
  });
});
