import { describe, expect, it } from "vitest";
import {
  EXECUTOR_TRANSITIONS,
  nextExecutorState,
  PositionExecutor,
  type ExecutorState,
  type ExecutorTrigger,
} from "../../src/actors/strategy/executor.js";
import type { ProposeOrder } from "../../src/protocol/orders.js";
import {
  book,
  booksAt,
  BTC,
  ETH,
  jumpAndAnswer,
  MS,
  orderStatus,
  position,
  S,
  scan,
  strategyHarness,
  T0,
  type Harness,
} from "../fixtures/strategy.js";

const STRONG = [scan(ETH.id, "trade", 0.8), scan(ETH.id, "mid", 0.7)];
const STATES: ExecutorState[] = ["entry_pending", "open", "exit_pending", "closed", "failed"];
const TRIGGERS: ExecutorTrigger[] = [
  "entry_filled",
  "entry_failed",
  "exit_sent",
  "exit_filled",
  "exit_incomplete",
  "position_gone",
];

/** Static brackets: SL 20 bps, TP 30 bps, time limit 60 s; enters long ETH (0.16 at ~3000). */
function enteredLong(over: Record<string, unknown> = {}): { h: Harness; entry: ProposeOrder } {
  const h = strategyHarness({ stop_loss_bps: 20, take_profit_bps: 30, time_limit_seconds: 60, ...over });
  booksAt(h, T0);
  const [entry] = jumpAndAnswer(h, T0, 50, STRONG);
  return { h, entry };
}

describe("position executor state table", () => {
  it("allows exactly the transitions in the table and nothing out of the terminal states", () => {
    for (const state of STATES) {
      for (const trigger of TRIGGERS)
        expect(nextExecutorState(state, trigger)).toBe(EXECUTOR_TRANSITIONS[state][trigger] ?? null);
    }
    expect(Object.keys(EXECUTOR_TRANSITIONS.closed)).toEqual([]);
    expect(Object.keys(EXECUTOR_TRANSITIONS.failed)).toEqual([]);
  });

  it("reports an illegal transition instead of applying it", () => {
    const executor = new PositionExecutor({
      intentId: "i",
      side: "buy",
      brackets: { slBps: null, tpBps: null },
      timeLimitNs: 0n,
      exitRetryNs: 0n,
      takerFeeBps: 5,
    });
    expect(executor.beginExit("sl", "x")).toEqual({ ok: false, state: "entry_pending", trigger: "exit_sent" });
    expect(executor.state).toBe("entry_pending");
  });
});

describe("position executor through the strategy core", () => {
  it("proposes the entry as a banded limit IOC of 0.16 ETH", () => {
    const { entry } = enteredLong();
    expect(entry).toMatchObject({
      symbol: ETH.symbol,
      side: "buy",
      orderType: "limit",
      tif: "IOC",
      size: 0.16,
      reduceOnly: false,
      role: "entry",
    });
    expect(entry.price).toBeCloseTo(3004.5, 9); // mid 3000 + 15 bps, on the 0.01 tick
  });

  it("closes by stop-loss with a reduce-only exit of the filled quantity", () => {
    const { h, entry } = enteredLong();
    h.core.onOrderStatus(orderStatus(entry, "filled", 0.16, 3000, T0 + MS), T0 + MS);
    expect(h.core.onBook(book(ETH.id, T0 + S, 2995), T0 + S)).toEqual([]); // −16.7 bps: inside the stop
    const [exit] = h.core.onBook(book(ETH.id, T0 + 2n * S, 2993.5), T0 + 2n * S); // −21.7 bps
    expect(exit).toMatchObject({
      side: "sell",
      size: 0.16,
      reduceOnly: true,
      role: "sl",
      orderType: "market",
      tif: "IOC",
    });
    h.core.onOrderStatus(orderStatus(exit, "filled", 0.16, 2993, T0 + 3n * S), T0 + 3n * S);
    expect(h.port.closed).toHaveLength(1);
    expect(h.port.closed[0]).toMatchObject({ closedBy: "sl", qty: 0.16, entryPrice: 3000, exitPrice: 2993 });
    expect(h.port.closed[0].realizedPnl).toBeCloseTo(-1.12, 9);
    expect(h.port.closed[0].estimatedFees).toBeCloseTo((5 / 1e4) * (480 + 478.88), 9);
    expect(h.core.openPositions).toBe(0);
  });

  it("closes by take-profit", () => {
    const { h, entry } = enteredLong();
    h.core.onOrderStatus(orderStatus(entry, "filled", 0.16, 3000, T0 + MS), T0 + MS);
    const [exit] = h.core.onBook(book(ETH.id, T0 + S, 3010), T0 + S); // +33 bps
    expect(exit).toMatchObject({ role: "tp", side: "sell", size: 0.16 });
    h.core.onOrderStatus(orderStatus(exit, "filled", 0.16, 3009.5, T0 + 2n * S), T0 + 2n * S);
    expect(h.port.closed[0]).toMatchObject({ closedBy: "tp" });
    expect(h.port.closed[0].realizedPnl).toBeCloseTo(0.16 * 9.5, 9);
  });

  it("closes a short by the time limit", () => {
    const h = strategyHarness({ stop_loss_bps: 20, take_profit_bps: 30, time_limit_seconds: 60 });
    booksAt(h, T0);
    const [entry] = jumpAndAnswer(h, T0, -50, STRONG);
    expect(entry.side).toBe("sell");
    h.core.onOrderStatus(orderStatus(entry, "filled", 0.16, 3000, T0), T0);
    expect(h.core.onTimer(T0 + 59n * S)).toEqual([]);
    booksAt(h, T0 + 60n * S);
    const [exit] = h.core.onTimer(T0 + 60n * S);
    expect(exit).toMatchObject({ role: "exit", side: "buy", size: 0.16, reduceOnly: true });
    h.core.onOrderStatus(orderStatus(exit, "filled", 0.16, 2990, T0 + 61n * S), T0 + 61n * S);
    expect(h.port.closed[0]).toMatchObject({ closedBy: "time_limit", side: "sell" });
    expect(h.port.closed[0].realizedPnl).toBeCloseTo(1.6, 9);
  });

  it("adopts a position no executor holds (a restart): brackets from its average price, then a time-limit exit", () => {
    const h = strategyHarness({ stop_loss_bps: 20, take_profit_bps: 30, time_limit_seconds: 60 });
    booksAt(h, T0);
    h.core.onPosition(position(ETH, -0.3, 3000), T0);
    expect(h.port.adopted).toMatchObject([{ symbol: ETH.symbol, qty: -0.3, avgPrice: 3000, slBps: 20, tpBps: 30 }]);
    expect(h.core.onBook(book(ETH.id, T0 + S, 3003), T0 + S)).toEqual([]); // 10 bps against a short: inside the stop
    booksAt(h, T0 + 60n * S);
    const [exit] = h.core.onTimer(T0 + 60n * S);
    expect(exit).toMatchObject({ role: "exit", side: "buy", size: 0.3, reduceOnly: true, symbol: ETH.symbol });
    h.core.onOrderStatus(orderStatus(exit, "filled", 0.3, 2995, T0 + 61n * S), T0 + 61n * S);
    expect(h.port.closed[0]).toMatchObject({ closedBy: "time_limit", side: "sell" });
    expect(h.port.closed[0].realizedPnl).toBeCloseTo(1.5, 9);
  });

  it("an entry gone unknown (no ack by its deadline) with nothing filled fails: the next jump enters", () => {
    const { h, entry } = enteredLong({ hazard_window_seconds: 0 });
    h.core.onOrderStatus(orderStatus(entry, "unknown", 0, 0, T0 + 3n * S), T0 + 3n * S);
    expect(h.core.executorStates()).toEqual({ entry_pending: 0, open: 0, exit_pending: 0 });
    booksAt(h, T0 + 4n * S);
    expect(jumpAndAnswer(h, T0 + 4n * S, 50, STRONG)).toHaveLength(1);
    expect(h.port.last.outcome).toBe("entered");
  });

  it("an unknown entry that filled opens with what filled; one filled after it failed is adopted", () => {
    const opened = enteredLong();
    opened.h.core.onOrderStatus(orderStatus(opened.entry, "unknown", 0.1, 3001, T0 + 3n * S), T0 + 3n * S);
    expect(opened.h.core.executorStates().open).toBe(1);

    const { h, entry } = enteredLong();
    h.core.onOrderStatus(orderStatus(entry, "unknown", 0, 0, T0 + 3n * S), T0 + 3n * S);
    h.core.onOrderStatus(orderStatus(entry, "filled", 0.16, 3002, T0 + 4n * S), T0 + 4n * S);
    h.core.onPosition(position(ETH, 0.16, 3002, T0 + 4n * S), T0 + 4n * S);
    expect(h.port.adopted).toMatchObject([{ symbol: ETH.symbol, qty: 0.16, avgPrice: 3002 }]);
    expect(h.core.executorStates().open).toBe(1);
  });

  it("adopts nothing while an executor of the symbol is live, nor dust below min notional", () => {
    const { h, entry } = enteredLong();
    h.core.onPosition(position(ETH, 0.16, 3000), T0 + MS); // the entry's fill, reported before its order status
    h.core.onOrderStatus(orderStatus(entry, "filled", 0.16, 3000, T0 + MS), T0 + MS);
    h.core.onPosition(position(BTC, 0.0001, 60000), T0 + MS); // 6 USD: dust
    expect(h.port.adopted).toEqual([]);
  });

  it("never closes by time when time_limit_seconds is 0", () => {
    const { h, entry } = enteredLong({ time_limit_seconds: 0 });
    h.core.onOrderStatus(orderStatus(entry, "filled", 0.16, 3000, T0), T0);
    booksAt(h, T0 + 100_000n * S);
    expect(h.core.onTimer(T0 + 100_000n * S)).toEqual([]);
  });

  it("exits only what the entry filled, and re-exits the remainder of a partial exit", () => {
    const { h, entry } = enteredLong();
    h.core.onOrderStatus(orderStatus(entry, "partially_filled", 0.1, 3000, T0 + MS), T0 + MS);
    h.core.onOrderStatus(orderStatus(entry, "canceled", 0.1, 3000, T0 + 2n * MS), T0 + 2n * MS);
    const [first] = h.core.onBook(book(ETH.id, T0 + S, 2990), T0 + S);
    expect(first).toMatchObject({ role: "sl", size: 0.1 });
    h.core.onOrderStatus(orderStatus(first, "partially_filled", 0.04, 2990, T0 + S + MS), T0 + S + MS);
    h.core.onOrderStatus(orderStatus(first, "canceled", 0.04, 2990, T0 + S + 2n * MS), T0 + S + 2n * MS);
    // Retry waits exitRetryNs (1 s) after the incomplete exit.
    expect(h.core.onBook(book(ETH.id, T0 + S + 500n * MS, 2990), T0 + S + 500n * MS)).toEqual([]);
    const [second] = h.core.onBook(book(ETH.id, T0 + 3n * S, 2990), T0 + 3n * S);
    expect(second).toMatchObject({ role: "sl", size: 0.06 });
    expect(second.intentId).not.toBe(first.intentId);
    h.core.onOrderStatus(orderStatus(second, "filled", 0.06, 2989, T0 + 3n * S + MS), T0 + 3n * S + MS);
    expect(h.port.closed[0].qty).toBeCloseTo(0.1, 12);
    expect(h.port.closed[0].realizedPnl).toBeCloseTo(0.04 * -10 + 0.06 * -11, 9);
  });

  it("ends without a position when the entry fills nothing or is denied", () => {
    const { h, entry } = enteredLong();
    h.core.onOrderStatus(orderStatus(entry, "canceled", 0, 0, T0 + MS), T0 + MS);
    expect(h.core.openPositions).toBe(0);

    const denied = enteredLong();
    denied.h.core.onOrderDenied(
      {
        type: "OrderDenied",
        strategy: "ll",
        intentId: denied.entry.intentId,
        symbol: ETH.symbol,
        rule: "PriceBand",
        reason: "x",
        tsNs: T0,
      },
      T0,
    );
    expect(denied.h.core.openPositions).toBe(0);
  });

  it("returns to open after a denied exit and tries again later", () => {
    const { h, entry } = enteredLong();
    h.core.onOrderStatus(orderStatus(entry, "filled", 0.16, 3000, T0), T0);
    const [exit] = h.core.onBook(book(ETH.id, T0 + S, 2990), T0 + S);
    h.core.onOrderDenied(
      {
        type: "OrderDenied",
        strategy: "ll",
        intentId: exit.intentId,
        symbol: ETH.symbol,
        rule: "RateLimit",
        reason: "x",
        tsNs: T0 + S,
      },
      T0 + S,
    );
    const [retry] = h.core.onBook(book(ETH.id, T0 + 2n * S, 2990), T0 + 2n * S);
    expect(retry).toMatchObject({ role: "sl", size: 0.16 });
  });

  it("a position risk flattened (halt or stop) closes its executor: no exits that could only be denied", () => {
    const { h, entry } = enteredLong();
    h.core.onOrderStatus(orderStatus(entry, "filled", 0.16, 3000, T0), T0);
    h.core.onPosition(position(ETH, 0.16, 3000, T0), T0);
    expect(h.core.openPositions).toBe(1);
    h.core.onPosition(position(ETH, 0, 0, T0 + S), T0 + S);
    expect(h.port.closed).toMatchObject([{ closedBy: "flattened", qty: 0 }]);
    expect(h.core.openPositions).toBe(0);
    expect(h.core.onBook(book(ETH.id, T0 + 2n * S, 2990), T0 + 2n * S)).toEqual([]); // past the stop: nothing
  });

  it("an executor's own exit in flight is not taken for a flatten when the position goes flat", () => {
    const { h, entry } = enteredLong();
    h.core.onOrderStatus(orderStatus(entry, "filled", 0.16, 3000, T0), T0);
    const [exit] = h.core.onBook(book(ETH.id, T0 + S, 2990), T0 + S);
    h.core.onPosition(position(ETH, 0, 0, T0 + 2n * S), T0 + 2n * S);
    h.core.onOrderStatus(orderStatus(exit, "filled", 0.16, 2990, T0 + 2n * S), T0 + 2n * S);
    expect(h.port.closed).toMatchObject([{ closedBy: "sl", qty: 0.16 }]);
  });

  it("uses ATR brackets when ATR is enabled and ready", () => {
    const h = strategyHarness({
      atr_enabled: true,
      atr_bar_seconds: 1,
      atr_period: 3,
      atr_sl_mult: 2,
      atr_tp_mult: 3,
      stop_loss_bps: 500,
    });
    // Four 1 s bars, each 3000 then 3003: every true range is 3, ATR = 3 → SL 2·3/3000 = 20 bps, TP 30 bps.
    for (let k = 0n; k < 4n; k++) {
      h.core.onBook(book(ETH.id, T0 + k * S, 3000), T0 + k * S);
      h.core.onBook(book(ETH.id, T0 + k * S + 500n * MS, 3003), T0 + k * S + 500n * MS);
    }
    booksAt(h, T0 + 4n * S);
    const [entry] = jumpAndAnswer(h, T0 + 4n * S, 50, STRONG);
    expect(entry).toBeDefined();
    h.core.onOrderStatus(orderStatus(entry, "filled", 0.16, 3000, T0 + 4n * S), T0 + 4n * S);
    expect(h.core.onBook(book(ETH.id, T0 + 4n * S + MS, 2994.5), T0 + 4n * S + MS)).toEqual([]); // −18 bps
    const [exit] = h.core.onBook(book(ETH.id, T0 + 4n * S + 2n * MS, 2993.5), T0 + 4n * S + 2n * MS); // −21.7 bps
    expect(exit.role).toBe("sl");
  });

  it("gives a position adopted before the ATR was ready its ATR brackets once it is", () => {
    const h = strategyHarness({
      atr_enabled: true,
      atr_bar_seconds: 1,
      atr_period: 3,
      atr_sl_mult: 2,
      atr_tp_mult: 3,
      stop_loss_bps: 0,
      take_profit_bps: 0,
    });
    h.core.onBook(book(ETH.id, T0, 3000), T0);
    h.core.onPosition(position(ETH, 0.16, 3000), T0);
    expect(h.port.adopted).toMatchObject([{ slBps: null, tpBps: null }]); // no ATR yet, no static brackets
    // The same bars as above: ATR 3 → SL 20 bps, TP 30 bps from the fourth bar on.
    for (let k = 0n; k < 4n; k++) {
      h.core.onBook(book(ETH.id, T0 + k * S + 100n * MS, 3000), T0 + k * S + 100n * MS);
      h.core.onBook(book(ETH.id, T0 + k * S + 500n * MS, 3003), T0 + k * S + 500n * MS);
    }
    expect(h.core.onBook(book(ETH.id, T0 + 4n * S, 2994.5), T0 + 4n * S)).toEqual([]); // −18 bps
    const [exit] = h.core.onBook(book(ETH.id, T0 + 4n * S + MS, 2993.5), T0 + 4n * S + MS); // −21.7 bps
    expect(exit).toMatchObject({ role: "sl", side: "sell", size: 0.16, reduceOnly: true });
  });
});
