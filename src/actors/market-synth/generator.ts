/**
 * The synthetic market core: a seeded, pure generator of marketstream messages. Time is passed in
 * (`advance(untilNs)` emits every event up to that instant); events are arrivals of book updates
 * (Poisson) and trades (Poisson with a market-wide intensity that varies, `trade_intensity`) per symbol,
 * priced off the latent prices plus quote noise; trades print at the touch on the aggressor's side, so
 * trade prices bounce between bid and ask. Output depends only on the spec, the seed and the start
 * time, never on how `advance` calls are spaced: the same seed gives the same bytes.
 */
import { elapsedMs, msToNs, type Nanos } from "../../model/time.js";
import {
  isoSeconds,
  serializeBookCheckpoint,
  serializeBookDelta,
  serializeBookSnapshot,
  serializeTrade,
} from "../../protocol/wire/marketstream-serialize.js";
import { topicOf } from "../../protocol/wire/marketstream.js";
import { BookFeatures } from "../feed/book-features.js";
import { ASK, BID, OrderBook } from "../feed/order-book.js";
import { lotSizeOf } from "../../model/instruments.js";
import { BookLadder } from "./book-ladder.js";
import { LatentPrices, GRID_MS } from "./latent-prices.js";
import { SeededRandom } from "../../model/random.js";
import type { SyntheticMarketSpec, SyntheticSymbolSpec } from "./spec.js";

export interface SyntheticMessage {
  /** Which publisher socket carries it: trades on `market_data.port`, books on `books_port`. */
  readonly socket: "trades" | "books";
  readonly topic: string;
  readonly payload: string;
  readonly tsNs: Nanos;
  /** The payload's `seq` (per stream): with the timestamp, it tells apart trades that share one. */
  readonly seq: number;
}

const TRADE_WINDOW = 20;
const FIRST_TRADE_ID = 700_000_000_000_000;

class SymbolState {
  nextBookMs: number;
  nextTradeMs: number;
  lastCheckpointMs = -Infinity;
  tradeSeq = 0;
  bookSeq = 0;
  bookStreamSeq = 0;
  readonly tradePrices: number[] = [];
  readonly snapshotBook = new OrderBook();
  readonly snapshotFeatures = new BookFeatures();

  constructor(
    readonly spec: SyntheticSymbolSpec,
    readonly ladder: BookLadder,
    random: SeededRandom,
    bookRateHz: number,
    tradeRateHz: number,
  ) {
    this.nextBookMs = random.exponential(bookRateHz / 1000);
    this.nextTradeMs = random.exponential(tradeRateHz / 1000);
  }
}

export class SyntheticMarket {
  private readonly random: SeededRandom;
  private readonly latent: LatentPrices;
  private readonly states: SymbolState[];
  private gridMs = 0;
  private tradeCount = 0;
  /** The trade intensity's current multiple of `trade_rate_hz` (the latent activity factor, mean 1). */
  private intensity = 1;

  constructor(
    readonly spec: SyntheticMarketSpec,
    readonly startNs: Nanos,
  ) {
    this.random = new SeededRandom(spec.seed);
    this.latent = new LatentPrices(spec, this.random);
    this.states = spec.symbols.map(
      (s) =>
        new SymbolState(
          s,
          new BookLadder(s.tickSize, s.sizeDecimals, spec.depthLevels, this.random),
          this.random,
          spec.bookRateHz,
          spec.tradeRateHz,
        ),
    );
  }

  /** Emits, in time order, every message with a timestamp up to `untilNs`. */
  advance(untilNs: Nanos, emit: (message: SyntheticMessage) => void): void {
    const untilMs = elapsedMs(this.startNs, untilNs);
    for (;;) {
      let next = this.nextEvent();
      // The grid is stepped only up to the next event, whatever `untilNs` is: the stream never depends on it.
      while (this.gridMs + GRID_MS <= next.atMs) {
        if (this.gridMs + GRID_MS > untilMs) return;
        this.stepGrid();
        next = this.nextEvent();
      }
      const { state, isBook, atMs } = next;
      if (atMs > untilMs) return;
      const tsNs = this.startNs + msToNs(atMs);
      if (isBook) {
        this.onBookUpdate(state, atMs, tsNs, emit);
        state.nextBookMs = atMs + this.random.exponential(this.spec.bookRateHz / 1000);
      } else {
        this.onTrade(state, tsNs, emit);
        state.nextTradeMs = atMs + this.random.exponential((this.spec.tradeRateHz * this.intensity) / 1000);
      }
    }
  }

  /** The hidden state a scan tries to find (lead-lag on or off, current lags, co-jump steps): for tests and research. */
  get hidden(): LatentPrices {
    return this.latent;
  }

  private stepGrid(): void {
    this.latent.advance();
    this.gridMs += GRID_MS;
    if (this.spec.tradeIntensity.vol === 0) return;
    // A Poisson process whose rate changes at a grid step keeps its pending arrival with the remaining wait
    // rescaled by old rate / new rate: exact for a piecewise constant intensity (a random time change).
    const vol = this.spec.tradeIntensity.vol;
    const intensity = Math.exp(this.latent.activityLog - (vol * vol) / 2);
    for (const state of this.states)
      state.nextTradeMs = this.gridMs + (state.nextTradeMs - this.gridMs) * (this.intensity / intensity);
    this.intensity = intensity;
  }

  private nextEvent(): { state: SymbolState; isBook: boolean; atMs: number } {
    let best = { state: this.states[0], isBook: true, atMs: Infinity };
    for (const state of this.states) {
      if (state.nextBookMs < best.atMs) best = { state, isBook: true, atMs: state.nextBookMs };
      if (state.nextTradeMs < best.atMs) best = { state, isBook: false, atMs: state.nextTradeMs };
    }
    return best;
  }

  private onBookUpdate(state: SymbolState, atMs: number, tsNs: Nanos, emit: (m: SyntheticMessage) => void): void {
    const index = this.states.indexOf(state);
    const noise = state.spec.noiseBps > 0 ? (state.spec.noiseBps / 1e4) * this.random.normal() : 0;
    const diff = state.ladder.update(Math.exp(this.latent.logPrice[index] + noise));
    const { exchange } = this.spec;
    const symbol = state.spec.symbol;
    if (this.spec.bookMode === "snapshots") {
      const payload = this.snapshotPayload(state, tsNs);
      emit({
        socket: "books",
        topic: topicOf(exchange, "preprocessed_book", symbol),
        payload,
        tsNs,
        seq: state.bookSeq,
      });
      return;
    }
    if (diff.px.length > 0) {
      const payload = serializeBookDelta({
        symbol,
        exchange,
        receipt_timestamp_ns: tsNs,
        seq: ++state.bookStreamSeq,
        ...diff,
      });
      emit({
        socket: "books",
        topic: topicOf(exchange, "preprocessed_book_delta", symbol),
        payload,
        tsNs,
        seq: state.bookStreamSeq,
      });
    }
    if (atMs >= state.lastCheckpointMs + this.spec.checkpointEveryMs) {
      state.lastCheckpointMs = atMs;
      const { ladder } = state;
      const payload = serializeBookCheckpoint({
        symbol,
        exchange,
        receipt_timestamp_ns: tsNs,
        seq: ++state.bookStreamSeq,
        bid_px: ladder.bidTicks.map((t) => ladder.price(t)),
        bid_sz: ladder.bidTicks.map((t) => ladder.size(0, t)),
        ask_px: ladder.askTicks.map((t) => ladder.price(t)),
        ask_sz: ladder.askTicks.map((t) => ladder.size(1, t)),
      });
      emit({
        socket: "books",
        topic: topicOf(exchange, "preprocessed_book_ckpt", symbol),
        payload,
        tsNs,
        seq: state.bookStreamSeq,
      });
    }
  }

  private snapshotPayload(state: SymbolState, tsNs: Nanos): string {
    const { ladder, snapshotBook: book, snapshotFeatures: f } = state;
    const bidPx = ladder.bidTicks.map((t) => ladder.price(t));
    const bidSz = ladder.bidTicks.map((t) => ladder.size(0, t));
    const askPx = ladder.askTicks.map((t) => ladder.price(t));
    const askSz = ladder.askTicks.map((t) => ladder.size(1, t));
    book.replaceSide(BID, bidPx, bidSz);
    book.replaceSide(ASK, askPx, askSz);
    f.update(book);
    return serializeBookSnapshot({
      receipt_timestamp_ns: tsNs,
      symbol: state.spec.symbol,
      exchange: this.spec.exchange,
      seq: ++state.bookSeq,
      best_bid_price: bidPx[0],
      best_bid_size: bidSz[0],
      best_ask_price: askPx[0],
      best_ask_size: askSz[0],
      midpoint: f.mid,
      relative_spread: f.relativeSpread,
      breadth: bidPx[0] * bidSz[0] + askPx[0] * askSz[0],
      imbalance_lvl1: f.imbalance,
      bid_depth_n: f.bidDepth,
      ask_depth_n: f.askDepth,
      depth_n: f.bidDepth + f.askDepth,
      volatility_mid: f.midVolatility,
      ofi_rolling: f.ofi,
      window_size: f.windowSize,
      schema_version: 1,
      preprocessing_timestamp: isoSeconds(tsNs),
      bids: bidPx.map((p, i) => [p, bidSz[i]]),
      asks: askPx.map((p, i) => [p, askSz[i]]),
    });
  }

  private onTrade(state: SymbolState, tsNs: Nanos, emit: (m: SyntheticMessage) => void): void {
    const { ladder } = state;
    if (ladder.bidTicks.length === 0) return; // no book yet: nothing to trade against
    const buy = this.random.chance(0.5);
    const ticks = buy ? ladder.askTicks[0] : ladder.bidTicks[0];
    const price = ladder.price(ticks);
    const touchSize = ladder.size(buy ? 1 : 0, ticks);
    const lot = lotSizeOf(state.spec.sizeDecimals);
    const amount = Number(
      Math.max(lot, touchSize * 0.2 * Math.exp(0.7 * this.random.normal())).toFixed(state.spec.sizeDecimals),
    );
    state.tradePrices.push(price);
    if (state.tradePrices.length > TRADE_WINDOW) state.tradePrices.shift();
    const payload = serializeTrade({
      receipt_timestamp_ns: tsNs,
      symbol: state.spec.symbol,
      exchange: this.spec.exchange,
      price,
      amount,
      side: buy ? "buy" : "sell",
      trade_id: String(FIRST_TRADE_ID + this.tradeCount++),
      transaction_price: price,
      trading_volume: price * amount,
      volatility_transaction_price: populationStd(state.tradePrices),
      window_size: state.tradePrices.length,
      seq: ++state.tradeSeq,
      schema_version: 1,
      preprocessing_timestamp: isoSeconds(tsNs),
    });
    emit({
      socket: "trades",
      topic: topicOf(this.spec.exchange, "preprocessed_trades", state.spec.symbol),
      payload,
      tsNs,
      seq: state.tradeSeq,
    });
  }
}

function populationStd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}
