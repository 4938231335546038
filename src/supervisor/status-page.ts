/**
 * The live status page (`GET /`): one self-contained HTML document, its style and script inline, that
 * polls `/status.json` each second. Nothing is fetched from elsewhere, and the Content-Security-Policy
 * says so: only this script and style (by hash) run, and the only request allowed is to this server.
 * Values go into the page as text (`textContent`), never as markup.
 */
import { createHash } from "node:crypto";

const POLL_MS = 1000;

const STYLE = `
body{font:13px/1.4 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{display:flex;gap:16px;align-items:center;padding:10px 16px;background:#1d2330;color:#fff}
header h1{font-size:16px;margin:0}
.badge{padding:2px 8px;border-radius:10px;font-weight:600;background:#666}
.healthy,.ready,.running,.ACTIVE,.entered{background:#1f8a4c;color:#fff}
.degraded,.REDUCING,.restarting,.starting{background:#c98a00;color:#fff}
.unhealthy,.down,.HALTED,.failed,.stopped{background:#b3261e;color:#fff}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:12px;padding:12px}
section{background:#fff;border-radius:6px;padding:8px 12px;box-shadow:0 1px 2px #0002;overflow:auto}
h2{font-size:13px;margin:4px 0 8px;text-transform:uppercase;letter-spacing:.04em;color:#55607a}
table{border-collapse:collapse;width:100%}
td,th{padding:2px 4px;text-align:left;border-bottom:1px solid #eef0f3;white-space:nowrap}
th{color:#55607a;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.pos{color:#1f8a4c}.neg{color:#b3261e}
.empty{color:#8a93a6;font-style:italic}
#error{color:#b3261e}
.wide{grid-column:1/-1}
`;

const SCRIPT = `
"use strict";
const $ = (id) => document.getElementById(id);
const fmt = (x, d) => (x === null || x === undefined || Number.isNaN(x) ? "–" : Number(x).toFixed(d));
const money = (x) => fmt(x, 2);
function cell(row, value, cls) {
  const td = document.createElement("td");
  td.textContent = value === null || value === undefined ? "–" : String(value);
  if (cls) td.className = cls;
  row.appendChild(td);
}
function badge(row, value) {
  const td = document.createElement("td");
  const span = document.createElement("span");
  span.className = "badge " + value;
  span.textContent = value;
  td.appendChild(span);
  row.appendChild(td);
}
function signed(x) { return "n " + (x > 0 ? "pos" : x < 0 ? "neg" : ""); }
function table(id, headers, rows, fill) {
  const t = $(id);
  t.replaceChildren();
  const head = document.createElement("tr");
  for (const h of headers) { const th = document.createElement("th"); th.textContent = h; head.appendChild(th); }
  t.appendChild(head);
  if (rows.length === 0) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = headers.length; td.className = "empty"; td.textContent = "none";
    tr.appendChild(td); t.appendChild(tr);
  }
  for (const r of rows) { const tr = document.createElement("tr"); fill(tr, r); t.appendChild(tr); }
}
function pairs(id, obj, digits) {
  const rows = Object.entries(obj).sort((a, b) => b[1] - a[1]);
  table(id, ["", "count"], rows, (tr, [k, v]) => { cell(tr, k || "(none)"); cell(tr, fmt(v, digits), "n"); });
}
function render(s) {
  const h = $("health");
  h.textContent = s.health.status; h.className = "badge " + s.health.status;
  for (const [name, state] of Object.entries(s.health.subsystems)) {
    const el = $("sub-" + name);
    if (el) { el.textContent = name + ": " + state; el.className = "badge " + state; }
  }
  $("reasons").textContent = s.health.reasons.join(" · ");
  $("uptime").textContent = "up " + fmt(s.uptime_s, 0) + " s · " + new Date(s.generated_at).toLocaleTimeString();
  table("actors", ["actor", "thread", "state", "restarts"], s.actors, (tr, a) => {
    cell(tr, a.name); cell(tr, a.thread); badge(tr, a.state); cell(tr, a.restarts, "n");
  });
  table("positions", ["symbol", "qty", "avg price", "unrealized", "realized", "fees"], s.positions, (tr, p) => {
    cell(tr, p.symbol); cell(tr, p.qty, "n"); cell(tr, p.avg_price, "n");
    cell(tr, money(p.unrealized_pnl), signed(p.unrealized_pnl)); cell(tr, money(p.realized_pnl), signed(p.realized_pnl));
    cell(tr, money(p.fees), "n");
  });
  table("orders", ["symbol", "side", "type", "role", "price", "size", "filled", "status"], s.open_orders, (tr, o) => {
    cell(tr, o.symbol); cell(tr, o.side); cell(tr, o.type); cell(tr, o.role); cell(tr, o.price, "n");
    cell(tr, o.size, "n"); cell(tr, o.filled, "n"); cell(tr, o.status);
  });
  pairs("order-states", s.orders_by_status, 0);
  const p = s.pnl;
  table("pnl", ["realized", "unrealized", "fees", "net", "equity", "breaker"], [p], (tr) => {
    const net = p.realized_usd + p.unrealized_usd;
    cell(tr, money(p.realized_usd), signed(p.realized_usd)); cell(tr, money(p.unrealized_usd), signed(p.unrealized_usd));
    cell(tr, money(p.fees_usd), "n"); cell(tr, money(net), signed(net)); cell(tr, money(p.equity_usd), "n");
    if (s.breaker) badge(tr, s.breaker.state); else cell(tr, "–");
  });
  table("decisions", ["time", "leader", "lagger", "jump bps", "outcome", "side", "size", "why"], s.decisions, (tr, d) => {
    cell(tr, new Date(d.at).toLocaleTimeString()); cell(tr, d.leader); cell(tr, d.lagger); cell(tr, fmt(d.jump_bps, 1), "n");
    badge(tr, d.outcome); cell(tr, d.side); cell(tr, d.size || "", "n"); cell(tr, d.reason);
  });
  pairs("gates", s.decisions_by_gate, 0);
  pairs("jumps", s.jumps, 0);
  pairs("exits", s.exits_by_cause, 0);
  const l = s.decision_latency;
  table("latency", ["decisions timed", "mean ms", "p50 ≤ ms", "p99 ≤ ms"], [l], (tr) => {
    cell(tr, l.count, "n"); cell(tr, fmt(l.mean_s === null ? null : l.mean_s * 1000, 3), "n");
    cell(tr, fmt(l.p50_le_s === null ? null : l.p50_le_s * 1000, 3), "n");
    cell(tr, fmt(l.p99_le_s === null ? null : l.p99_le_s * 1000, 3), "n");
  });
  table("market", ["symbol", "age s", "stale"], s.market_data, (tr, m) => {
    cell(tr, m.symbol); cell(tr, fmt(m.age_s, 2), "n"); cell(tr, m.stale ? "stale" : "fresh");
  });
}
let updates = 0;
async function poll() {
  try {
    const res = await fetch("status.json", { cache: "no-store" });
    if (!res.ok) throw new Error("status.json answered " + res.status);
    render(await res.json());
    $("error").textContent = "";
    document.body.dataset.updates = String(++updates);
  } catch (err) {
    $("error").textContent = "no answer from the daemon (" + err.message + "); retrying";
  }
  setTimeout(poll, ${POLL_MS});
}
poll();
`;

const BODY = `
<header><h1>leadlag</h1><span id="health" class="badge">…</span>
<span id="sub-market_data" class="badge">market_data</span><span id="sub-execution" class="badge">execution</span>
<span id="sub-strategies" class="badge">strategies</span><span id="uptime"></span><span id="reasons"></span>
<span id="error"></span></header>
<main>
<section><h2>Positions</h2><table id="positions"></table></section>
<section><h2>PnL and fees (USD)</h2><table id="pnl"></table></section>
<section><h2>Open orders</h2><table id="orders"></table><h2>Orders by state</h2><table id="order-states"></table></section>
<section><h2>Actors and restarts</h2><table id="actors"></table></section>
<section class="wide"><h2>Last decisions and the gate that stopped each</h2><table id="decisions"></table></section>
<section><h2>Decisions by gate</h2><table id="gates"></table></section>
<section><h2>Jumps</h2><table id="jumps"></table><h2>Exits</h2><table id="exits"></table></section>
<section><h2>Decision latency (jump → decision)</h2><table id="latency"></table>
<h2>Market data</h2><table id="market"></table></section>
</main>`;

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/** Only the page's own script and style run; requests go to this server alone; no frames, forms or base. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src data:", // the empty icon, so the browser asks for no /favicon.ico
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>leadlag status</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,">
<style>${STYLE}</style></head>
<body>${BODY}
<script>${SCRIPT}</script>
</body></html>
`;
