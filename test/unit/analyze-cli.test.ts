import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { readTradesCsv, type TradeRow } from "../../src/backtest/trades-csv.js";
import { leadLagPair, seededRandom, standardNormal } from "../../bench/synthetic-ticks.js";

const EPOCH = 1_764_000_000_000_000_000n;
const SEC = 1_000_000_000n;
let dir: string;

interface Row {
  ts: bigint;
  symbol: string;
  price: number;
}

function toCsv(rows: Row[], extraLines: [afterRow: number, text: string][] = []): string {
  const lines = ["ts_ns,symbol,price,amount,side,trade_id"];
  rows.forEach((row, i) => {
    lines.push(`${row.ts},${row.symbol},${row.price},0.5,${i % 2 === 0 ? "buy" : "sell"},${i}`);
    for (const [after, text] of extraLines) if (after === i) lines.push(text);
  });
  return lines.join("\n") + "\n";
}

/** BTC leads ETH by 1.5 s (20 and 10 ticks/s); SOL is noise in between. Three bad rows at lines 12, 103, 504. */
function leadLagCsv(): string {
  const pair = leadLagPair({ seed: 21, durationS: 240, leaderTicksPerS: 20, laggerTicksPerS: 10, delayS: 1.5 });
  const rows: Row[] = [
    ...pair.leader.times.map((t, i) => ({
      ts: EPOCH + BigInt(t),
      symbol: "BTC",
      price: 100 * Math.exp(pair.leader.logPrices[i] - Math.log(100)),
    })),
    ...pair.lagger.times.map((t, i) => ({
      ts: EPOCH + BigInt(t),
      symbol: "ETH",
      price: 2000 * Math.exp(pair.lagger.logPrices[i] - Math.log(100)),
    })),
    ...pair.lagger.times.map((t, i) => ({ ts: EPOCH + BigInt(t) + 1n, symbol: "SOL", price: 150 + (i % 7) * 0.01 })),
  ].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  return toCsv(rows, [
    [9, "not-a-number,BTC,100,1,buy,x"],
    [99, `${EPOCH},BTC,-3,1,buy,x`],
    [499, `${EPOCH},BTC`],
  ]);
}

/** BTC leads ETH by 14 s, outside the default ±12 s grid; ETH ticks every 2 s, so HY sees the lag from the edge. */
function farLagCsv(): string {
  const pair = leadLagPair({ seed: 7, durationS: 600, leaderTicksPerS: 10, laggerTicksPerS: 0.5, delayS: 14 });
  const rows: Row[] = [
    ...pair.leader.times.map((t, i) => ({
      ts: EPOCH + BigInt(t),
      symbol: "BTC",
      price: Math.exp(pair.leader.logPrices[i]),
    })),
    ...pair.lagger.times.map((t, i) => ({
      ts: EPOCH + BigInt(t),
      symbol: "ETH",
      price: Math.exp(pair.lagger.logPrices[i]),
    })),
  ].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  return toCsv(rows);
}

/** One tick a second per symbol; BTC jumps +30 bp alone at 100 s, and after ETH, SOL and XRP (at 199.7 s) at 200 s. */
function jumpsCsv(): string {
  const random = seededRandom(8);
  const rows: Row[] = [];
  for (const [symbol, offsetMs] of [
    ["BTC", 0],
    ["ETH", 700],
    ["SOL", 700],
    ["XRP", 700],
  ] as const) {
    let logPrice = Math.log(100);
    for (let i = 0; i < 300; i++) {
      logPrice += 1e-4 * standardNormal(random);
      const jumps = symbol === "BTC" ? i === 100 || i === 200 : i === 199;
      if (jumps) logPrice += 0.003;
      rows.push({ ts: EPOCH + BigInt(i) * SEC + BigInt(offsetMs) * 1_000_000n, symbol, price: Math.exp(logPrice) });
    }
  }
  return toCsv(rows.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0)));
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "leadlag-analyze-"));
  writeFileSync(join(dir, "leadlag.csv"), leadLagCsv());
  writeFileSync(join(dir, "jumps.csv"), jumpsCsv());
  writeFileSync(join(dir, "far.csv"), farLagCsv());
  // The same trades under the symbol rules' canonical spellings (as marketstream names them).
  writeFileSync(join(dir, "jumps-canonical.csv"), jumpsCsv().replace(/,(BTC|ETH|SOL),/g, ",$1-USDC-PERP,"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe("trades CSV reader", () => {
  it("parses ts_ns exactly as a BigInt and reports bad rows by line number without stopping", async () => {
    const rows: TradeRow[] = [];
    const summary = await readTradesCsv(join(dir, "leadlag.csv"), (row) => rows.push(row));
    expect(summary.badRows).toBe(3);
    expect(summary.badRowSamples.map((bad) => bad.line)).toEqual([12, 103, 504]);
    expect(summary.badRowSamples[1].reason).toMatch(/price/);
    expect(summary.rows).toBe(rows.length);
    expect(rows[0].tsNs).toBeGreaterThan(EPOCH);
    expect(rows[0].line).toBe(2);
  });
});

describe("leadlag analyze", () => {
  it("hy --json finds BTC leading ETH by 1.5 s and passes the gates", async () => {
    const { code, stdout, stderr } = await run([
      "analyze",
      "hy",
      "--csv",
      join(dir, "leadlag.csv"),
      "--leader",
      "BTC",
      "--lagger",
      "ETH",
      "--json",
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(Object.keys(result)).toEqual([
      "status",
      "tau_star_s",
      "rho_star",
      "lls",
      "n_leader",
      "n_lagger",
      "passes",
      "edge_of_grid",
      "lag_grid",
    ]);
    expect(result.edge_of_grid).toBe(false);
    expect(result.lag_grid).toEqual({ lag_min_s: -12, lag_max_s: 12, lag_step_s: 0.05, lags: 481 });
    expect(result.status).toBe("ok");
    expect(Math.abs(result.tau_star_s - 1.5)).toBeLessThanOrEqual(0.05);
    expect(result.rho_star).toBeGreaterThan(0.6);
    expect(result.lls).toBeGreaterThan(1);
    expect(result.passes).toBe(true);
    expect(result.n_leader).toBeGreaterThan(4000);
    expect(stderr).toMatch(/skipped 3 bad row\(s\)/);
    expect(stderr).toMatch(/line 12: ts_ns 'not-a-number'/);
  });

  it(
    "hy with the roles swapped finds a negative lag and fails; --end-ns and --lookback-s pick the " + "window",
    async () => {
      const swapped = await run([
        "analyze",
        "hy",
        "--csv",
        join(dir, "leadlag.csv"),
        "--leader",
        "ETH",
        "--lagger",
        "BTC",
        "--json",
      ]);
      const result = JSON.parse(swapped.stdout);
      expect(Math.abs(result.tau_star_s + 1.5)).toBeLessThanOrEqual(0.05);
      expect(result.passes).toBe(false);
      const early = await run([
        "analyze",
        "hy",
        "--csv",
        join(dir, "leadlag.csv"),
        "--leader",
        "BTC",
        "--lagger",
        "ETH",
        "--end-ns",
        String(EPOCH + 10n * SEC),
        "--lookback-s",
        "5",
        "--json",
      ]);
      const window = JSON.parse(early.stdout);
      expect(window.n_leader).toBeGreaterThan(50);
      expect(window.n_leader).toBeLessThan(160);
    },
  );

  it("hy without --json prints a summary and the rho-by-lag plot", async () => {
    const { code, stdout } = await run([
      "analyze",
      "hy",
      "--csv",
      join(dir, "leadlag.csv"),
      "--leader",
      "BTC",
      "--lagger",
      "ETH",
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/tau\*\s+1\.500 s/);
    expect(stdout).toMatch(/rho by lag/);
    expect(stdout).toMatch(/1\.\d0s \* +\|#+/);
  });

  it("hy warns when the optimum sits at the grid's edge, and a wider grid finds the lag outside the default", async () => {
    const far = [
      "analyze",
      "hy",
      "--csv",
      join(dir, "far.csv"),
      "--leader",
      "BTC",
      "--lagger",
      "ETH",
      "--lookback-s",
      "600",
    ];
    const narrow = await run([...far, "--json"]);
    expect(narrow.code).toBe(0);
    const atEdge = JSON.parse(narrow.stdout);
    expect(atEdge.tau_star_s).toBe(12);
    expect(atEdge.edge_of_grid).toBe(true);
    expect(narrow.stderr).toMatch(
      /warning: BTC -> ETH: the optimum tau\* = 12\.000 s sits at the edge of the lag grid \[-12, 12\]/,
    );
    const text = await run(far);
    expect(text.stdout).toMatch(/tau\*\s+12\.000 s {2}\(at the edge of the grid\)/);

    const wide = await run([...far, "--json", "--lag-min-s=-30", "--lag-max-s", "30", "--lag-step-s", "0.1"]);
    const inside = JSON.parse(wide.stdout);
    expect(Math.abs(inside.tau_star_s - 14)).toBeLessThanOrEqual(0.1);
    expect(inside.edge_of_grid).toBe(false);
    expect(inside.lag_grid).toEqual({ lag_min_s: -30, lag_max_s: 30, lag_step_s: 0.1, lags: 601 });
    expect(wide.stderr).not.toMatch(/warning/);
  });

  it("hy refuses a bad lag grid with exit 2 and a clear message", async () => {
    const base = ["analyze", "hy", "--csv", join(dir, "far.csv"), "--leader", "BTC", "--lagger", "ETH"];
    const cases: [string[], RegExp][] = [
      [["--lag-min-s", "5", "--lag-max-s", "5"], /lag-min-s < lag-max-s, got 5 >= 5/],
      [["--lag-step-s", "0"], /lag-step-s must be positive, got 0/],
      [["--lag-step-s=-1"], /lag-step-s must be positive, got -1/],
      [["--exclude-low-s=-20"], /exclusion zone \[-20, 0.3\] must lie inside the grid \[-12, 12\]/],
      [["--lag-step-s", "0.001"], /24001 lags, more than 2001: widen lag-step-s to at least 0\.012/],
      [["--lag-min-s", "abc"], /--lag-min-s must be a number, got 'abc'/],
    ];
    for (const [flags, message] of cases) {
      const { code, stderr } = await run([...base, ...flags]);
      expect(code, flags.join(" ")).toBe(2);
      expect(stderr, flags.join(" ")).toMatch(message);
    }
  });

  it("jumps --json lists BTC's jumps with the co-jump filter applied", async () => {
    const { code, stdout } = await run([
      "analyze",
      "jumps",
      "--csv",
      join(dir, "jumps.csv"),
      "--symbol",
      "BTC",
      "--json",
    ]);
    expect(code).toBe(0);
    const { jumps } = JSON.parse(stdout);
    expect(jumps.map((j: { ts_ns: string }) => j.ts_ns)).toEqual([
      String(EPOCH + 100n * SEC),
      String(EPOCH + 200n * SEC),
    ]);
    expect(jumps.map((j: { systematic: boolean }) => j.systematic)).toEqual([false, true]);
    for (const jump of jumps) {
      expect(jump.sign).toBe(1);
      expect(jump.bps).toBeGreaterThan(25);
      expect(jump.stat).toBeGreaterThan(7.070493081253145);
    }
  });

  it("usage errors exit 2, a missing file exits 1", async () => {
    expect((await run(["analyze", "hy", "--csv", "x.csv", "--leader", "BTC"])).code).toBe(2);
    expect((await run(["analyze", "spectra"])).code).toBe(2);
    const missing = await run(["analyze", "jumps", "--csv", join(dir, "absent.csv"), "--symbol", "BTC"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/absent\.csv/);
  });

  const hy = async (leader: string, lagger: string) =>
    run(["analyze", "hy", "--csv", join(dir, "leadlag.csv"), "--leader", leader, "--lagger", lagger, "--json"]);
  const jumpTimes = async (csv: string, symbol: string) => {
    const { code, stdout, stderr } = await run([
      "analyze",
      "jumps",
      "--csv",
      join(dir, csv),
      "--symbol",
      symbol,
      "--json",
    ]);
    expect(code, stderr).toBe(0);
    return (JSON.parse(stdout).jumps as { ts_ns: string }[]).map((j) => j.ts_ns);
  };

  it("takes any spelling the symbol rules resolve, whichever the file uses", async () => {
    const plain = JSON.parse((await hy("BTC", "ETH")).stdout);
    for (const [leader, lagger] of [
      ["btc-usdt-perp", "ETH/USDT:USDT"],
      ["BTC-USDC-PERP", "ethusdt"],
    ]) {
      const { code, stdout } = await hy(leader, lagger);
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual(plain);
    }
    const expected = [String(EPOCH + 100n * SEC), String(EPOCH + 200n * SEC)];
    expect(await jumpTimes("jumps.csv", "BTC/USDT:USDT")).toEqual(expected);
    expect(await jumpTimes("jumps-canonical.csv", "BTC")).toEqual(expected);
    expect(await jumpTimes("jumps-canonical.csv", "btc-usdt-perp")).toEqual(expected);
  });

  it("names the symbols the file holds when none of its trades match (exit 2)", async () => {
    const jumps = await run(["analyze", "jumps", "--csv", join(dir, "jumps-canonical.csv"), "--symbol", "DOGE"]);
    expect(jumps.code).toBe(2);
    expect(jumps.stdout).toBe("");
    expect(jumps.stderr).toBe(
      `leadlag analyze jumps: no trades of DOGE in ${join(dir, "jumps-canonical.csv")}; it holds ` +
        "BTC-USDC-PERP, ETH-USDC-PERP, SOL-USDC-PERP, XRP\n",
    );
    const lagger = await hy("BTC", "XRP-USDT-PERP");
    expect(lagger.code).toBe(2);
    expect(lagger.stderr).toContain(
      `leadlag analyze hy: no trades of XRP-USDT-PERP in ${join(dir, "leadlag.csv")}; it holds BTC, ETH, SOL\n`,
    );
    const both = await hy("DOGE", "XRP");
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("no trades of DOGE or XRP in");
  });

  it("refuses a leader and lagger that are one instrument in two spellings", async () => {
    const same = await hy("BTC", "btc-usdt-perp");
    expect(same.code).toBe(2);
    expect(same.stderr).toContain("--leader and --lagger must name different symbols");
  });
});
