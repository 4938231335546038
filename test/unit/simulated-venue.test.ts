import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import type { PlaceOrder } from "../../src/protocol/orders.js";
import { parseEngineEvent, serializePlace } from "../../src/protocol/wire/engine.js";
import type { EngineFrame } from "../../src/actors/venues/matching/core.js";
import { SimulatedVenueCore } from "../../src/actors/venues/simulated/core.js";
import { simulationModels } from "../../src/actors/venues/simulated/models.js";

const SYMBOL = "ETH-USDC-PERP";
const T0 = 1_763_380_800_000_000_000n;
const MS = 1_000_000n;

function venue(simulation: string) {
  const config = parseConfig(
    `
mode: backtest
backtest:
  start_date: 2025-09-07
  end_date: 2025-09-08
  symbols: [ETH-USDT-PERP]
  simulation: { latency_ms: 0, ${simulation} }
`,
    { env: {} },
  );
  const frames: EngineFrame[] = [];
  const models = simulationModels(config.backtest!.simulation, () => 0.001);
  const core = new SimulatedVenueCore(
    {
      ...{ venue: "hyperliquid", feeCurrency: () => "USDC", tscReportTimestamps: false },
      ...{ duplicateCancelReports: false, idPrefix: "00000000000000000042" },
    },
    models,
    (f) => frames.push(f),
  );
  const events = () => frames.map((f) => parseEngineEvent(f.topic, f.payload)).map((r) => (r.ok ? r.event : r.error));
  const fills = () => events().filter((e) => "kind" in e && e.kind === "fill");
  return { core, events, fills };
}

let seq = 0;
function place(over: Partial<PlaceOrder>): string {
  seq += 1;
  const order: PlaceOrder = {
    ...{ type: "PlaceOrder", clId: `0x${seq.toString(16).padStart(32, "0")}`, strategy: "s", intentId: `i${seq}` },
    ...{ instrument: 1, symbol: SYMBOL, marketType: "perp", side: "buy", orderType: "limit", tif: "GTC" },
    ...{ price: 2999, size: 0.5, reduceOnly: false, role: "entry", tsNs: T0 },
    ...over,
  };
  const priceRules = { tickSize: 0.01, maxDecimals: null, maxSignificantFigures: null };
  const r = serializePlace(order, { venue: "hyperliquid", engineSymbol: SYMBOL, lotSize: 0.001, priceRules });
  if (!r.ok) throw new Error(r.error.detail);
  return r.frame;
}

const book = (bidSz: number, askPx = 3001) => ({ bidPx: [2999, 2998], bidSz: [bidSz, 5], askPx: [askPx], askSz: [2] });
const sellTrade = (size: number, price = 2999) => ({ price, size, aggressor: "sell" as const });
const certain = "fill_probability: 1, partial_fill_probability: 0, adverse_selection_factor: 0";

describe("simulated venue core", () => {
  it("a cancel ahead of a resting bid (linear queue) lets a smaller trade reach it", () => {
    const { core, fills } = venue(certain);
    core.onBook(SYMBOL, book(1.0), T0);
    core.onOrderFrame(place({}), T0);
    core.advance(T0); // joins behind 1.0
    core.onBook(SYMBOL, book(0.4), T0 + MS); // 0.6 canceled, nobody behind us: all of it was ahead (0.4 left)
    core.onTrade(SYMBOL, sellTrade(0.5), T0 + 2n * MS);
    expect(fills()).toMatchObject([{ price: 2999, size: 0.1, liquidity: "maker" }]);
  });

  it("without the cancel the same trade only eats into the queue ahead", () => {
    const { core, fills } = venue(certain);
    core.onBook(SYMBOL, book(1.0), T0);
    core.onOrderFrame(place({}), T0);
    core.advance(T0);
    core.onTrade(SYMBOL, sellTrade(0.5), T0 + 2n * MS);
    expect(fills()).toEqual([]);
    core.onTrade(SYMBOL, sellTrade(0.7), T0 + 3n * MS);
    expect(fills()).toMatchObject([{ size: 0.2 }]);
  });

  it("instant queue: the first trade at its price fills it, up to the trade's size", () => {
    const { core, fills } = venue(`${certain}, queue_model: instant`);
    core.onBook(SYMBOL, book(1.0), T0);
    core.onOrderFrame(place({}), T0);
    core.advance(T0);
    core.onTrade(SYMBOL, sellTrade(0.3), T0 + MS);
    expect(fills()).toMatchObject([{ size: 0.3 }]);
  });

  it("a trade through its price fills what is left, whatever the queue", () => {
    const { core, fills } = venue(certain);
    core.onBook(SYMBOL, book(1.0), T0);
    core.onOrderFrame(place({}), T0);
    core.advance(T0);
    core.onTrade(SYMBOL, sellTrade(0.01, 2998), T0 + MS);
    expect(fills()).toMatchObject([{ price: 2999, size: 0.5 }]);
  });

  it("a book crossing the bid fills it as maker, charged α half spreads: 2999 + 0.5 × (2998.5 − 2997) / 2", () => {
    const { core, fills } = venue("fill_probability: 1, partial_fill_probability: 0, adverse_selection_factor: 0.5");
    core.onBook(SYMBOL, book(1.0), T0);
    core.onOrderFrame(place({}), T0);
    core.advance(T0);
    core.onBook(SYMBOL, { bidPx: [2997], bidSz: [1], askPx: [2998.5], askSz: [0.3] }, T0 + MS);
    expect(fills()).toMatchObject([{ price: 2999 + 0.5 * 0.75, size: 0.3, liquidity: "maker" }]);
  });

  it("a fill driven by a trade is charged α half spreads of the latest book: 2999 + 0.5 × (3001 − 2999) / 2", () => {
    const { core, fills } = venue("fill_probability: 1, partial_fill_probability: 0, adverse_selection_factor: 0.5");
    core.onBook(SYMBOL, book(1.0), T0);
    core.onOrderFrame(place({}), T0);
    core.advance(T0);
    core.onTrade(SYMBOL, sellTrade(0.01, 2998), T0 + MS);
    expect(fills()).toMatchObject([{ price: 2999.5, size: 0.5, liquidity: "maker" }]);
  });

  it("an IOC the fill model misses is accepted without an oid, then rejected, as an IOC with no liquidity", () => {
    const { core, events } = venue("fill_probability: 0");
    core.onBook(SYMBOL, book(1.0), T0);
    core.onOrderFrame(place({ tif: "IOC", price: 3001 }), T0);
    core.advance(T0);
    expect(events()).toMatchObject([
      { kind: "report", status: "accepted", exchangeOrderId: "" },
      { kind: "report", status: "rejected", reasonText: "iocCancelRejected" },
    ]);
  });

  it("an IOC partial fill: the remainder is canceled", () => {
    const { core, events } = venue("fill_probability: 1, partial_fill_probability: 1, min_fill_ratio: 0.5");
    core.onBook(SYMBOL, book(1.0), T0);
    core.onOrderFrame(place({ tif: "IOC", price: 3001, size: 1 }), T0);
    core.advance(T0);
    const [accepted, filled, canceled] = events();
    expect(accepted).toMatchObject({ status: "accepted" });
    expect(filled).toMatchObject({ kind: "fill", liquidity: "taker" });
    expect((filled as { size: number }).size).toBeGreaterThanOrEqual(0.5);
    expect((filled as { size: number }).size).toBeLessThan(1);
    expect(canceled).toMatchObject({ status: "canceled" });
  });

  it("backtest.simulation's slippage and fee keys price a taker fill: bps from the mid with a base fee, or the book walk with a quote fee", () => {
    const taker = (simulation: string) => {
      const { core, fills } = venue(`${certain}, ${simulation}`);
      core.onBook(SYMBOL, book(1.0), T0);
      core.onOrderFrame(place({ tif: "IOC", price: 3010, size: 1 }), T0);
      core.advance(T0);
      return fills();
    };
    // mid 3000 moved 10 bp against the buy; 5 bp of 1 ETH (the actor names the base asset as the fee currency).
    const bps = taker(
      "slippage_mode: bps_only, slippage_bps: 10, execution_pricing: mid, fee_mode: base, taker_fee_bps: 5",
    );
    expect(bps).toHaveLength(1);
    expect(bps[0]).toMatchObject({ size: 1, liquidity: "taker" });
    expect((bps[0] as { price: number }).price).toBeCloseTo(3003, 9);
    expect((bps[0] as { feeAmount: number }).feeAmount).toBeCloseTo(0.0005, 12);
    // The book's ask as it stands; 5 bp of 3001 USDC, maker rate unused by a taker.
    const walk = taker("slippage_mode: book_vwap, fee_mode: quote, taker_fee_bps: 5, maker_fee_bps: -1");
    expect(walk[0]).toMatchObject({ price: 3001, size: 1, liquidity: "taker" });
    expect((walk[0] as { feeAmount: number }).feeAmount).toBeCloseTo(1.5005, 10);
  });

  it("the same seed draws the same fills", () => {
    const sizes = (seed: number) => {
      const { core, fills } = venue(`partial_fill_probability: 1, seed: ${seed}`);
      for (let i = 0; i < 20; i++) {
        core.onBook(SYMBOL, book(1.0), T0 + BigInt(i) * MS);
        core.onOrderFrame(place({ tif: "IOC", price: 3001, size: 1 }), T0 + BigInt(i) * MS);
        core.advance(T0 + BigInt(i) * MS);
      }
      return fills().map((f) => (f as { size: number }).size);
    };
    expect(sizes(7)).toEqual(sizes(7));
    expect(sizes(7)).not.toEqual(sizes(8));
  });
});
