import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DECISION_CSV_HEADER, decisionCsvRow } from "../../src/actors/strategy/decision-csv.js";
import type { DecisionRecord } from "../../src/actors/strategy/records.js";
import { readDecisions } from "../../src/supervisor/shadows/decisions-csv.js";
import { splitCsvLine } from "../../src/model/csv-line.js";
import { sideBySide } from "../../src/supervisor/shadows/report.js";
import { calibrate } from "../../src/supervisor/shadows/calibration.js";
import { EquityCurve } from "../../src/supervisor/shadows/equity.js";
import type { OrdersStatus } from "../../src/protocol/status.js";

function record(over: Partial<DecisionRecord>): DecisionRecord {
  return {
    tsNs: 2_000_000_000n,
    requestId: 1,
    leader: "BTC-USDT-PERP",
    lagger: "ETH-USDT-PERP",
    jumpTsNs: 1_000_000_000n,
    jumpBps: 50,
    tauStarS: 1.5,
    rhoStar: 0.8,
    lls: 2,
    passingScans: 2,
    strength: 1.2,
    expectedMoveBps: 20,
    expectedMoveSource: "prior",
    outcome: "entered",
    reason: "",
    side: "buy",
    size: 0.1,
    notionalUsd: 310,
    intentId: "i-1",
    ...over,
  } as DecisionRecord;
}

function csv(dir: string, name: string, records: DecisionRecord[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, [DECISION_CSV_HEADER, ...records.map(decisionCsvRow)].join("\n") + "\n");
  return file;
}

describe("shadow report: live and shadow decisions side by side", () => {
  it("reads the strategy's decision CSV back, quoted reasons included, from the attach time on", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-shadow-report-"));
    const file = csv(dir, "d.csv", [
      record({ jumpTsNs: 5n }),
      record({ outcome: "hazard_window", reason: 'last entry 3 s ago, "hazard" < 5', side: "", size: 0 }),
    ]);
    const rows = readDecisions(file, 10n);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: "hazard_window", reason: 'last entry 3 s ago, "hazard" < 5', size: 0 });
    expect(readDecisions(path.join(dir, "absent.csv"), 0n)).toEqual([]);
    expect(splitCsvLine('a,"b,""c""",d')).toEqual(["a", 'b,"c"', "d"]);
  });

  it("pairs the decisions of one jump and lagger, and says where they disagree", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-shadow-report-"));
    const live = readDecisions(
      csv(dir, "live.csv", [
        record({}),
        record({ lagger: "SOL-USDT-PERP", outcome: "fee_gate", reason: "edge", side: "", size: 0 }),
        record({ jumpTsNs: 3_000_000_000n, lagger: "SOL-USDT-PERP" }),
      ]),
      0n,
    );
    const shadow = readDecisions(
      csv(dir, "shadow.csv", [
        record({ size: 0.05 }),
        record({ lagger: "SOL-USDT-PERP", side: "buy" }),
        record({ jumpTsNs: 4_000_000_000n }),
      ]),
      0n,
    );
    const rows = sideBySide(live, shadow);
    expect(
      rows.map((r) => [r.jump_ts_ns, r.lagger, r.agree, r.live?.outcome ?? null, r.shadow?.outcome ?? null]),
    ).toEqual([
      ["1000000000", "ETH-USDT-PERP", true, "entered", "entered"],
      ["1000000000", "SOL-USDT-PERP", false, "fee_gate", "entered"],
      ["3000000000", "SOL-USDT-PERP", false, "entered", null],
      ["4000000000", "ETH-USDT-PERP", false, null, "entered"],
    ]);
    expect(rows[0].shadow?.size).toBe(0.05);
    expect(rows[1].live?.reason).toBe("edge");
  });
});

describe("mirror calibration: live orders beside the simulated fills of the same decisions", () => {
  const order = (over: Partial<OrdersStatus["orders"][number]>): OrdersStatus["orders"][number] => ({
    cl_id: "c",
    strategy: "s",
    intent_id: "s-1000000000000-1",
    symbol: "ETH-USDT-PERP",
    side: "buy",
    type: "limit",
    tif: "ioc",
    role: "entry",
    price: 3000,
    size: 1,
    status: "filled",
    open: false,
    filled: 1,
    avg_fill_price: 3000,
    exchange_order_id: "1",
    reason: "",
    ...over,
  });

  it("pairs by role, symbol, side and decision time, and signs the price difference against the simulator", () => {
    const live = [
      order({}),
      order({ intent_id: "s-1000000000000-1-x2", role: "exit", side: "sell", avg_fill_price: 3010 }),
      order({ intent_id: "s-5000000000000-3", symbol: "SOL-USDT-PERP" }),
      order({ intent_id: "s-9000000000000-4", open: true, status: "accepted", filled: 0 }),
    ];
    const mirror = [
      order({ intent_id: "s-1000004000000-1", avg_fill_price: 3003, size: 1, filled: 0.5 }),
      order({ intent_id: "s-1000004000000-1-x2", role: "exit", side: "sell", avg_fill_price: 3007 }),
      order({ intent_id: "s-5900000000000-2", symbol: "SOL-USDT-PERP" }),
    ];
    const c = calibrate(live, mirror);
    expect(c.pairs.map((p) => [p.role, p.side, round(p.price_diff_bps)])).toEqual([
      ["entry", "buy", 10],
      ["exit", "sell", round((3 / 3010) * 1e4)],
    ]);
    expect(c.unmatched_live).toBe(1);
    expect(c.fill_ratio_live).toBe(1);
    expect(c.fill_ratio_simulated).toBe(0.75);
    // Orders from a status without times: no time to fill, not a zero.
    expect(c.pairs[0].live.first_fill_after_ms).toBeNull();
    expect(c.time_to_first_fill_ms).toEqual({ live: null, simulated: null });
  });

  it("gives the median and p90 time to first and last fill, live against simulated, over the filled pairs", () => {
    const live: OrdersStatus["orders"][number][] = [];
    const mirror: OrdersStatus["orders"][number][] = [];
    // Live first fills 10..100 ms (last +5), simulated 2 ms each (last the same): the simulator is too fast.
    for (let i = 1; i <= 10; i++) {
      const intent = `s-${1000 + i}000000000-${i}`;
      live.push(
        order({ intent_id: intent, placed_ms: 1e12, first_fill_after_ms: 10 * i, last_fill_after_ms: 10 * i + 5 }),
      );
      mirror.push(order({ intent_id: intent, placed_ms: 1e12, first_fill_after_ms: 2, last_fill_after_ms: 2 }));
    }
    // An unfilled live IOC beside a simulated fill: counted on the simulated side only.
    const unfilledIntent = "s-2000000000000-11";
    live.push(order({ intent_id: unfilledIntent, status: "canceled", filled: 0, avg_fill_price: 0, placed_ms: 1e12 }));
    mirror.push(order({ intent_id: unfilledIntent, placed_ms: 1e12, first_fill_after_ms: 3, last_fill_after_ms: 3 }));
    const c = calibrate(live, mirror);
    expect(c.pairs).toHaveLength(11);
    expect(c.pairs[0].live).toMatchObject({ first_fill_after_ms: 10, last_fill_after_ms: 15 });
    expect(c.pairs[10].live.first_fill_after_ms).toBeNull();
    expect(c.time_to_first_fill_ms).toEqual({
      live: { n: 10, median: 50, p90: 90 },
      simulated: { n: 11, median: 2, p90: 2 }, // nearest rank: the 10th of 11 values
    });
    expect(c.time_to_last_fill_ms.live).toEqual({ n: 10, median: 55, p90: 95 });
    expect(c.fill_ratio_live).toBeCloseTo(10 / 11, 12);
  });
});

function round(x: number | null): number | null {
  return x === null ? null : Math.round(x * 1000) / 1000;
}

describe("equity curve: live and shadow PnL since the attach", () => {
  it("takes the strategy's PnL samples, at most a point a second, live from its value at the attach, thinned past 2000", () => {
    let live = 100;
    const curve = new EquityCurve("shadow-x-strategy", () => live);
    const pnl = (realized: number, unrealized: number, actor = "shadow-x-strategy") => [
      { kind: "gauge" as const, name: "realized_pnl_usd", labels: { actor }, value: realized },
      { kind: "gauge" as const, name: "unrealized_pnl_usd", labels: { actor }, value: unrealized },
    ];
    curve.note(pnl(1, 0.5), 0);
    live = 103;
    curve.note(pnl(2, 0), 500);
    curve.note([...pnl(9, 9, "shadow-x-risk"), ...pnl(2, -1)], 1000);
    expect(curve.series).toEqual([
      { t_ms: 0, live_usd: 0, shadow_usd: 1.5 },
      { t_ms: 1000, live_usd: 3, shadow_usd: 1 },
    ]);
    for (let t = 2000; t <= 2_000_000; t += 1000) curve.note([], t);
    expect(curve.series.length).toBeLessThanOrEqual(2000);
    expect(curve.series[0].t_ms).toBe(0);
    expect(curve.series.at(-1)!.t_ms).toBeGreaterThan(1_990_000);
  });
});
