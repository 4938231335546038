import { randomBytes } from "node:crypto";
import { defineActor } from "../../../runtime/actor.js";
import { Channels } from "../../../protocol/channels.js";
import type { Config } from "../../../config/index.js";
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
import {
  parseEngineEvent,
  serializeCancel,
  serializePlace,
  toVenueEvent,
  type SerializeResult,
} from "../../../protocol/wire/engine.js";
import { isOpen } from "../../orders/state-machine.js";
import { incarnationIdPrefix, PaperVenueCore, type OpenOrderClaim, type PaperVenueState } from "./core.js";
import { bpsFees, constantLatency } from "./models.js";
import { instrumentNamed } from "../../../model/instruments.js";
import { loadRegistry } from "../../../config/index.js";
import type { PriceRules } from "../../../model/rounding.js";
import { perpSettings } from "../perp-settings.js";

/**
 * The paper venue (`execution.provider: paper`): orders are serialised exactly as for the engine, matched
 * by the paper core against the feed's books, and its exec.report / exec.fill payloads are parsed by the
 * same code as the engine's. Everything downstream cannot tell paper from live.
 *
 * On start it asks the order manager for the account: positions seed its reduce-only checks, and open
 * orders it does not hold (lost with a crashed incarnation or a stopped daemon) are canceled, so the two
 * agree again. A graceful restart hands its whole state over instead. Its exchange order ids and exec ids
 * carry a random per-incarnation prefix, so no incarnation repeats another's.
 */
/** Risk refuses an unknown instrument; were an order for one to come here, any price to 12 decimals passes. */
const ANY_PRICE: PriceRules = { tickSize: 1e-12, maxDecimals: null, maxSignificantFigures: null };

export default defineActor<Config>({
  kind: "venue",
  reads: [Channels.venueCommands, Channels.books, Channels.orderEvents, Channels.accountEvents],
  writes: [Channels.venueEvents, Channels.accountStateRequests],
  async init(ctx, restored) {
    const config = ctx.config;
    const registry = await loadRegistry(config);
    const latencyMs = config.execution.paper.latency_ms;
    const fees = config.risk.perps;
    const core = new PaperVenueCore(
      {
        venue: "hyperliquid",
        fees: bpsFees(fees.taker_bps, fees.maker_bps),
        latency: constantLatency(latencyMs),
        feeCurrency: (symbol) => instrumentNamed(registry, symbol)?.quote ?? "USDC",
        tscReportTimestamps: true,
        duplicateCancelReports: true,
        // Fresh per incarnation: ids never repeat those of a crashed or stopped one (the order manager keeps them).
        idPrefix: incarnationIdPrefix(randomBytes(8)),
      },
      (frame) => {
        const parsed = parseEngineEvent(frame.topic, frame.payload);
        if (!parsed.ok) return ctx.log.error({ error: parsed.error }, "paper venue produced an unparsable event");
        const event = toVenueEvent(parsed.event, ctx.now());
        if (event) ctx.send(Channels.venueEvents, event);
      },
      restored as PaperVenueState | undefined, // what this actor's own snapshot() returned, on a graceful restart
    );
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
      ctx.metrics.count("paper_orders_lost_total", {}, lost);
      ctx.log.warn(
        { orders: lost },
        "open orders this paper venue did not hold (lost in a crash or a stopped daemon) were canceled",
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
    const perpOf = perpSettings(config);
    const submit = (order: PlaceOrder | CancelOrder, serialized: SerializeResult) => {
      if (!serialized.ok) return reject(order, serialized);
      core.onOrderFrame(serialized.frame, ctx.now());
      if (latencyMs > 0) ctx.setTimer(`arrive-${order.clId}`, latencyMs);
      else core.advance(ctx.now());
    };
    return {
      handle: {
        PlaceOrder: (o: PlaceOrder) => {
          const inst = instrumentNamed(registry, o.symbol);
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
          const inst = instrumentNamed(registry, c.symbol);
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
          if (inst && b.valid) core.onBook(inst.engineSymbol, b, b.recvNs);
        },
      },
      onTimer: () => core.advance(ctx.now()),
      snapshot: () => core.state(),
    };
  },
});
