import type { Liquidity, ReasonCode } from "../../../protocol/orders.js";
import type { InboundCancel, InboundOrder, InboundPlace } from "../../../protocol/wire/engine-server.js";
import {
  fillTags,
  formatExecFill,
  formatExecReport,
  parseExecutionOrder,
  reportTags,
} from "../../../protocol/wire/engine-server.js";
import { EXEC_FILL_TOPIC, EXEC_REPORT_TOPIC } from "../../../protocol/wire/engine.js";
import { RecentKeys } from "../../shared/recent.js";
import type { Execution, VenueBook } from "./book.js";
import { copyBook, crosses, SIZE_DUST } from "./book.js";
import type { FeeModel, LatencyModel } from "./models.js";

/**
 * The matching core the paper and the simulated venue share: it takes the very ExecutionOrder frames the engine
 * adapter would PUSH and answers with the `exec.report` / `exec.fill` payloads the engine would publish, quirks
 * included (wire doc §2.9-2.12): no `filled` report (completion from fills), an IOC remainder ends in
 * `canceled`, an IOC that cannot trade at all is `accepted` without an oid then `rejected`, a cancel answers
 * `accepted` for the request and `canceled` for the order (optionally twice), fills without `tags.intent_id`
 * are dropped, a duplicate pending `cl_id` is ignored. Latency is a timestamp shift.
 *
 * What differs between venues is how an order trades, not its lifecycle: `MatchingRules` decide which
 * executions an arriving order takes and when a resting one fills (the paper venue walks the book; the
 * simulated venue adds slippage, a queue position and fill probabilities). Everything else is here once.
 *
 * Reduce-only orders are checked as Hyperliquid does against the position the venue's own fills built:
 * one that would open or grow a position is rejected (`reduceOnlyRejected`), one larger than the
 * position fills only the position, and a resting one is canceled once there is nothing left to reduce.
 * A restarted venue takes the positions the order manager knows (`seedPosition`); a symbol with neither
 * is not checked. An order the order manager holds open but this venue does not (it was resting or in
 * flight in an incarnation that crashed, or in a daemon that stopped) is canceled (`resolveLost`), as an
 * exchange cancels on disconnect: venue and order manager agree again. A graceful restart keeps
 * everything (`state` / the `restored` argument).
 *
 * Exchange order ids and exec ids are `<incarnation prefix><counter>`: every incarnation (a crash, a stop and
 * a start, kill -9) numbers apart from all the others without reading any state. The paper venue's prefix is
 * random (the simulated venue's comes from the backtest seed, so a backtest repeats), not
 * derived from the journal or rebuilt from the order manager: the journal can lose its last interval in a
 * power loss and the order manager never sees ids of fills still in flight, while a random prefix needs
 * neither and does not depend on the clock going forward.
 */

export interface EngineFrame {
  readonly topic: typeof EXEC_REPORT_TOPIC | typeof EXEC_FILL_TOPIC;
  readonly payload: string;
}

export interface VenueCoreConfig {
  readonly venue: string;
  readonly fees: FeeModel;
  readonly latency: LatencyModel;
  /** Fee currency per symbol (Hyperliquid perps: USDC). */
  readonly feeCurrency: (symbol: string) => string;
  /** Reports answering an inbound order carry a TSC-style `ts_ns` (ns since boot), as the engine's do (§2.11). */
  readonly tscReportTimestamps: boolean;
  /** Follow a cancel's `canceled` with the second one HL orderUpdates produces (§2.7). */
  readonly duplicateCancelReports: boolean;
  /** This incarnation's id prefix (`incarnationIdPrefix`); a graceful restart keeps the previous one. */
  readonly idPrefix: string;
}

export interface RestingOrder {
  readonly place: InboundPlace;
  readonly oid: string;
  remaining: number;
}

/** A trade print as the venue needs it: where it traded, how much, and which side was the aggressor. */
export interface MarketTrade {
  readonly price: number;
  readonly size: number;
  readonly aggressor: "buy" | "sell";
}

/**
 * How orders trade at one venue. `take` and `makerOn*` return executions of at most `size` (the book passed in
 * may be consumed); `onBook`/`onTrade` see every market update first, for state such as queue positions.
 */
export interface MatchingRules {
  /** Liquidity an arriving order takes now; empty when it takes none. */
  take(order: InboundPlace, book: VenueBook | undefined, size: number): Execution[];
  /** The order starts resting on `book` (the book as it stood when it arrived). */
  rested(order: RestingOrder, book: VenueBook | undefined): void;
  /** The order rests no more (filled, canceled). */
  removed(clId: string): void;
  onBook(symbol: string, book: VenueBook, resting: ReadonlyMap<string, RestingOrder>): void;
  onTrade(symbol: string, trade: MarketTrade, resting: ReadonlyMap<string, RestingOrder>): void;
  /** Does the market update reach this resting order (it would trade now)? */
  bookReaches(order: RestingOrder, book: VenueBook): boolean;
  tradeReaches(order: RestingOrder, trade: MarketTrade): boolean;
  makerOnBook(order: RestingOrder, book: VenueBook, size: number): Execution[];
  /** `book` is the venue's latest book of the symbol, if any. */
  makerOnTrade(order: RestingOrder, trade: MarketTrade, size: number, book: VenueBook | undefined): Execution[];
}

type Arrival = { readonly atNs: bigint; readonly order: NonNullable<InboundOrder> };

/** What a graceful restart hands to the next incarnation: everything but the books, which the feed resends. */
export interface VenueState {
  readonly resting: readonly (readonly [string, RestingOrder])[];
  readonly positions: readonly (readonly [string, number])[];
  readonly arrivals: readonly Arrival[];
  readonly processed: readonly string[];
  readonly idPrefix: string;
  readonly nextOid: bigint;
  readonly nextExecId: bigint;
}

/** An order the order manager reports open, as `resolveLost` needs it. */
export interface OpenOrderClaim {
  readonly clId: string;
  readonly intentId: string;
}

/**
 * Orders remembered as processed, so a status the order manager sent before it saw one finish is not taken for a lost
 * order.
 */
const PROCESSED_KEPT = 10_000;

/** Engine-style boot clock for TSC-derived timestamps: well below 1e17. */
const TSC_MODULUS = 10n ** 15n;

/** Digits of 2^64 - 1: every prefix has this width, so prefix + counter reads back one way only. */
const PREFIX_DIGITS = 20;

/**
 * An incarnation's id prefix from 8 random bytes (the shell passes `crypto.randomBytes(8)`: a core has no
 * entropy source), in decimal like Hyperliquid's oids and tids. Two incarnations share one with
 * probability 2^-64 per pair.
 */
export function incarnationIdPrefix(bytes: Uint8Array): string {
  if (bytes.length !== 8) throw new Error(`id prefix needs 8 bytes, got ${bytes.length}`);
  return Buffer.from(bytes).readBigUInt64BE().toString().padStart(PREFIX_DIGITS, "0");
}

export class VenueCore {
  private readonly books = new Map<string, VenueBook>();
  private readonly resting = new Map<string, RestingOrder>();
  /** Net position per symbol from this venue's fills, or seeded from the order manager's (base units, + long). */
  private readonly positions = new Map<string, number>();
  private readonly arrivals: Arrival[] = [];
  private readonly processed = new RecentKeys(PROCESSED_KEPT);
  private readonly idPrefix: string;
  private nextOid = 100_000_000n;
  private nextExecId = 500_000_000n;

  constructor(
    private readonly config: VenueCoreConfig,
    private readonly rules: MatchingRules,
    private readonly emit: (frame: EngineFrame) => void,
    restored?: VenueState,
  ) {
    this.idPrefix = restored?.idPrefix ?? config.idPrefix;
    if (!new RegExp(`^[0-9]{${PREFIX_DIGITS}}$`).test(this.idPrefix)) {
      throw new Error(`venue id prefix must be ${PREFIX_DIGITS} digits, got '${this.idPrefix}'`);
    }
    if (restored === undefined) return;
    for (const [clId, order] of restored.resting) this.resting.set(clId, { ...order });
    for (const [symbol, qty] of restored.positions) this.positions.set(symbol, qty);
    this.arrivals.push(...restored.arrivals);
    for (const clId of restored.processed) this.processed.add(clId);
    this.nextOid = restored.nextOid;
    this.nextExecId = restored.nextExecId;
  }

  /**
   * An order frame sent at `sentNs`; it takes effect once time reaches `sentNs + latency`. Unparsable JSON is dropped,
   * as the engine does.
   */
  onOrderFrame(text: string, sentNs: bigint): void {
    const order = parseExecutionOrder(text);
    if (order === undefined) return;
    const atNs = sentNs + this.config.latency.delayNs(sentNs);
    let i = this.arrivals.length;
    while (i > 0 && this.arrivals[i - 1].atNs > atNs) i--;
    this.arrivals.splice(i, 0, { atNs, order });
  }

  state(): VenueState {
    return {
      resting: [...this.resting].map(([clId, order]) => [clId, { ...order }] as const),
      positions: [...this.positions],
      arrivals: [...this.arrivals],
      processed: this.processed.keysOldestFirst(),
      idPrefix: this.idPrefix,
      nextOid: this.nextOid,
      nextExecId: this.nextExecId,
    };
  }

  /**
   * A position the order manager knows, for reduce-only checks; ignored once this venue has a position of its own for
   * the symbol.
   */
  seedPosition(symbol: string, qty: number): void {
    if (!this.positions.has(symbol)) this.positions.set(symbol, qty);
  }

  /**
   * An order the order manager holds open: if this venue neither rests it, nor has it in flight, nor
   * processed it, it was lost with a previous incarnation and is canceled now. Returns whether it was.
   */
  resolveLost(order: OpenOrderClaim, tsNs: bigint): boolean {
    const { clId } = order;
    if (this.resting.has(clId) || this.processed.has(clId) || this.arrivals.some((a) => a.order.clId === clId))
      return false;
    this.processed.add(clId);
    this.report(clId, "canceled", "", "ok", "venue restarted: order lost", this.ackTs(tsNs), {
      intent_id: order.intentId,
      venue: this.config.venue,
    });
    return true;
  }

  /** A market update (levels best-first). Orders due before it are processed against the previous book. */
  onBook(symbol: string, book: Readonly<VenueBook>, tsNs: bigint): void {
    this.advance(tsNs);
    const copy = copyBook(book);
    this.books.set(symbol, copy);
    if (this.resting.size === 0) return;
    this.rules.onBook(symbol, copy, this.resting);
    this.matchResting(symbol, tsNs, copy, undefined);
  }

  /** A trade print. Orders due before it are processed first; resting orders it reaches fill as makers. */
  onTrade(symbol: string, trade: MarketTrade, tsNs: bigint): void {
    this.advance(tsNs);
    if (this.resting.size === 0) return;
    this.rules.onTrade(symbol, trade, this.resting);
    this.matchResting(symbol, tsNs, undefined, trade);
  }

  /** Processes every order that has arrived by `nowNs`. */
  advance(nowNs: bigint): void {
    while (this.arrivals.length > 0 && this.arrivals[0].atNs <= nowNs) {
      const arrival = this.arrivals.shift() as Arrival;
      this.process(arrival.order, arrival.atNs);
    }
  }

  openOrderCount(): number {
    return this.resting.size;
  }

  positionOf(symbol: string): number | undefined {
    return this.positions.get(symbol);
  }

  private process(order: NonNullable<InboundOrder>, tsNs: bigint): void {
    this.processed.add(order.clId);
    if (order.action === "rejected") {
      this.report(
        order.clId,
        "rejected",
        "",
        order.reasonCode,
        order.reasonText,
        this.ackTs(tsNs),
        reportTags(order.tags, this.config.venue),
      );
    } else if (order.action === "cancel") {
      this.cancel(order, tsNs);
    } else if (!this.resting.has(order.clId)) {
      this.place(order, tsNs);
    }
  }

  private place(order: InboundPlace, tsNs: bigint): void {
    const tags = reportTags(order.tags, this.config.venue);
    const book = this.books.get(order.symbol);
    const immediate = order.tif === "IOC" || order.tif === "FOK";
    if ((order.tif === "PO" || order.tif === "ALO") && crosses(book, order.side, order.price)) {
      this.report(
        order.clId,
        "rejected",
        "",
        "post_only_violation",
        "Post only order would have immediately matched",
        tsNs,
        tags,
      );
      return;
    }
    const fillable = this.reducibleSize(order, order.size);
    if (fillable <= 0) {
      this.report(order.clId, "accepted", "", "ok", "ok", this.ackTs(tsNs), tags);
      this.report(order.clId, "rejected", "", "invalid_params", "reduceOnlyRejected", tsNs, tags);
      return;
    }
    const takes = this.rules.take(order, book, fillable);
    if (immediate && takes.length === 0) {
      // HL's immediate-path error is not recognised by the engine: an ack without oid, then the rejection (§2.9).
      this.report(order.clId, "accepted", "", "ok", "ok", this.ackTs(tsNs), tags);
      this.report(order.clId, "rejected", "", "venue_reject", "iocCancelRejected", tsNs, tags);
      return;
    }
    const oid = `${this.idPrefix}${this.nextOid++}`;
    this.report(order.clId, "accepted", oid, "ok", "ok", this.ackTs(tsNs), tags);
    let remaining = order.size;
    for (const t of takes) {
      this.fill(order, oid, t.price, t.size, "taker", tsNs);
      remaining -= t.size;
    }
    if (remaining <= order.size * 1e-9) return; // fully filled: no terminal report
    if (immediate) {
      this.report(order.clId, "canceled", oid, "ok", "Order cancelled", tsNs, tags);
      return;
    }
    const resting: RestingOrder = { place: order, oid, remaining };
    this.resting.set(order.clId, resting);
    this.rules.rested(resting, book);
  }

  private cancel(request: InboundCancel, tsNs: bigint): void {
    const venueTags = { venue: this.config.venue };
    this.report(
      request.clId,
      "accepted",
      "",
      "ok",
      "ok",
      this.ackTs(tsNs),
      reportTags(request.tags, this.config.venue),
    );
    const target = this.resting.get(request.clIdToCancel);
    if (!target) {
      this.report(
        request.clIdToCancel,
        "canceled",
        "",
        "ok",
        "Cancel idempotent: order missing",
        this.ackTs(tsNs),
        venueTags,
      );
      return;
    }
    this.resting.delete(request.clIdToCancel);
    this.rules.removed(request.clIdToCancel);
    this.report(request.clIdToCancel, "canceled", "", "ok", "Cancel accepted", this.ackTs(tsNs), target.place.tags);
    if (this.config.duplicateCancelReports)
      this.report(request.clIdToCancel, "canceled", target.oid, "ok", "Order cancelled", tsNs, venueTags);
  }

  /**
   * Resting orders of `symbol` that the market update (a book or a trade) reaches trade as makers, as the rules say.
   * Two arguments rather than a closure per update: this runs on every book.
   */
  private matchResting(symbol: string, tsNs: bigint, book?: VenueBook, trade?: MarketTrade): void {
    for (const [clId, order] of this.resting) {
      if (order.place.symbol !== symbol) continue;
      if (book ? !this.rules.bookReaches(order, book) : !trade || !this.rules.tradeReaches(order, trade)) continue;
      const fillable = this.reducibleSize(order.place, order.remaining);
      if (fillable <= 0) {
        this.resting.delete(clId);
        this.rules.removed(clId);
        this.report(
          clId,
          "canceled",
          order.oid,
          "ok",
          "reduceOnlyCanceled",
          tsNs,
          reportTags(order.place.tags, this.config.venue),
        );
        continue;
      }
      const executions = book
        ? this.rules.makerOnBook(order, book, fillable)
        : this.rules.makerOnTrade(order, trade as MarketTrade, fillable, this.books.get(symbol));
      for (const t of executions) {
        this.fill(order.place, order.oid, t.price, t.size, "maker", tsNs);
        order.remaining -= t.size;
      }
      if (order.remaining <= order.place.size * 1e-9) {
        this.resting.delete(clId);
        this.rules.removed(clId);
      }
    }
  }

  /** How much of `size` the order may fill: all of it, or for reduce-only at most the position it reduces. */
  private reducibleSize(order: InboundPlace, size: number): number {
    const position = order.reduceOnly ? this.positions.get(order.symbol) : undefined;
    if (position === undefined) return size;
    const reduces = order.side === "buy" ? position < 0 : position > 0;
    return reduces ? Math.min(size, Math.abs(position)) : 0;
  }

  private fill(
    order: InboundPlace,
    oid: string,
    price: number,
    size: number,
    liquidity: Liquidity,
    tsNs: bigint,
  ): void {
    const after = (this.positions.get(order.symbol) ?? 0) + (order.side === "buy" ? size : -size);
    // Sums of lot-sized fills leave float dust (0.1 + 0.2 - 0.3): flat is flat.
    this.positions.set(order.symbol, Math.abs(after) < SIZE_DUST ? 0 : after);
    if (order.tags.intent_id === undefined) return; // the exchange filled it; the engine drops the report (§2.10)
    this.emit({
      topic: EXEC_FILL_TOPIC,
      payload: formatExecFill({
        clId: order.clId,
        exchangeOrderId: oid,
        execId: `${this.idPrefix}${this.nextExecId++}`,
        symbol: order.symbol,
        side: order.side,
        price,
        size,
        feeCurrency: this.config.feeCurrency(order.symbol),
        feeAmount: this.config.fees.fee(price, size, liquidity),
        liquidity,
        tsNs,
        tags: fillTags(order.tags, order.clId, this.config.venue),
      }),
    });
  }

  private report(
    clId: string,
    status: "accepted" | "rejected" | "canceled",
    exchangeOrderId: string,
    reasonCode: ReasonCode,
    reasonText: string,
    tsNs: bigint,
    tags: Readonly<Record<string, string>>,
  ): void {
    this.emit({
      topic: EXEC_REPORT_TOPIC,
      payload: formatExecReport({ clId, status, exchangeOrderId, reasonCode, reasonText, tsNs, tags }),
    });
  }

  private ackTs(tsNs: bigint): bigint {
    return this.config.tscReportTimestamps ? tsNs % TSC_MODULUS : tsNs;
  }
}
