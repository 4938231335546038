import type { ActorContext, ActorInstance } from "../../../runtime/actor.js";
import { Channels } from "../../../protocol/channels.js";
import type { Book } from "../../../protocol/market-data.js";
import type {
  AccountStateSent,
  CancelOrder,
  OrderRejected,
  OrderStatusChanged,
  PlaceOrder,
  PositionChanged,
  RequestAccountState,
} from "../../../protocol/orders.js";
import { serializeCancel, serializePlace, type SerializeResult } from "../../../protocol/wire/engine.js";
import { instrumentNamed, type InstrumentRegistry } from "../../../model/instruments.js";
import type { PriceRules } from "../../../model/rounding.js";
import { isOpen } from "../../orders/state-machine.js";
import { perpSettings, type StrategyPerpSettings } from "../perp-settings.js";
import type { OpenOrderClaim, VenueCore } from "./core.js";

/** Risk refuses an unknown instrument; were an order for one to come here, any price to 12 decimals passes. */
const ANY_PRICE: PriceRules = { tickSize: 1e-12, maxDecimals: null, maxSignificantFigures: null };

export interface VenueShellOptions {
  /** Metric and log prefix: `paper` → `paper_orders_lost_total`. */
  readonly label: string;
  /** How long after it is sent an order reaches the venue, for the timer that processes it. */
  readonly arrivalDelayMs: number;
  /** The market time a book update takes effect at, in the core's clock. */
  readonly bookTime: (book: Book) => bigint;
}

/**
 * The handlers the paper and the simulated venue share: orders serialised exactly as for the engine and handed
 * to the core, an arrival timer per order, books for the core. On start it asks the order manager for the
 * account: positions seed the core's reduce-only checks, and open orders it does not hold (lost with a crashed
 * incarnation or a stopped daemon) are canceled, so the two agree again.
 */
export function venueHandlers(
  ctx: ActorContext<{ readonly perp: readonly StrategyPerpSettings[] }>,
  registry: InstrumentRegistry,
  core: VenueCore,
  options: VenueShellOptions,
): Pick<Required<ActorInstance>, "handle" | "onTimer"> {
  // Open orders the order manager reports until its answer is complete, by client id (it may send one twice).
  let claims: Map<string, OpenOrderClaim> | undefined = new Map();
  const request: RequestAccountState = { type: "RequestAccountState", requester: ctx.name, tsNs: ctx.now() };
  ctx.send(Channels.accountStateRequests, request);
  const reconcile = () => {
    if (claims === undefined) return;
    let lost = 0;
    for (const claim of claims.values()) if (core.resolveLost(claim, ctx.now())) lost++;
    claims = undefined;
    if (lost === 0) return;
    ctx.metrics.count(`${options.label}_orders_lost_total`, {}, lost);
    ctx.log.warn(
      { orders: lost },
      `open orders this ${options.label} venue did not hold (lost in a crash or a stopped daemon) were canceled`,
    );
  };
  // As the engine adapter does: refused before the wire (an unsnapped price, a size under a lot), logged, counted.
  const reject = (order: PlaceOrder | CancelOrder, result: Extract<SerializeResult, { ok: false }>) => {
    const { reason, detail } = result.error;
    ctx.log.warn({ clId: order.clId, reason, detail }, "order refused before the wire");
    ctx.metrics.count("venue_drops_total", { kind: "refused", reason });
    const rejected: OrderRejected = {
      type: "OrderRejected",
      clId: order.clId,
      exchangeOrderId: "",
      venueTsNs: ctx.now(),
      venueTsIsTsc: false,
      recvNs: ctx.now(),
      reasonCode: "invalid_params",
      reasonText: `${result.error.reason}: ${result.error.detail}`,
    };
    ctx.send(Channels.venueEvents, rejected);
  };
  // The frames the engine would get, perp settings included (the matching core ignores them, as the engine does).
  const perpOf = perpSettings(ctx.config.perp);
  const submit = (order: PlaceOrder | CancelOrder, serialized: SerializeResult) => {
    if (!serialized.ok) return reject(order, serialized);
    core.onOrderFrame(serialized.frame, ctx.now());
    if (options.arrivalDelayMs > 0) ctx.setTimer(`arrive-${order.clId}`, options.arrivalDelayMs);
    else core.advance(ctx.now());
  };
  return {
    handle: {
      PlaceOrder: (o: PlaceOrder) => {
        const inst = registry.byId(o.instrument);
        submit(
          o,
          serializePlace(o, {
            venue: inst?.venue ?? "hyperliquid",
            engineSymbol: inst?.engineSymbol ?? o.symbol,
            lotSize: inst?.lotSize ?? 0,
            priceRules: inst?.priceRules ?? ANY_PRICE,
            perp: perpOf(o.strategy),
          }),
        );
      },
      CancelOrder: (c: CancelOrder) => {
        const inst = registry.byId(c.instrument);
        submit(
          c,
          serializeCancel(c, { venue: inst?.venue ?? "hyperliquid", engineSymbol: inst?.engineSymbol ?? c.symbol }),
        );
      },
      OrderStatusChanged: (s: OrderStatusChanged) => {
        if (claims !== undefined && isOpen(s.status)) claims.set(s.clId, { clId: s.clId, intentId: s.intentId });
      },
      PositionChanged: (p: PositionChanged) => {
        if (claims === undefined) return; // only the answer to the start-up request seeds positions
        const inst = instrumentNamed(registry, p.symbol);
        if (inst) core.seedPosition(inst.engineSymbol, p.qty);
      },
      AccountStateSent: (done: AccountStateSent) => {
        if (done.requester === ctx.name) reconcile();
      },
      Book: (b: Book) => {
        const inst = registry.byId(b.instrument);
        if (inst && b.valid) core.onBook(inst.engineSymbol, b, options.bookTime(b));
      },
    },
    onTimer: () => core.advance(ctx.now()),
  };
}
