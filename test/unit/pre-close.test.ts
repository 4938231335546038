import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { leftOpen, preClose } from "../../src/supervisor/pre-close.js";
import type { OrdersStatus } from "../../src/protocol/status.js";

const log = pino({ level: "silent" });
const isPerp = (symbol: string) => symbol.endsWith("-PERP");

function status(orders: { cl_id: string; open: boolean; status: string }[], positions: [string, number][]) {
  return {
    positions: positions.map(([symbol, qty]) => ({
      ...{ symbol, qty, avg_price: 100 },
      ...{ realized_pnl: 0, unrealized_pnl: 0, fees: 0 },
    })),
    orders: orders.map((o) => ({ ...o, symbol: "ETH-USDT-PERP" })),
    balances: [],
    health: { status: "ok", reasons: [] },
  } as unknown as OrdersStatus;
}

describe("pre-close", () => {
  it("counts every open order, and perp positions only when flattening", () => {
    const s = status(
      [
        { cl_id: "a", open: true, status: "unknown" },
        { cl_id: "b", open: false, status: "filled" },
      ],
      [
        ["ETH-USDT-PERP", 0.5],
        ["BTC-USDT-PERP", 1e-12],
        ["ETH-USDT", 2],
      ],
    );
    expect(leftOpen(s, { flatten: true, isPerp })).toEqual({
      orders: [{ clId: "a", symbol: "ETH-USDT-PERP", status: "unknown" }],
      positions: [{ symbol: "ETH-USDT-PERP", qty: 0.5 }],
    });
    expect(leftOpen(s, { flatten: false, isPerp }).positions).toEqual([]);
  });

  it("sends stop-entries, cancel-all and flatten to risk, then waits for the order manager to show it done", async () => {
    const sent: string[] = [];
    let current = status([{ cl_id: "a", open: true, status: "accepted" }], [["ETH-USDT-PERP", 0.5]]);
    const supervisor = {
      commandActor: (actor: string, command: string) => sent.push(`${actor}:${command}`) > 0,
      actorStatus: () => current,
    };
    setTimeout(() => (current = status([{ cl_id: "a", open: false, status: "canceled" }], [])), 100);
    const outcome = await preClose(supervisor, { flatten: true, timeoutMs: 5000, isPerp, pollMs: 10 }, log);
    expect(sent).toEqual(["risk:stop-entries", "risk:cancel-all", "risk:flatten"]);
    expect(outcome).toMatchObject({ complete: true, orders: [], positions: [] });
    expect(outcome.elapsedMs).toBeLessThan(5000);
  });

  it("past the deadline reports what stayed open", async () => {
    const open = status([{ cl_id: "a", open: true, status: "unknown" }], [["ETH-USDT-PERP", -0.2]]);
    const supervisor = { commandActor: () => true, actorStatus: () => open };
    const outcome = await preClose(supervisor, { flatten: true, timeoutMs: 400, isPerp, pollMs: 10 }, log);
    expect(outcome).toMatchObject({
      complete: false,
      orders: [{ clId: "a", status: "unknown" }],
      positions: [{ symbol: "ETH-USDT-PERP", qty: -0.2 }],
    });
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(400);
  });
});
