import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { compiledUrl } from "../../src/runtime/paths.js";
import { resolveChildSpecs } from "../../src/supervisor/child-spec.js";
import { loadDefs } from "../../src/supervisor/system.js";
import { actorModule } from "../../src/supervisor/children.js";
import { actorSections } from "../../src/supervisor/sections.js";
import { InlineRuntime } from "../../src/runtime/inline.js";
import { parseConfig } from "../../src/config/index.js";
import type { AnyMessage } from "../../src/protocol/codec.js";
import type { Book, Trade } from "../../src/protocol/market-data.js";
import type { OrderFilled, PlaceOrder } from "../../src/protocol/orders.js";
import type { VenueDriverStep } from "../fixtures/actors/venue-driver.js";

const START_NS = 1_763_380_800_000_000_000n;
const MS = 1_000_000n;
const driver = compiledUrl(new URL("../fixtures/actors/venue-driver.ts", import.meta.url)).href;

function backtestConfig(simulation: string) {
  return parseConfig(
    `
mode: backtest
execution: { provider: paper, mode: paper }
strategies: [{ name: s, config: { symbols: [BTC-USDT-PERP, ETH-USDT-PERP] } }]
backtest:
  start_date: 2025-09-07T08:00:00Z
  end_date: 2025-09-08T08:00:00Z
  symbols: [BTC-USDT-PERP]
  simulation: { fill_probability: 1, partial_fill_probability: 0, adverse_selection_factor: 0, ${simulation} }
`,
    { env: {} },
  );
}

/** A BTC book (instrument 0 of configs/symbol_rules.csv) with one level a side. */
function book(bid: number, ask: number, size = 1): Book {
  return {
    type: "Book",
    instrument: 0,
    tsNs: START_NS,
    recvNs: START_NS,
    seq: 1,
    valid: true,
    ...{ bidPx: [bid], bidSz: [size], askPx: [ask], askSz: [size] },
    ...{ mid: (bid + ask) / 2, relativeSpread: 0, imbalance: 0, bidDepth: size, askDepth: size },
    ...{ ofi: 0, midVolatility: 0 },
  };
}

function trade(price: number, amount: number, side: 1 | -1): Trade {
  return { type: "Trade", instrument: 0, tsNs: START_NS, recvNs: START_NS, price, amount, side, seq: 1 };
}

let seq = 0;
function order(over: Partial<PlaceOrder>): PlaceOrder {
  seq += 1;
  return {
    type: "PlaceOrder",
    clId: `0x${seq.toString(16).padStart(32, "0")}`,
    strategy: "s",
    intentId: `i${seq}`,
    instrument: 0,
    symbol: "BTC-USDT-PERP",
    marketType: "perp",
    side: "buy",
    orderType: "limit",
    tif: "IOC",
    price: 100_100,
    size: 0.1,
    reduceOnly: false,
    role: "entry",
    tsNs: START_NS,
    ...over,
  };
}

/** Runs the simulated venue inline against a script; returns its events with their arrival times (ms from start). */
async function run(simulation: string, steps: readonly VenueDriverStep[]) {
  const events: { event: AnyMessage; atMs: number }[] = [];
  const children = resolveChildSpecs([
    {
      name: "driver",
      module: driver,
      thread: "inline",
      config: { steps, onEvent: (event: AnyMessage, atNs: bigint) => events.push({ event, atMs: ms(atNs) }) },
    },
    {
      name: "venue",
      module: actorModule("venues/simulated"),
      thread: "inline",
      config: actorSections(backtestConfig(simulation)).simulatedVenue(),
    },
  ]);
  const runtime = new InlineRuntime(children, await loadDefs(children), START_NS, pino({ level: "silent" }));
  await runtime.start();
  runtime.runUntil(START_NS + 1000n * MS);
  await runtime.stop(["driver", "venue"]);
  return events;
}

const ms = (ns: bigint) => Number((ns - START_NS) / MS);
const fills = (events: { event: AnyMessage; atMs: number }[]) =>
  events.filter((e) => e.event.type === "OrderFilled") as { event: OrderFilled; atMs: number }[];

describe("simulated venue under the inline runtime", () => {
  const decideThenBookMoves: VenueDriverStep[] = [
    { atMs: 1, channel: "md.book", message: book(99_990, 100_000) },
    { atMs: 2, channel: "orders.venue", message: order({ price: 100_100 }) },
    { atMs: 6, channel: "md.book", message: book(100_040, 100_050) },
  ];

  it("matches against the book as it stands when the order arrives, not when it was decided", async () => {
    const events = await run("order_latency_ms: 10, response_latency_ms: 0, slippage_mode: book_vwap", [
      ...decideThenBookMoves,
    ]);
    expect(fills(events)).toMatchObject([{ event: { price: 100_050, size: 0.1, liquidity: "taker" }, atMs: 12 }]);
  });

  it("with no order latency the order meets the book it was decided on", async () => {
    const events = await run("latency_ms: 0, slippage_mode: book_vwap", decideThenBookMoves);
    expect(fills(events)).toMatchObject([{ event: { price: 100_000, size: 0.1 }, atMs: 2 }]);
  });

  it("delays every report by the response latency: accepted and filled arrive 10 + 7 ms after the decision", async () => {
    const events = await run("order_latency_ms: 10, response_latency_ms: 7, slippage_mode: book_vwap", [
      ...decideThenBookMoves,
    ]);
    expect(events.map((e) => [e.event.type, e.atMs])).toEqual([
      ["OrderAccepted", 19],
      ["OrderFilled", 19],
    ]);
    expect(fills(events)[0].event.price).toBe(100_050);
  });

  it("latency_ms alone sets the order and the response latency", async () => {
    const events = await run("latency_ms: 4, slippage_mode: book_vwap", decideThenBookMoves);
    expect(fills(events)).toMatchObject([{ event: { price: 100_000 }, atMs: 10 }]);
  });

  it("a resting bid fills as maker only once trades at its price consumed the queue ahead of it", async () => {
    const events = await run("latency_ms: 0, queue_model: queue, maker_fee_bps: -1", [
      { atMs: 1, channel: "md.book", message: book(99_990, 100_000, 0.5) },
      { atMs: 2, channel: "orders.venue", message: order({ tif: "GTC", price: 99_990, size: 0.2 }) },
      { atMs: 3, channel: "md.trade", message: trade(99_990, 0.4, -1) },
      { atMs: 4, channel: "md.trade", message: trade(99_990, 0.25, -1) },
    ]);
    expect(fills(events)).toMatchObject([{ event: { price: 99_990, size: 0.15, liquidity: "maker" }, atMs: 4 }]);
    expect(fills(events)[0].event.feeAmount).toBeCloseTo(-1.49985, 10); // a 1 bp rebate on 14,998.5 USDC
  });
});
