import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fromRoot } from "../../src/runtime/paths.js";
import { freePort } from "../fixtures/ports.js";
import { instrumentNamed, parseSymbolRules } from "../../src/model/instruments.js";
import { priceText, roundToLot } from "../../src/model/rounding.js";
import { spedUpMarketYaml, spedUpStrategyYaml } from "../fixtures/sped-up-demo.js";
import { runDaemon } from "../fixtures/daemon-process.js";

const UNIVERSE = ["BTC-USDT-PERP", "ETH-USDT-PERP", "SOL-USDT-PERP"];

/**
 * A seeded synthetic market where ETH and SOL follow BTC 1.5 s and 1.0 s later, and a strategy tuned to
 * warm up in seconds (1 s ATR bars, a 60 s HY window, a 15 s time limit), run on threads in real time.
 */
function tradingConfig(dir: string, ports: { trades: number; books: number; health: number }): string {
  return `
mode: live
runtime:
  account_id: e2e-${process.pid}-${Date.now()}
  # The real PostgreSQL: the embedded PGlite takes seconds to open, and orders wait for the journal.
  database_url: ${process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test"}
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")} }
  control: { fault_injection: true }
${spedUpMarketYaml(ports)}
execution: { provider: paper, mode: paper }
initial_balance: { USDT: 100000 }
${spedUpStrategyYaml({ name: "e2e", dir })}
observability:
  logging: { level: info }
  health_server: { host: 127.0.0.1, port: ${ports.health} }
`;
}

async function metricSum(
  port: number,
  name: string,
  filter: (labels: string) => boolean = () => true,
): Promise<number> {
  return sumOf(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), name, filter);
}

function sumOf(text: string, name: string, filter: (labels: string) => boolean = () => true): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    const m = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (m && filter(m[1])) sum += Number(m[2]);
  }
  return sum;
}

describe("daemon trading the synthetic lead-lag market", () => {
  it("trades the laggers in the leader's direction, closes every position by SL, TP or time limit, and stays in " +
    "its universe; a strategy crashed with a position open adopts and closes it", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-trading-"));
    const ports = { trades: await freePort(), books: await freePort(), health: await freePort() };
    const configPath = path.join(dir, "config.yaml");
    writeFileSync(configPath, tradingConfig(dir, ports));
    const { child, exited, output } = runDaemon(configPath);
    try {
      const deadline = Date.now() + 150_000;
      let entries = 0;
      let exits = 0;
      let crashed = false;
      for (;;) {
        await new Promise((r) => setTimeout(r, 1000));
        if (Date.now() > deadline) break;
        try {
          entries = await metricSum(ports.health, "leadlag_decisions_total", (l) => l.includes('outcome="entered"'));
          exits = await metricSum(ports.health, "leadlag_exits_total");
          if (!crashed && entries > exits) {
            // A position is open (or its entry in flight): the restarted strategy must take it over.
            crashed =
              (await fetch(`http://127.0.0.1:${ports.health}/control/actors/strategy/crash`, { method: "POST" }))
                .status === 202;
          }
        } catch {
          continue;
        }
        if (entries >= 4 && exits >= entries) break;
      }
      const orders = (await (await fetch(`http://127.0.0.1:${ports.health}/orders?state=all`)).json()) as {
        orders: { symbol: string; role: string; price: number; size: number }[];
      };
      const positions = (await (await fetch(`http://127.0.0.1:${ports.health}/positions`)).json()) as {
        positions: { symbol: string; qty: number }[];
      };

      const outcomes = readFileSync(path.join(dir, "decisions.csv"), "utf8")
        .split("\n")
        .slice(1)
        .map((r) => r.split(",")[13])
        .filter(Boolean);
      const counts = new Map<string, number>();
      for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
      const tally = [...counts].map(([k, v]) => `${k}=${v}`).join(" ");
      expect(entries, `entries (decision outcomes: ${tally})`).toBeGreaterThanOrEqual(4);
      expect(exits, "every entry exited").toBe(entries);
      for (const p of positions.positions) expect(Math.abs(p.qty), `${p.symbol} flat`).toBeLessThan(1e-9);
      expect(orders.orders.length).toBeGreaterThan(0);
      for (const o of orders.orders) expect(UNIVERSE).toContain(o.symbol);
      // Every order passed the venue's rules: a price on its grid (tick, 5 significant figures, 6 − szDecimals
      // decimals), a size of whole lots.
      const registry = parseSymbolRules(readFileSync(fromRoot("configs/symbol_rules.csv"), "utf8"));
      for (const o of orders.orders) {
        const inst = instrumentNamed(registry, o.symbol)!;
        expect(priceText(o.price, inst.priceRules), `${o.role} ${o.symbol} at ${o.price}`).toBeDefined();
        expect(roundToLot(o.size, inst.lotSize), `${o.symbol} size ${o.size}`).toBe(o.size);
      }

      expect(crashed, "the strategy was crashed with a position open").toBe(true);
      expect(
        await metricSum(ports.health, "leadlag_positions_adopted_total"),
        "positions adopted after the crash",
      ).toBeGreaterThanOrEqual(1);
      // The demo market says what it is when it starts: its profit is no evidence of an edge.
      expect(output()).toMatch(/"preset":"demo".*synthetic market: preset demo .*not that the strategy has an edge/);
      const closes = [...output().matchAll(/"closedBy":"(\w+)"/g)].map((m) => m[1]);
      expect(closes.length).toBe(entries);
      for (const c of closes) expect(["sl", "tp", "time_limit"]).toContain(c);

      const rows = readFileSync(path.join(dir, "decisions.csv"), "utf8").trim().split("\n");
      const header = rows[0].split(",");
      const col = (name: string) => header.indexOf(name);
      const entered = rows
        .slice(1)
        .map((r) => r.split(","))
        .filter((r) => r[col("outcome")] === "entered");
      expect(entered.length).toBe(entries);
      for (const r of entered) expect(["ETH-USDT-PERP", "SOL-USDT-PERP", "BTC-USDT-PERP"]).toContain(r[col("lagger")]);
      // Every decision on a scan is timed once, whether its results were pushed before or after the jump reached the
      // strategy; none stopped before a scan is.
      const metrics = await (await fetch(`http://127.0.0.1:${ports.health}/metrics`)).text();
      const scanned = sumOf(
        metrics,
        "leadlag_decisions_total",
        (l) => !l.includes('gate="systematic_jump"') && !l.includes('gate="not_leader"'),
      );
      expect(scanned).toBeGreaterThanOrEqual(entries);
      expect(sumOf(metrics, "leadlag_decision_latency_seconds_count")).toBe(scanned);
      const withLeader = entered.filter((r) => Number(r[col("jump_bps")]) > 0 === (r[col("side")] === "buy")).length;
      expect(withLeader / entered.length, "share of entries in the leader's direction").toBeGreaterThan(0.7);
    } finally {
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }
  }, 200_000);
});
