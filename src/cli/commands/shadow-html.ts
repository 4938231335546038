/**
 * `leadlag shadow report NAME --html F`: the report as one self-contained page, viewable offline (as the
 * backtest's: ECharts inlined, a Content-Security-Policy that forbids every fetch): the summary, live and
 * shadow equity on one plot, and the live and shadow decisions side by side.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

interface Side {
  outcome: string;
  reason: string;
  side: string;
  size: number;
}

export interface ShadowReportView {
  shadow: { name: string; state: string; source: string; attachedAt: string };
  summary: Record<string, number>;
  divergence: {
    leader: string;
    lagger: string;
    jump_ts_ns: string;
    live: Side | null;
    shadow: Side | null;
    agree: boolean;
  }[];
  equity: { t_ms: number; live_usd: number; shadow_usd: number }[];
}

/** Rows of the decision table at most (the newest): the JSON report has them all. */
const MAX_ROWS = 500;

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

function echarts(): string {
  const file = createRequire(import.meta.url).resolve("echarts/dist/echarts.min.js");
  return readFileSync(file, "utf8").replace(/<\/script/gi, "<\\/script");
}

const side = (s: Side | null) =>
  s === null ? "—" : s.outcome === "entered" ? `entered ${s.side} ${s.size}` : `${s.outcome}`;

const CLIENT = `
const data = JSON.parse(document.getElementById("report-data").textContent);
const chart = echarts.init(document.getElementById("chart-equity"));
chart.setOption({
  tooltip: { trigger: "axis" },
  legend: { data: ["live", "shadow"] },
  xAxis: { type: "time" },
  yAxis: { type: "value", name: "USD since attach" },
  series: [
    { name: "live", type: "line", showSymbol: false, data: data.map((p) => [p.t_ms, p.live_usd]) },
    { name: "shadow", type: "line", showSymbol: false, data: data.map((p) => [p.t_ms, p.shadow_usd]) },
  ],
});
`;

export function shadowReportHtml(report: ShadowReportView): string {
  const { shadow, summary } = report;
  const rows = report.divergence
    .slice(-MAX_ROWS)
    .map((d) => {
      const cells = [
        new Date(Number(BigInt(d.jump_ts_ns) / 1_000_000n)).toISOString(),
        d.leader,
        d.lagger,
        side(d.live),
        side(d.shadow),
        d.agree ? "" : "≠",
      ];
      return `<tr${d.agree ? "" : ' class="differ"'}>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`;
    })
    .join("\n");
  const summaryText = Object.entries(summary)
    .map(([k, v]) => `${k.padEnd(20)} ${Number.isInteger(v) ? v : v.toFixed(2)}`)
    .join("\n");
  const title = `Shadow ${shadow.name} (${shadow.state}, ${shadow.source}) since ${shadow.attachedAt}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: sans-serif; margin: 24px auto; max-width: 1200px; color: #222; }
pre { background: #f6f6f6; padding: 12px; font-size: 13px; }
#chart-equity { width: 100%; height: 420px; }
table { border-collapse: collapse; font-size: 13px; } td { padding: 2px 8px; border-bottom: 1px solid #eee; }
tr.differ { background: #fff4e0; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<pre>${escapeHtml(summaryText)}</pre>
<section><h2>Equity since the attach: live and shadow</h2><div id="chart-equity"></div></section>
<section><h2>Decisions per leader jump (newest ${MAX_ROWS} at most)</h2>
<table><thead><tr><th>jump</th><th>leader</th><th>lagger</th><th>live</th><th>shadow</th><th></th></tr></thead>
<tbody>
${rows}
</tbody></table></section>
<script type="application/json" id="report-data">${scriptJson(report.equity)}</script>
<script>${echarts()}</script>
<script>${CLIENT}</script>
</body>
</html>
`;
}
