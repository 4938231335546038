import { defineActor } from "../../runtime/actor.js";
import { Channels } from "../../protocol/channels.js";
import type { Book } from "../../protocol/market-data.js";
import type {
  AccountUpdated,
  OrderStatusChanged,
  PositionChanged,
  ProposeOrder,
  RequestAccountState,
} from "../../protocol/orders.js";
import { bookingOf } from "../../model/collateral.js";
import { RiskCore, type BreakerChange, type FlattenSkip } from "./core.js";
import { BreakerStore } from "./breaker-store.js";
import type { BreakerMemory, BreakerState } from "./circuit-breaker.js";
import { breakerLimitsFrom, limitsFor, reconcileToleranceFrom } from "./limits.js";
import type { AccountSnapshot } from "../../protocol/account.js";
import { reportSnapshot } from "./snapshot-report.js";
import { InstrumentRegistry, instrumentNamed } from "../../model/instruments.js";
import { spellingsById } from "../../model/universe.js";
import type { RiskSection } from "./section.js";

const MARK_EVERY_MS = 500;
const BREAKER_STATES: readonly BreakerState[] = ["ACTIVE", "REDUCING", "HALTED"];

/**
 * Risk: every proposed order leaves as `SubmitOrder` (approved or modified) or `OrderDenied` naming the
 * rule and the numbers. Marks equity to market for the circuit breaker; a halt cancels every open order and
 * closes every position. The operator resets the breaker with the `reset` command (`POST /risk/reset`); the
 * daemon's stop sends `stop-entries`, `cancel-all` and, with `runtime.shutdown.flatten`, `flatten`.
 */
export default defineActor<RiskSection>({
  kind: "risk",
  reads: [
    Channels.proposedOrders,
    Channels.books,
    Channels.orderEvents,
    Channels.accountEvents,
    Channels.accountSnapshots,
  ],
  writes: [Channels.approvedOrders, Channels.riskEvents, Channels.accountStateRequests],
  async init(ctx) {
    const { risk, breakerFile } = ctx.config;
    const registry = new InstrumentRegistry(ctx.config.instruments);
    const store = new BreakerStore(breakerFile);
    const loaded = store.load();
    if (!loaded.ok)
      ctx.log.error(
        { file: store.file, error: loaded.error },
        "circuit breaker state unreadable: starting HALTED until an operator resets it (POST /risk/reset)",
      );
    const restoredBreaker: BreakerMemory | undefined = loaded.ok
      ? loaded.memory
      : { state: "HALTED", day: "", dayStartEquity: 0 };
    if (loaded.ok && loaded.memory)
      ctx.log.info({ file: store.file, ...loaded.memory }, "circuit breaker state restored");
    const core = new RiskCore({
      restoredBreaker,
      limits: (strategy) => limitsFor(risk, strategy),
      breaker: breakerLimitsFrom(risk),
      flattenBandBps: ctx.config.flattenBandBps,
      instrument: (symbol) => {
        const inst = instrumentNamed(registry, symbol);
        return inst && { ...bookingOf(symbol, inst), id: inst.id, lotSize: inst.lotSize, priceRules: inst.priceRules };
      },
      reconcile: reconcileToleranceFrom(risk),
      instrumentKey: (symbol) => instrumentNamed(registry, symbol)?.symbol ?? symbol,
    });
    // Orders carry the configured spelling (the strategy's); books carry the instrument id.
    const spellingOf = spellingsById(ctx.config.universe);
    // Read once: the level does not change while the actor runs, so at info the debug line costs one branch.
    const debug = ctx.log.isLevelEnabled("debug");
    const publish = () => {
      const breaker = core.breakerStatus();
      // One series per state, 1 for the current one: alert rules read `{state="ACTIVE"} != 1` (deploy/prometheus).
      for (const state of BREAKER_STATES)
        ctx.metrics.gauge("risk_breaker_state", state === breaker.state ? 1 : 0, { state });
      // No balances yet reads as equity 0: left unset rather than shown as a 100 % loss.
      if (core.balancesKnown) {
        ctx.metrics.gauge("risk_equity_usd", core.equityUsd());
        ctx.metrics.gauge("risk_day_start_equity_usd", breaker.dayStartEquity);
      }
      ctx.publishStatus({
        breaker,
        open_orders: core.openOrderCount(),
        equity_usd: core.equityUsd(),
        flattening: core.flattening,
        venue_account: venueAccountStatus(),
        limits: {
          global: risk.global,
          portfolio: risk.portfolio,
          perps: risk.perps,
          circuit_breaker: breakerLimitsFrom(risk),
        },
      });
    };
    const venueAccountStatus = () => {
      const v = core.venueAccount();
      return (
        v && { seq: v.seq, ts_ns: v.tsNs.toString(), margin_used: v.marginUsed, margin_available: v.marginAvailable }
      );
    };
    const onBreaker = (change: BreakerChange | null) => {
      store.save(core.breakerMemory());
      if (change === null) return;
      ctx.log.warn({ ...change.transition }, "circuit breaker transition");
      ctx.metrics.count("risk_breaker_transitions_total", { to: change.transition.to });
      if (change.cancelAll) ctx.send(Channels.riskEvents, change.cancelAll);
      publish();
    };
    // A position that cannot be closed is logged when its reason changes, and counted every time it is tried.
    const lastSkip = new Map<string, string>();
    const flatten = () => {
      const { orders, skipped } = core.flattenOrders(ctx.now());
      for (const order of orders) {
        ctx.log.warn({ symbol: order.symbol, side: order.side, size: order.size, price: order.price }, "flatten order");
        ctx.metrics.count("risk_flatten_orders_total", {});
        ctx.send(Channels.approvedOrders, order);
      }
      for (const skip of skipped) reportSkip(skip);
    };
    const reportSkip = (skip: FlattenSkip) => {
      ctx.metrics.count("risk_flatten_skipped_total", {});
      if (lastSkip.get(skip.symbol) === skip.reason) return;
      lastSkip.set(skip.symbol, skip.reason);
      ctx.log.error({ ...skip }, "position cannot be flattened");
    };
    const commands: Record<string, () => void> = {
      reset: () => {
        const transition = core.resetBreaker();
        store.save(core.breakerMemory());
        ctx.log.warn({ transition }, "circuit breaker reset by operator");
      },
      "stop-entries": () => {
        core.stopEntries("the daemon is stopping");
        ctx.log.info("entries stopped: the daemon is stopping");
      },
      "cancel-all": () => ctx.send(Channels.riskEvents, core.cancelAll("the daemon is stopping", ctx.now())),
      flatten: () => {
        core.requestFlatten();
        flatten();
      },
    };
    ctx.setInterval("mark", MARK_EVERY_MS);
    publish();
    // After a restart the exposure, inventory and open-order rules need what the order manager knows.
    const request: RequestAccountState = { type: "RequestAccountState", requester: ctx.name, tsNs: ctx.now() };
    ctx.send(Channels.accountStateRequests, request);
    return {
      // The rules on a proposal, decided and not recorded: the host rehearses the last one, kept warm for the next.
      decide: { ProposeOrder: (p: ProposeOrder) => core.evaluate(p, ctx.now()) },
      handle: {
        ProposeOrder: (p: ProposeOrder) => {
          const decision = core.onPropose(p, ctx.now());
          if (decision.kind === "submit") {
            if (debug) {
              const { symbol, side, role, size, price } = decision.message;
              ctx.log.debug(
                { symbol, side, role, size, price, decision: decision.message.decision },
                "risk validation",
              );
            }
            // One label set for every sample of a metric: Prometheus refuses a series with other label names.
            ctx.metrics.count("risk_decisions_total", { decision: decision.message.decision, rule: "" });
            ctx.send(Channels.approvedOrders, decision.message);
          } else {
            ctx.metrics.count("risk_decisions_total", { decision: "denied", rule: decision.message.rule });
            ctx.log.info(
              { rule: decision.message.rule, reason: decision.message.reason, symbol: p.symbol },
              "order denied",
            );
            ctx.send(Channels.riskEvents, decision.message);
          }
        },
        Book: (b: Book) => {
          const symbol = spellingOf.get(b.instrument);
          if (symbol !== undefined && b.valid) core.onBook(symbol, b.mid, b.recvNs);
        },
        OrderStatusChanged: (s: OrderStatusChanged) => {
          core.onOrderStatus(s);
          // A flatten order that did not close everything is followed up at once, not on the next mark.
          if (core.flattening) flatten();
        },
        PositionChanged: (p: PositionChanged) => core.onPosition(p),
        AccountUpdated: (a: AccountUpdated) => core.onAccount(a),
        AccountSnapshot: (snapshot: AccountSnapshot) => {
          const { outcome, change } = core.onAccountSnapshot(snapshot, ctx.now());
          reportSnapshot(ctx, snapshot, outcome);
          onBreaker(change);
          publish();
          // After the comparison, never before: the order manager adopts the venue's balances.
          ctx.send(Channels.riskEvents, snapshot);
        },
      },
      onTimer: () => {
        onBreaker(core.markToMarket(ctx.now()));
        flatten();
        publish();
      },
      onCommand: (command) => {
        const run = Object.hasOwn(commands, command) ? commands[command] : undefined;
        if (run === undefined) return ctx.log.warn({ command }, "unknown risk command ignored");
        run();
        publish();
      },
    };
  },
});
