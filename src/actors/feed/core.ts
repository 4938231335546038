/**
 * The feed core: marketstream frames in, normalised `Trade` / `Book` messages out through a port.
 * Pure and synchronous (time arrives as `recvNs` / `nowNs`); bad input is counted by reason and
 * reported back as a `FeedDrop`, never thrown and never passed on. A frame passes, in order: the wire
 * checks, the clock-skew bound (its receipt time within `maxClockSkewNs` of `recvNs`), the sequence
 * check (sequence.ts: a stray seq is held until the next frame shows whether it was a restart), then
 * the book rebuild.
 */
import type { Book, Trade } from "../../protocol/market-data.js";
import { elapsedMs, type Nanos } from "../../model/time.js";
import {
  parsePayload,
  parseTopic,
  topicOf,
  WireRejection,
  type MarketstreamBookCheckpoint,
  type MarketstreamBookDelta,
  type MarketstreamBookSnapshot,
  type MarketstreamMessage,
  type MarketstreamStream,
  type MarketstreamTopic,
  type MarketstreamTrade,
} from "../../protocol/wire/marketstream.js";
import { BookRebuilder, type BookApplied } from "./book.js";
import { TickHistory, type MarketDataSink } from "./history.js";
import type { Instrument, InstrumentId } from "../../model/instruments.js";
import { TradeOutlierFilter } from "./outlier.js";
import { SequenceTracker } from "./sequence.js";
import {
  FEED_DROP_REASONS,
  type FeedCoreOptions,
  type FeedDrop,
  type FeedDropReason,
  type FeedPort,
  type FeedStats,
  type MarketstreamBookMessage,
  type StreamStats,
  type SeqStream,
  type SymbolStaleness,
} from "./feed-types.js";

export * from "./feed-types.js";

/** A frame that passed the wire and clock checks, as the sequence check holds it until the next frame decides. */
interface HeldFrame {
  readonly route: Route;
  readonly wire: MarketstreamMessage;
  readonly payload: Received;
  readonly recvNs: Nanos;
}

/** What a frame arrived as: payload bytes or text (`onFrame`), or an already-parsed message (`onMessage`). */
type Received = Uint8Array | string | MarketstreamMessage;

interface StreamState {
  readonly instrument: Instrument;
  readonly stream: SeqStream;
  readonly tracker: SequenceTracker;
  readonly book: BookRebuilder | undefined;
  /** Trade streams with the filter configured. */
  readonly outlier: TradeOutlierFilter | undefined;
  held: HeldFrame | undefined;
  /** Frames passed on (a `Trade` or `Book` emitted) and frames dropped: a stream that only drops is frozen. */
  accepted: number;
  dropped: number;
  priceOutliers: number;
  lastDrop?: FeedDropReason;
}

/** A known topic: its parts and the seq counter it feeds (a delta and a checkpoint topic share one). */
class Route {
  constructor(
    readonly state: StreamState,
    readonly topic: MarketstreamTopic,
  ) {}
}

export class FeedCore {
  private readonly routes = new Map<string, Route>();
  /** Routes by the topic-parts object a replay source hands in with each message (one object per stream). */
  private readonly routesByParts = new WeakMap<MarketstreamTopic, Route>();
  private readonly states = new Map<string, StreamState>();
  private readonly lastRecvNs: (Nanos | undefined)[] = [];
  private readonly history: TickHistory;
  private readonly topLevels: number;
  private readonly drops = Object.fromEntries(FEED_DROP_REASONS.map((r) => [r, 0])) as Record<FeedDropReason, number>;
  private frames = 0;
  private trades = 0;
  private books = 0;
  /** The last trade frame accepted, as received: what `rehearse` parses again (fields, not an object per trade). */
  private lastTradeRoute: Route | undefined;
  private lastTradePayload: Received = "";
  private lastTradeRecvNs: Nanos = 0n;

  constructor(
    private readonly options: FeedCoreOptions,
    private readonly port: FeedPort,
  ) {
    this.history = new TickHistory(options.lookbackNs);
    this.topLevels = options.topLevels ?? 10;
  }

  /**
   * One two-frame marketstream message, received at `recvNs`. Returns why a frame was dropped during
   * this call, if one was: usually this one, or the seq candidate it proved to be a stray.
   */
  onFrame(topic: string, payload: Uint8Array | string, recvNs: Nanos): FeedDrop | undefined {
    this.frames++;
    const route = this.routes.get(topic) ?? this.route(topic);
    if (!(route instanceof Route)) return this.drop(route);
    const parsed = parsePayload(route.topic, payload);
    if (parsed instanceof WireRejection) return this.drop(parsed, route.state);
    return this.admit(route, parsed, payload, recvNs);
  }

  /**
   * One message already parsed and checked, with its topic parts: what a backtest replay source hands in
   * (src/backtest/sources), so recorded data takes the live path from the clock-skew check on. The caller
   * vouches for the wire checks (`parsePayload`'s: field types, price and size bounds, payload symbol =
   * topic symbol). Pass one parts object per stream: routes are cached by its identity.
   */
  onMessage(topic: MarketstreamTopic, wire: MarketstreamMessage, recvNs: Nanos): FeedDrop | undefined {
    this.frames++;
    let route: Route | FeedDrop | undefined = this.routesByParts.get(topic);
    if (route === undefined) {
      const name = topicOf(topic.exchange, topic.stream, topic.symbol);
      route = this.routes.get(name) ?? this.route(name);
      if (!(route instanceof Route)) return this.drop(route);
      this.routesByParts.set(topic, route);
    }
    return this.admit(route, wire, wire, recvNs);
  }

  /** A parsed frame from the clock-skew check on: skew, sequence, then the trade or the book rebuild. */
  private admit(route: Route, parsed: MarketstreamMessage, payload: Received, recvNs: Nanos): FeedDrop | undefined {
    const { state } = route;
    const skewNs = parsed.receipt_timestamp_ns - recvNs;
    if (skewNs > this.options.maxClockSkewNs || skewNs < -this.options.maxClockSkewNs) {
      const detail = `${elapsedMs(recvNs, parsed.receipt_timestamp_ns)} ms from the local clock`;
      return this.drop({ reason: "clock_skew", field: "receipt_timestamp_ns", detail }, state);
    }
    const { tracker } = state;
    const verdict = tracker.observe(parsed.seq);
    if (tracker.newGaps.length > 0) this.reportGaps(state);
    const settled = this.settleCandidate(state, parsed.seq);
    switch (verdict) {
      case "duplicate":
        return this.drop({ reason: "duplicate", field: "seq", detail: `seq ${parsed.seq} again` }, state);
      case "held":
        state.held = { route, wire: parsed, payload, recvNs };
        return settled;
      default:
        return this.accept(route, parsed, payload, recvNs, false) ?? settled;
    }
  }

  private reportGaps(state: StreamState): void {
    if (this.port.gap === undefined) return;
    const { symbol } = state.instrument;
    for (const [expected, got] of state.tracker.newGaps)
      this.port.gap({ symbol, stream: state.stream, expected, got, missing: got - expected });
  }

  /** Acts on what the frame just observed told of the held candidate: accept it (before that frame) or drop it. */
  private settleCandidate(state: StreamState, seq: number): FeedDrop | undefined {
    const { outcome } = state.tracker;
    const held = state.held;
    if (outcome === "none" || held === undefined) return undefined;
    state.held = undefined;
    if (outcome !== "discarded") {
      return this.accept(held.route, held.wire, held.payload, held.recvNs, outcome === "restart");
    }
    const backwards = state.tracker.discardedSeq < state.tracker.lastSeq;
    const detail = `seq ${held.wire.seq} held: the next frame (seq ${seq}) did not continue it`;
    return this.drop({ reason: backwards ? "seq_backwards" : "seq_jump", field: "seq", detail }, state);
  }

  private accept(
    route: Route,
    wire: MarketstreamMessage,
    payload: Received,
    recvNs: Nanos,
    restart: boolean,
  ): FeedDrop | undefined {
    const { state, topic: parts } = route;
    if (state.outlier !== undefined) {
      const price = (wire as MarketstreamTrade).price;
      const verdict = state.outlier.check(price);
      if (verdict.outlier) {
        state.priceOutliers++;
        const detail =
          `price ${price} is ${bpsFrom(price, verdict.meanPrice)} bps from the mean ${verdict.meanPrice.toPrecision(8)} ` +
          `of the last trades, past the band of ${verdict.bandBps.toFixed(1)} bps`;
        return this.drop({ reason: "price_outlier", field: "price", detail }, state);
      }
    }
    this.lastRecvNs[state.instrument.id] = recvNs;
    if (parts.stream === "preprocessed_trades") {
      this.lastTradeRoute = route;
      this.lastTradePayload = payload;
      this.lastTradeRecvNs = recvNs;
      return this.emitTrade(state, wire as MarketstreamTrade, recvNs);
    }
    return this.applyBook(state, parts.stream, wire as MarketstreamBookMessage, restart, recvNs);
  }

  /**
   * The last accepted trade frame parsed, checked and normalised again, with nothing kept: no sequence
   * check, no history, nothing emitted (`ActorInstance.decide`). A jump is a trade, and its frame's
   * path is what a decision waits for first. Returns the rebuilt trade, or undefined before any.
   */
  rehearse(): Trade | undefined {
    const route = this.lastTradeRoute;
    if (route === undefined) return undefined;
    const payload = this.lastTradePayload;
    const parsed =
      typeof payload === "string" || payload instanceof Uint8Array ? parsePayload(route.topic, payload) : payload;
    return parsed instanceof WireRejection
      ? undefined
      : normaliseTrade(route.state.instrument.id, parsed as MarketstreamTrade, this.lastTradeRecvNs);
  }

  /** True when nothing arrived for the symbol (any spelling or id) within `staleAfterNs`, or it is unknown. */
  stale(symbol: string | InstrumentId, nowNs: Nanos): boolean {
    const age = this.ageNs(symbol, nowNs);
    return age === undefined || age > this.options.staleAfterNs;
  }

  /** Time since the last accepted message for the symbol; undefined if none yet (or unknown symbol). */
  ageNs(symbol: string | InstrumentId, nowNs: Nanos): Nanos | undefined {
    const id = typeof symbol === "number" ? symbol : this.idOf(symbol);
    const last = id === undefined ? undefined : this.lastRecvNs[id];
    return last === undefined ? undefined : nowNs - last;
  }

  /** Per instrument of the rules: age of the last accepted message and the stale flag, for `/metrics`. */
  staleness(nowNs: Nanos): SymbolStaleness[] {
    return this.options.registry.instruments.map((i) => {
      const ageNs = this.ageNs(i.id, nowNs);
      return { symbol: i.symbol, ageNs, stale: ageNs === undefined || ageNs > this.options.staleAfterNs };
    });
  }

  /** Warm restart: re-sends the kept history of the given instruments (all when omitted) in time order. */
  replay(sink: MarketDataSink, instruments?: readonly InstrumentId[]): number {
    return this.history.replay(sink, instruments);
  }

  /** The rebuilt book of an instrument's active book stream, for readers that want every level. */
  bookOf(instrument: InstrumentId): BookRebuilder | undefined {
    return (this.states.get(`${instrument}:book_stream`) ?? this.states.get(`${instrument}:book`))?.book;
  }

  stats(): FeedStats {
    const streams = [...this.states.values()].map(
      (s): StreamStats => ({
        symbol: s.instrument.symbol,
        stream: s.stream,
        lastSeq: s.tracker.lastSeq,
        ...s.tracker.counters,
        accepted: s.accepted,
        dropped: s.dropped,
        priceOutliers: s.priceOutliers,
        ...(s.lastDrop ? { lastDrop: s.lastDrop } : {}),
        ...(s.held ? { heldSeq: s.held.wire.seq } : {}),
        ...(s.book ? { bookValid: s.book.valid } : {}),
      }),
    );
    return { frames: this.frames, trades: this.trades, books: this.books, drops: { ...this.drops }, streams };
  }

  /**
   * Resolves a topic once; known topics are cached, unknown ones are not (a flood of junk topics must not grow memory).
   */
  private route(topic: string): Route | FeedDrop {
    const parts = parseTopic(topic);
    if (parts instanceof WireRejection) return parts;
    const lookup = this.options.registry.byMarketData(parts.exchange, parts.symbol);
    if (!lookup.ok)
      return {
        reason: "unknown_symbol",
        field: "symbol",
        detail: `${parts.exchange} ${parts.symbol} is not in the symbol rules`,
      };
    const stream = seqStreamOf(parts.stream);
    const key = `${lookup.instrument.id}:${stream}`;
    let state = this.states.get(key);
    if (!state) {
      const book = stream === "trades" ? undefined : new BookRebuilder();
      const filter = this.options.outlier;
      const outlier = stream === "trades" && filter !== undefined ? new TradeOutlierFilter(filter) : undefined;
      const tracker = new SequenceTracker();
      state = {
        instrument: lookup.instrument,
        stream,
        tracker,
        book,
        outlier,
        held: undefined,
        accepted: 0,
        dropped: 0,
        priceOutliers: 0,
      };
      this.states.set(key, state);
    }
    const route = new Route(state, parts);
    this.routes.set(topic, route);
    return route;
  }

  private emitTrade(state: StreamState, wire: MarketstreamTrade, recvNs: Nanos): undefined {
    const trade = normaliseTrade(state.instrument.id, wire, recvNs);
    this.trades++;
    state.accepted++;
    this.history.push(trade.instrument, trade);
    this.port.trade(trade, wire);
    return undefined;
  }

  private applyBook(
    state: StreamState,
    stream: MarketstreamStream,
    wire: MarketstreamBookMessage,
    restart: boolean,
    recvNs: Nanos,
  ): FeedDrop | undefined {
    const rebuilder = state.book!;
    if (restart) rebuilder.reset();
    const outcome = applyToBook(rebuilder, stream, wire);
    switch (outcome) {
      case "stale": {
        const detail = `seq ${wire.seq} ≤ last applied ${rebuilder.lastSeq}`;
        return this.drop({ reason: "stale_book_seq", field: "seq", detail }, state);
      }
      case "awaiting_checkpoint": {
        const detail = `delta ${wire.seq} on an invalid book`;
        return this.drop({ reason: "awaiting_checkpoint", field: "seq", detail }, state);
      }
      case "overflow": {
        this.emitBook(state, rebuilder, wire, recvNs);
        const detail = `more than ${rebuilder.book.capacity} levels on a side`;
        return this.drop({ reason: "book_overflow", field: "", detail }, state);
      }
      default:
        this.emitBook(state, rebuilder, wire, recvNs);
        return undefined;
    }
  }

  private emitBook(state: StreamState, rebuilder: BookRebuilder, wire: MarketstreamBookMessage, recvNs: Nanos): void {
    const { book: levels, features: f } = rebuilder;
    const n = this.topLevels;
    const book: Book = {
      type: "Book",
      instrument: state.instrument.id,
      tsNs: wire.receipt_timestamp_ns,
      recvNs,
      seq: wire.seq,
      valid: rebuilder.valid,
      bidPx: head(levels.bidPx, Math.min(n, levels.bidCount)),
      bidSz: head(levels.bidSz, Math.min(n, levels.bidCount)),
      askPx: head(levels.askPx, Math.min(n, levels.askCount)),
      askSz: head(levels.askSz, Math.min(n, levels.askCount)),
      mid: f.mid,
      relativeSpread: f.relativeSpread,
      imbalance: f.imbalance,
      bidDepth: f.bidDepth,
      askDepth: f.askDepth,
      ofi: f.ofi,
      midVolatility: f.midVolatility,
    };
    this.books++;
    state.accepted++;
    this.history.push(book.instrument, book);
    this.port.book(book, wire);
  }

  private drop(notice: FeedDrop, state?: StreamState): FeedDrop {
    this.drops[notice.reason]++;
    if (state !== undefined) {
      state.dropped++;
      state.lastDrop = notice.reason;
    }
    return notice;
  }

  private idOf(symbol: string): InstrumentId | undefined {
    const lookup = this.options.registry.resolve(symbol);
    return lookup.ok ? lookup.instrument.id : undefined;
  }
}

function bpsFrom(price: number, reference: number): string {
  return (1e4 * Math.log(price / reference)).toFixed(1);
}

function normaliseTrade(instrument: InstrumentId, wire: MarketstreamTrade, recvNs: Nanos): Trade {
  return {
    type: "Trade",
    instrument,
    tsNs: wire.receipt_timestamp_ns,
    recvNs,
    price: wire.price,
    amount: wire.amount,
    side: wire.side === "buy" ? 1 : -1,
    seq: wire.seq,
  };
}

/** The first `n` values as a plain array (a loop: `Array.from(typed.subarray())` is several times slower). */
function head(values: Float64Array, n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = values[i];
  return out;
}

function seqStreamOf(stream: MarketstreamStream): SeqStream {
  if (stream === "preprocessed_trades") return "trades";
  return stream === "preprocessed_book" ? "book" : "book_stream";
}

function applyToBook(rebuilder: BookRebuilder, stream: MarketstreamStream, wire: MarketstreamBookMessage): BookApplied {
  if (stream === "preprocessed_book_delta") {
    const m = wire as MarketstreamBookDelta;
    return rebuilder.delta(m.seq, m.side, m.px, m.sz);
  }
  if (stream === "preprocessed_book_ckpt") {
    const m = wire as MarketstreamBookCheckpoint;
    return rebuilder.checkpoint(m.seq, m.bid_px, m.bid_sz, m.ask_px, m.ask_sz);
  }
  const m = wire as MarketstreamBookSnapshot;
  return rebuilder.snapshot(m.seq, m.bids, m.asks);
}
