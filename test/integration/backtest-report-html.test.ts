import { existsSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_POINTS } from "../../src/backtest/report/chart-data.js";
import { toReportHtml } from "../../src/backtest/report/html.js";
import type { BacktestRecord } from "../../src/backtest/report/record.js";
import { writeReports } from "../../src/backtest/report/write.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { emptyRecord, syntheticRecord } from "../fixtures/backtest-record.js";

/** Debian's chromium (`.ci/run` installs it when missing). */
const CHROMIUM = "/usr/bin/chromium";
/** Set to refresh docs/images/backtest-report.png from this test's page. */
const UPDATE_SCREENSHOT = process.env.UPDATE_REPORT_SCREENSHOT === "1";
/** Without CI a machine may lack the browser; under CI the test must run (and fails when it cannot). */
const skip = !existsSync(CHROMIUM) && !process.env.CI;

interface ChartState {
  id: string;
  width: number;
  height: number;
  /** Pixels the chart painted (alpha > 0): axes alone give a few thousand, a plotted series many more. */
  painted: number;
  /** Data points per series, as ECharts holds them. */
  seriesLengths: number[];
  emptyTitle: string;
}

interface PageResult {
  errors: string[];
  requests: string[];
  ready: string | null;
  charts: ChartState[];
}

/**
 * Runs in the page (a string: the project compiles without the DOM library): each chart's canvas size, the
 * pixels it painted, and the series ECharts holds (the report registers its charts in window.reportCharts).
 */
const INSPECT_CHARTS = `[...document.querySelectorAll(".chart")].map((el) => {
  const canvas = el.querySelector("canvas");
  let painted = 0;
  if (canvas && canvas.width > 0 && canvas.height > 0) {
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  }
  const option = window.reportCharts[el.id] && window.reportCharts[el.id].getOption();
  return {
    id: el.id,
    width: canvas ? canvas.width : 0,
    height: canvas ? canvas.height : 0,
    painted,
    seriesLengths: option ? option.series.map((s) => s.data.length) : [],
    emptyTitle: (option && option.title && option.title[0] && option.title[0].text) || "",
  };
})`;

/** Shows each series' first tooltip, so that every tooltip formatter runs (an error in one is a console error). */
const SHOW_TOOLTIPS = `Object.values(window.reportCharts).forEach((chart) => {
  chart.getOption().series.forEach((series, seriesIndex) => {
    if (series.data.length > 0) chart.dispatchAction({ type: "showTip", seriesIndex, dataIndex: 0 });
  });
})`;

describe.skipIf(skip)("HTML report in headless Chromium", () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (CI=true): apt-get install -y chromium`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    dir = await mkdtemp(path.join(tmpdir(), "leadlag-report-"));
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function open(record: BacktestRecord, name: string, screenshot?: string): Promise<PageResult> {
    const file = path.join(dir, `${name}.html`);
    await writeReports(record, { html: file });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error" || msg.type() === "warning") errors.push(`${msg.type()}: ${msg.text()}`);
    });
    page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
    page.on("request", (req) => {
      if (!req.url().startsWith("file:") && !req.url().startsWith("data:")) requests.push(req.url());
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector("body[data-charts-ready]", { timeout: 30_000 });
    const charts = (await page.evaluate(INSPECT_CHARTS)) as ChartState[];
    const ready = await page.getAttribute("body", "data-charts-ready");
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    await page.evaluate(SHOW_TOOLTIPS); // after the screenshot, which should not show them
    await page.close();
    return { errors, requests, ready, charts };
  }

  it("draws every chart of a six-hour run, with no console error and no network request", async () => {
    const record = syntheticRecord(1);
    const shot = UPDATE_SCREENSHOT ? fromRoot("docs", "images", "backtest-report.png") : path.join(dir, "report.png");
    const result = await open(record, "synthetic", shot);
    expect(result.errors).toEqual([]);
    expect(result.requests).toEqual([]);

    const laggers = [...new Set(record.trades.map((t) => t.symbol))].sort();
    expect(laggers).toEqual(["ETH-USDC-PERP", "SOL-USDC-PERP"]);
    const ids = [
      "chart-equity",
      ...laggers.map((_, i) => `chart-price-${i}`),
      "chart-scans",
      "chart-exits",
      "chart-hours",
    ];
    expect(result.charts.map((c) => c.id)).toEqual(ids);
    expect(result.ready).toBe(String(ids.length));
    for (const chart of result.charts) {
      expect(chart.width, chart.id).toBeGreaterThan(300);
      expect(chart.height, chart.id).toBeGreaterThan(200);
      expect(chart.emptyTitle, chart.id).toBe("");
      // Far more than the axes and labels alone paint (about 1-3 % of the canvas).
      expect(chart.painted / (chart.width * chart.height), chart.id).toBeGreaterThan(0.04);
    }
    const byId = Object.fromEntries(result.charts.map((c) => [c.id, c.seriesLengths]));
    expect(byId["chart-equity"]).toEqual([record.equity.length + 1, record.equity.length + 1]);
    laggers.forEach((symbol, i) => {
      const trades = record.trades.filter((t) => t.symbol === symbol);
      const [mid, buys, sells, exits] = byId[`chart-price-${i}`];
      expect(record.prices[symbol].length).toBe(4_320); // thinned to at most MAX_POINTS, extremes kept
      expect(mid).toBeGreaterThan(3_000);
      expect(mid).toBeLessThanOrEqual(MAX_POINTS);
      expect(buys + sells).toBe(trades.length);
      expect(exits).toBe(trades.length);
    });
    const scanPoints = byId["chart-scans"].reduce((sum, n) => sum + n, 0);
    expect(scanPoints).toBe(2 * record.decisions.length); // rho* and tau* of each
    expect(byId["chart-exits"]).toEqual([5]);
    expect(byId["chart-hours"]).toEqual([24]);
    expect((await stat(shot)).size).toBeGreaterThan(50_000);
  });

  it("an empty run still opens cleanly, each chart saying it has nothing to show", async () => {
    const result = await open(emptyRecord(), "empty");
    expect(result.errors).toEqual([]);
    expect(result.charts.map((c) => [c.id, c.emptyTitle])).toEqual([
      ["chart-equity", "no equity samples"],
      ["chart-scans", "no decisions"],
      ["chart-exits", "no trades"],
      ["chart-hours", "no trades"],
    ]);
  });

  it("is one file: no external script, stylesheet or link", () => {
    const html = toReportHtml(syntheticRecord(2));
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/[^"' ]*\.(js|css)\b/i);
    expect(html).toContain("default-src 'none'");
  });
});
