/**
 * `--report-html`: one self-contained page, viewable offline. ECharts is inlined from node_modules and the
 * page's Content-Security-Policy forbids every network fetch, so nothing is loaded at view time.
 */

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chartData } from "./chart-data.js";
import { CLIENT_SCRIPT } from "./html-client.js";
import { isoNs } from "./json.js";
import { computeMetrics } from "./metrics.js";
import type { BacktestRecord } from "./record.js";
import { formatSummary } from "./summary.js";

let echartsSource: string | undefined;

/** The minified ECharts bundle, read once; `</script` cannot end the inline script early. */
function echarts(): string {
  if (echartsSource === undefined) {
    const file = createRequire(import.meta.url).resolve("echarts/dist/echarts.min.js");
    echartsSource = readFileSync(file, "utf8").replace(/<\/script/gi, "<\\/script");
  }
  return echartsSource;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside <script>: no `<` can open or close a tag. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/** Inline scripts and styles only: the page cannot fetch anything, so it is the same offline. */
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
body { font-family: sans-serif; margin: 24px auto; max-width: 1200px; color: #222; }
h1 { margin-bottom: 4px; } .sub { color: #666; margin-top: 0; }
pre.summary { background: #f6f6f6; padding: 12px; font-size: 13px; overflow-x: auto; }
.chart { width: 100%; height: 420px; } .chart.small { height: 300px; }
.row { display: flex; gap: 24px; } .row > section { flex: 1; min-width: 0; }
`;

export function toReportHtml(record: BacktestRecord): string {
  const { meta } = record;
  const metrics = computeMetrics(record);
  const data = chartData(record, metrics);
  const window = `${isoNs(meta.startNs)} .. ${isoNs(meta.endNs)}`;
  const subtitle = `${meta.source} · ${window} · seed ${meta.seed} · config ${meta.configHash}`;
  const priceCharts = data.laggers
    .map((l, i) => `<h3>${escapeHtml(l.symbol)}</h3>\n<div class="chart" id="chart-price-${i}"></div>`)
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backtest report: ${escapeHtml(window)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Backtest report</h1>
<p class="sub">${escapeHtml(subtitle)}</p>
<pre class="summary">${escapeHtml(formatSummary(record, metrics))}</pre>
<section><h2>Equity and drawdown</h2><div class="chart" id="chart-equity"></div></section>
<section><h2>Traded laggers: mid price, entries and exits</h2>
${priceCharts || "<p>No trades.</p>"}
</section>
<section><h2>Decisions: rho* and tau* of the passing scans, by outcome</h2>
<div class="chart" id="chart-scans"></div></section>
<div class="row">
<section><h2>Net PnL by exit reason</h2><div class="chart small" id="chart-exits"></div></section>
<section><h2>Net PnL by hour of exit (UTC)</h2><div class="chart small" id="chart-hours"></div></section>
</div>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${echarts()}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
