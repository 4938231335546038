import { describe, expect, it } from "vitest";
import { ArtifactStore } from "../../src/actors/strategy/artifacts.js";
import {
  pushed,
  book,
  booksAt,
  BTC,
  ETH,
  jump,
  jumpAndAnswer,
  MS,
  orderStatus,
  S,
  scan,
  SOL,
  strategyHarness,
  T0,
} from "../fixtures/strategy.js";

const STRONG = [scan(ETH.id, "trade", 0.8), scan(ETH.id, "mid", 0.7)];

describe("strategy core: jump to scan to order", () => {
  it("opens one scan per leader jump and waits for the shards' pushed results", () => {
    const h = strategyHarness();
    expect(h.core.onJump(jump(BTC.id, T0, 50), T0 + 2n * MS)).toEqual([]);
    expect(h.core.onJump(jump(BTC.id, T0 + S, 50), T0 + S)).toEqual([]);
    expect(h.core.scansInFlight).toBe(2);
    expect(h.port.decisions).toEqual([]);
  });

  it("decides once every shard has pushed its results for the jump", () => {
    const h = strategyHarness();
    booksAt(h, T0);
    expect(h.core.onJump(jump(BTC.id, T0, 50), T0)).toEqual([]);
    expect(h.core.onPairsScanned(pushed([], 0, 2), T0)).toEqual([]);
    // Results pushed twice by the same shard do not complete the scan.
    expect(h.core.onPairsScanned(pushed([], 0, 2), T0)).toEqual([]);
    expect(h.port.decisions).toEqual([]);
    const orders = h.core.onPairsScanned(pushed(STRONG, 1, 2), T0);
    expect(orders).toHaveLength(1);
    expect(h.core.scansInFlight).toBe(0);
  });

  it("decides on what arrived when the scan times out, recording the laggers no shard pushed", () => {
    const h = strategyHarness({}, [BTC, ETH, SOL], { scanTimeoutNs: 100n * MS });
    booksAt(h, T0, [BTC, ETH, SOL]);
    h.core.onJump(jump(BTC.id, T0, 50), T0);
    h.core.onPairsScanned(pushed(STRONG, 0, 2), T0);
    expect(h.core.onTimer(T0 + 99n * MS)).toEqual([]);
    const orders = h.core.onTimer(T0 + 100n * MS);
    expect(orders.map((o) => o.symbol)).toEqual([ETH.symbol]);
    expect(h.port.decisions.map((d) => [d.lagger, d.outcome])).toEqual([
      [ETH.symbol, "entered"],
      [SOL.symbol, "scan_timeout"],
    ]);
    // Late results are not a second decision.
    expect(h.core.onPairsScanned(pushed(STRONG, 1, 2), T0 + S)).toEqual([]);
    expect(h.port.decisions).toHaveLength(2);
    expect(h.port.anomalies).toEqual([]);
  });

  it("records not_warm for the laggers of a shard still replaying its history, and decides the others", () => {
    const h = strategyHarness({}, [BTC, ETH, SOL]);
    booksAt(h, T0, [BTC, ETH, SOL]);
    h.core.onJump(jump(BTC.id, T0, 50), T0);
    const notWarm = ["trade", "mid"].map((f) =>
      scan(ETH.id, f as "trade" | "mid", 0, { status: "not_warm", passes: false }),
    );
    expect(h.core.onPairsScanned(pushed(notWarm, 0, 2), T0)).toEqual([]);
    const orders = h.core.onPairsScanned(pushed([scan(SOL.id, "trade", 0.8), scan(SOL.id, "mid", 0.7)], 1, 2), T0);
    expect(orders.map((o) => o.symbol)).toEqual([SOL.symbol]);
    expect(h.port.decisions.map((d) => [d.requestId, d.lagger, d.outcome, d.reason])).toEqual([
      [1, ETH.symbol, "not_warm", "the estimator shard holding this pair had not finished its history replay"],
      [1, SOL.symbol, "entered", ""],
    ]);
  });

  it("decides on results the shards pushed before the jump reached it", () => {
    const h = strategyHarness();
    booksAt(h, T0);
    expect(h.core.onPairsScanned(pushed([], 0, 2, BTC.id, T0), T0)).toEqual([]);
    expect(h.core.onPairsScanned(pushed(STRONG, 1, 2, BTC.id, T0), T0)).toEqual([]);
    const orders = h.core.onJump(jump(BTC.id, T0, 50), T0);
    expect(orders.map((o) => [o.symbol, o.side])).toEqual([[ETH.symbol, "buy"]]);
    expect(h.core.scansInFlight).toBe(0);
  });

  it("completes a jump's scan with results pushed before and after the jump, each shard once", () => {
    const h = strategyHarness();
    booksAt(h, T0);
    h.core.onPairsScanned(pushed([], 0, 3, BTC.id, T0), T0);
    expect(h.core.onJump(jump(BTC.id, T0, 50), T0)).toEqual([]);
    // Shard 0 pushed before the jump, shards 1 and 2 push after it.
    expect(h.core.onPairsScanned(pushed(STRONG, 1, 3, BTC.id, T0), T0)).toEqual([]);
    expect(h.core.onPairsScanned(pushed(STRONG, 1, 3, BTC.id, T0), T0)).toEqual([]);
    // Results for another jump of the same leader belong to that jump.
    expect(h.core.onPairsScanned(pushed([], 2, 3, BTC.id, T0 + MS), T0)).toEqual([]);
    const orders = h.core.onPairsScanned(pushed([], 2, 3, BTC.id, T0), T0);
    expect(orders.map((o) => o.symbol)).toEqual([ETH.symbol]);
    expect(h.port.last).toMatchObject({ requestId: 1, rhoStar: 0.8, outcome: "entered" });
  });

  it("forgets pushed results for a jump it never sees once the scan timeout has passed", () => {
    const h = strategyHarness({}, [BTC, ETH], { scanTimeoutNs: 100n * MS });
    booksAt(h, T0);
    h.core.onPairsScanned(pushed(STRONG, 0, 1, BTC.id, T0), T0);
    h.core.onTimer(T0 + 100n * MS);
    expect(h.core.onJump(jump(BTC.id, T0, 50), T0 + 100n * MS)).toEqual([]);
    expect(h.core.scansInFlight).toBe(1);
  });

  it("trades against the jump when rho* is negative", () => {
    const h = strategyHarness();
    booksAt(h, T0);
    const [order] = jumpAndAnswer(h, T0, 50, [scan(ETH.id, "trade", -0.8), scan(ETH.id, "mid", -0.7)]);
    expect(order.side).toBe("sell");
    expect(h.port.last.strength).toBeCloseTo(-3.75, 12);
  });

  it("records the entered decision with the scan, the expected move and the order's size and intent", () => {
    const h = strategyHarness();
    booksAt(h, T0);
    const [order] = jumpAndAnswer(h, T0, 50, STRONG);
    expect(h.port.last).toMatchObject({
      tsNs: T0,
      requestId: 1,
      leader: BTC.symbol,
      lagger: ETH.symbol,
      jumpTsNs: T0,
      jumpBps: 50,
      tauStarS: 1.5,
      rhoStar: 0.8,
      lls: 3,
      strength: 3.75,
      expectedMoveBps: 40,
      expectedMoveSource: "volatility_ratio",
      outcome: "entered",
      reason: "",
      side: "buy",
      size: 0.16,
      notionalUsd: 480,
      intentId: order.intentId,
    });
  });

  it("scales the no-baseline expected move by lagger over leader volatility from trades", () => {
    const h = strategyHarness();
    booksAt(h, T0);
    // ETH moves 2 bps per second, BTC 1 bp: ratio 2.
    for (let k = 0; k < 10; k++) {
      h.core.onTrade({
        type: "Trade",
        instrument: BTC.id,
        tsNs: T0 - 10n * S + BigInt(k) * S,
        recvNs: T0,
        price: 60000 * Math.exp((k % 2) * 1e-4),
        amount: 1,
        side: 1,
        seq: k,
      });
      h.core.onTrade({
        type: "Trade",
        instrument: ETH.id,
        tsNs: T0 - 10n * S + BigInt(k) * S,
        recvNs: T0,
        price: 3000 * Math.exp((k % 2) * 2e-4),
        amount: 1,
        side: 1,
        seq: k,
      });
    }
    jumpAndAnswer(h, T0, 20, STRONG);
    expect(h.port.last.expectedMoveBps).toBeCloseTo(0.8 * 20 * 2, 9);
  });

  it("takes the volatility ratio from the pair's baseline when it has one", () => {
    const h = strategyHarness();
    const artifacts = new ArtifactStore([BTC, ETH], ["trade", "mid"]).load({
      topPairs: null,
      topFeatures: null,
      baselines: JSON.stringify({
        version: 1,
        pairs: [{ leader: BTC.symbol, lagger: ETH.symbol, leader_vol_bps: 1, lagger_vol_bps: 1.5 }],
      }),
    });
    h.core.setArtifacts(artifacts.set);
    booksAt(h, T0);
    jumpAndAnswer(h, T0, 40, STRONG);
    expect(h.port.last).toMatchObject({ expectedMoveSource: "volatility_ratio", outcome: "entered" });
    expect(h.port.last.expectedMoveBps).toBeCloseTo(0.8 * 40 * 1.5, 9);
  });

  it("trains the RLS tau* after entry on the lagger's move with the sign of rho* folded in", () => {
    const h = strategyHarness();
    booksAt(h, T0);
    jumpAndAnswer(h, T0, 50, [scan(ETH.id, "trade", -0.8, { tauStarS: 1.5 })]);
    h.core.onBook(book(ETH.id, T0 + 1400n * MS, 3003), T0 + 1400n * MS);
    h.core.onTimer(T0 + 1400n * MS);
    expect(h.core.rls.samples).toBe(0);
    h.core.onTimer(T0 + 1500n * MS);
    expect(h.core.rls.samples).toBe(1);
    // The lagger rose 10 bps on a negatively correlated pair: the folded label is −10, so the model leans negative.
    expect(h.core.rls.predict(50, 0.8)).toBeLessThan(0);
  });

  it("does not train the RLS when expmove_enabled is false", () => {
    const h = strategyHarness({ expmove_enabled: false });
    booksAt(h, T0);
    jumpAndAnswer(h, T0, 50, STRONG);
    booksAt(h, T0 + 2n * S);
    h.core.onTimer(T0 + 2n * S);
    expect(h.core.rls.samples).toBe(0);
  });

  it("cancels the remainder of a resting entry once it starts filling", () => {
    const h = strategyHarness({ entry_order_type: "limit", entry_time_in_force: "gtc" });
    booksAt(h, T0);
    const [entry] = jumpAndAnswer(h, T0, 50, STRONG);
    expect(entry).toMatchObject({ orderType: "limit", tif: "GTC" });
    const cancel = h.core.onOrderStatus(orderStatus(entry, "partially_filled", 0.05, 3000, T0 + MS), T0 + MS);
    expect(cancel).toMatchObject({ type: "RequestCancel", strategy: "ll", clId: `0x${entry.intentId}` });
    // Only once: a further fill racing the cancel asks for nothing more.
    expect(
      h.core.onOrderStatus(orderStatus(entry, "partially_filled", 0.08, 3000, T0 + 2n * MS), T0 + 2n * MS),
    ).toBeNull();
    expect(h.core.onOrderStatus(orderStatus(entry, "canceled", 0.08, 3000, T0 + 3n * MS), T0 + 3n * MS)).toBeNull();
    booksAt(h, T0 + 2000n * S);
    expect(h.core.onTimer(T0 + 2000n * S)).toMatchObject([{ role: "exit", size: 0.08 }]);
  });

  it("marks open positions to the lagger mid", () => {
    const h = strategyHarness({ stop_loss_bps: 100, take_profit_bps: 100 });
    booksAt(h, T0);
    const [entry] = jumpAndAnswer(h, T0, 50, STRONG);
    h.core.onOrderStatus(orderStatus(entry, "filled", 0.16, 3000, T0), T0);
    h.core.onBook(book(ETH.id, T0 + S, 3010), T0 + S);
    expect(h.core.unrealizedPnl()).toBeCloseTo(1.6, 9);
    expect(h.core.openPositions).toBe(1);
    expect(h.core.executorStates()).toEqual({ entry_pending: 0, open: 1, exit_pending: 0 });
  });

  it("reports status updates of its own unknown intents as anomalies and ignores other strategies'", () => {
    const h = strategyHarness();
    booksAt(h, T0);
    const [entry] = jumpAndAnswer(h, T0, 50, STRONG);
    h.core.onOrderStatus(orderStatus({ ...entry, intentId: "ll-unknown" }, "filled", 1, 1, T0), T0);
    h.core.onOrderStatus(orderStatus({ ...entry, intentId: "other-1", strategy: "other" }, "filled", 1, 1, T0), T0);
    expect(h.port.anomalies).toEqual([{ kind: "unknown_intent", intentId: "ll-unknown" }]);
  });
});

describe("strategy core: rehearsal", () => {
  /** Two entries, fills, a time-limit exit; `between` runs after every input. */
  function session(between: (h: ReturnType<typeof strategyHarness>, nowNs: bigint) => void) {
    const h = strategyHarness();
    const out: unknown[] = [];
    const step = (nowNs: bigint, run: () => unknown) => {
      out.push(run());
      between(h, nowNs);
    };
    step(T0, () => booksAt(h, T0));
    const [first] = jumpAndAnswer(h, T0, 50, STRONG);
    out.push(first);
    between(h, T0);
    step(T0 + MS, () => h.core.onOrderStatus(orderStatus(first, "filled", first.size, first.price, T0 + MS), T0 + MS));
    step(T0 + 20n * S, () => booksAt(h, T0 + 20n * S));
    out.push(jumpAndAnswer(h, T0 + 20n * S, -60, STRONG));
    between(h, T0 + 20n * S);
    step(T0 + 400n * S, () => h.core.onTimer(T0 + 400n * S));
    return {
      out,
      decisions: h.port.decisions,
      open: h.core.openPositions,
      states: h.core.executorStates(),
      rls: h.core.rls.samples,
    };
  }

  it(
    "changes nothing: a core that rehearses after every input decides, orders and records exactly as one that " +
      "does not",
    () => {
      let rehearsed = 0;
      const plain = session(() => undefined);
      const rehearsing = session((h, nowNs) => {
        for (let i = 0; i < 3; i++) rehearsed += h.core.rehearse(nowNs);
      });
      expect(rehearsed).toBeGreaterThanOrEqual(12); // 3 × each input after the first decision
      expect(plain.decisions.length).toBeGreaterThan(1);
      expect(rehearsing).toEqual(plain);
    },
  );

  it("does nothing before a first decision", () => {
    const h = strategyHarness();
    booksAt(h, T0);
    expect(h.core.rehearse(T0)).toBe(0);
    expect(h.port.decisions).toEqual([]);
    expect(h.core.openPositions).toBe(0);
  });
});
