import { randomBytes } from "node:crypto";
import { defineActor } from "../../runtime/actor.js";
import { Channels } from "../../protocol/channels.js";
import type { Config } from "../../supervisor/config/index.js";
import type { Book } from "../../protocol/market-data.js";
import type { AccountStateSent, AccountUpdated, OrderDenied, PositionChanged, RequestAccountState, RequestCancel, SubmitOrder } from "../../protocol/orders.js";
import type { VenueEvent } from "../../protocol/wire/engine.js";
import { collateralAsset, instrumentNamed, loadRegistry, marketTypeOf } from "../shared/instruments.js";
import { universe } from "../shared/universe.js";
import { OrderManagerCore, type Output } from "./core.js";
import { CloidGenerator, sessionHexFrom } from "./cloid.js";
import type { OrderEvent } from "./events.js";
import type { LedgerInstrument } from "./ledger.js";
import { LocalJournal, replay } from "./journal/local-log.js";
import { openJournalDatabase } from "./journal/clients.js";
import { JournalStore } from "./journal/store.js";
import { JournalShipper } from "./journal/shipper.js";
import { fillAnomalyKind, noFillAnomalies, ordersStatus } from "./status.js";

const SHIP_EVERY_MS = 200;
const COLLISION_MESSAGE = "fill id collision: exec id already booked for another order; booked to its own order";

/**
 * The order manager: every input is decided by the core, appended to the journal, then applied; only
 * then are its outputs sent. On start it folds the local journal (outputs discarded, so nothing is sent
 * twice), reconciles with the database, and republishes positions and balances.
 */
export default defineActor<Config>({
  kind: "orders",
  reads: [Channels.approvedOrders, Channels.cancelRequests, Channels.venueEvents, Channels.books, Channels.riskEvents, Channels.accountStateRequests],
  writes: [Channels.venueCommands, Channels.orderEvents, Channels.accountEvents],
  async init(ctx) {
    const config = ctx.config;
    const registry = await loadRegistry(config);
    const leverage = config.strategies[0]?.config.perp_leverage ?? 1;
    const ledgerInstrument = (symbol: string): LedgerInstrument | undefined => {
      const inst = instrumentNamed(registry, symbol);
      return inst && { symbol, marketType: marketTypeOf(inst), base: inst.base, quote: collateralAsset(inst.quote), leverage };
    };
    const ack = config.runtime.order_manager.ack_timeout_ms;
    const core = new OrderManagerCore(
      {
        accountId: config.runtime.account_id,
        ackTimeoutNs: { ioc: BigInt(ack.ioc) * 1_000_000n, gtc: BigInt(ack.gtc) * 1_000_000n },
        instrument: ledgerInstrument,
        terminalOrdersKept: config.runtime.order_manager.terminal_orders_kept,
      },
      new CloidGenerator(sessionHexFrom(randomBytes(8))),
    );
    const journalConfig = config.runtime.journal;
    const opened = LocalJournal.open({ path: journalConfig.path, fsync: journalConfig.fsync, fsyncIntervalMs: journalConfig.fsync_interval_ms }, ctx.log);
    const journal = opened.journal;
    if (opened.truncatedBytes > 0) ctx.log.warn({ bytes: opened.truncatedBytes, problem: opened.problem }, "journal tail was torn; truncated");
    replay(opened.records, (event, seq) => core.apply(event, seq));

    const marks = new Map<string, number>();
    // Orders and positions carry the configured spelling (the strategy's); books carry the instrument id.
    const spellingOf = new Map(universe(config, registry).map((u) => [u.id, u.symbol]));
    const send = (output: Output): void => {
      const channel = output.type === "PlaceOrder" || output.type === "CancelOrder" ? Channels.venueCommands : output.type === "OrderStatusChanged" ? Channels.orderEvents : Channels.accountEvents;
      ctx.send(channel, output);
    };
    const fillAnomalies = noFillAnomalies();
    const status = () => {
      const nowNs = ctx.now();
      return ordersStatus(core, marks, { fillAnomalies, unresolved: core.unresolvedOrders(nowNs), nowNs });
    };
    const commit = (events: readonly OrderEvent[]): void => {
      if (events.length === 0) return;
      const records = journal.append(events);
      for (const record of records) {
        const outcome = core.apply(record.event, record.seq);
        for (const anomaly of outcome.anomalies) {
          const kind = fillAnomalyKind(anomaly);
          ctx.log.warn(anomaly, kind === "fill_id_collision" ? COLLISION_MESSAGE : "order anomaly");
          if (kind === undefined) continue;
          fillAnomalies[kind]++;
          ctx.metrics.count("orders_fill_anomalies_total", { kind });
        }
        for (const output of outcome.outputs) send(output);
      }
      shipper?.enqueue(records);
      ctx.metrics.count("journal_events_total", {}, records.length);
    };

    // The database (PGlite takes seconds to start) is reconciled after init returns, OTP `handle_continue`
    // style: the actor reports started at once and holds its inputs until the journal is whole.
    const held: (() => void)[] = [];
    let reconciled = false;
    let shipper: JournalShipper | undefined;
    let closeDatabase: () => Promise<void> = async () => undefined;
    const whenReconciled = <M>(handler: (m: M) => void) => (m: M) => (reconciled ? handler(m) : held.push(() => handler(m)));
    const reconcile = async () => {
      const database = await openJournalDatabase({ databaseUrl: config.runtime.database_url ?? process.env.DATABASE_URL, dbPath: config.runtime.db_path }, ctx.log);
      closeDatabase = () => database.close();
      shipper = new JournalShipper(new JournalStore(database), config.runtime.account_id, ctx.log);
      const { restored } = await shipper.reconcile(journal, opened.records);
      replay(restored, (event, seq) => core.apply(event, seq));
      shipper.start(SHIP_EVERY_MS);
      ctx.log.info({ events: opened.records.length + restored.length, open: core.openOrders().length }, "order manager rebuilt from journal");
      if (opened.records.length === 0 && restored.length === 0 && config.execution.mode === "paper") seedBalances();
      publishState();
      reconciled = true;
      for (const run of held.splice(0)) run();
    };

    const seedBalances = () => {
      const seeded = new Map<string, number>();
      for (const [asset, amount] of Object.entries(config.initial_balance)) seeded.set(collateralAsset(asset), (seeded.get(collateralAsset(asset)) ?? 0) + amount);
      commit([...seeded].map(([asset, amount]) => ({ type: "BalanceSet", asset, amount, tsNs: ctx.now() }) as const));
    };
    /** Open orders, positions and balances after a rebuild, or for a restarted strategy or risk actor. */
    const publishState = () => {
      for (const status of core.openOrderStatuses(ctx.now())) ctx.send(Channels.orderEvents, status);
      for (const p of core.ledger.allPositions()) {
        const position: PositionChanged = { type: "PositionChanged", symbol: p.symbol, marketType: p.marketType, qty: p.qty, avgPrice: p.avgPrice, realizedPnl: p.realizedPnl, fees: p.fees, tsNs: ctx.now() };
        ctx.send(Channels.accountEvents, position);
      }
      for (const asset of core.ledger.assets()) {
        const { total, locked } = core.ledger.balance(asset);
        const account: AccountUpdated = { type: "AccountUpdated", accountId: config.runtime.account_id, asset, total, locked, tsNs: ctx.now() };
        ctx.send(Channels.accountEvents, account);
      }
      ctx.publishStatus(status);
    };
    ctx.setInterval("ack-timeouts", 50);
    void reconcile().catch((err: unknown) => {
      ctx.log.error({ err }, "journal database unavailable; orders are held until it is reachable (restart the actor to retry)");
    });

    let lastSubmit: SubmitOrder | undefined;
    const onVenueEvent = (event: VenueEvent) => {
      ctx.metrics.count("venue_events_total", { type: event.type });
      // Fees in a USD stablecoin come out of the one USD collateral balance.
      const booked = event.type === "OrderFilled" ? { ...event, feeCurrency: collateralAsset(event.feeCurrency) } : event;
      commit(core.onVenueEvent(booked));
    };
    return {
      handle: {
        SubmitOrder: whenReconciled((m: SubmitOrder) => {
          lastSubmit = m;
          const decision = core.onSubmit(m, ctx.now());
          if (decision.ok) return commit([decision.event]);
          const denied: OrderDenied = { type: "OrderDenied", strategy: m.strategy, intentId: m.intentId, symbol: m.symbol, rule: decision.reason, reason: decision.detail, tsNs: ctx.now() };
          ctx.send(Channels.orderEvents, denied);
        }),
        RequestCancel: whenReconciled((m: RequestCancel) => commit(core.onCancelRequest(m, ctx.now()))),
        RequestAccountState: whenReconciled((request: RequestAccountState) => {
          publishState();
          const sent: AccountStateSent = { type: "AccountStateSent", requester: request.requester, tsNs: ctx.now() };
          ctx.send(Channels.accountEvents, sent);
        }),
        OrderAccepted: whenReconciled(onVenueEvent),
        OrderRejected: whenReconciled(onVenueEvent),
        OrderCanceled: whenReconciled(onVenueEvent),
        OrderFilled: whenReconciled(onVenueEvent),
        Book: (b: Book) => {
          const symbol = spellingOf.get(b.instrument);
          if (symbol !== undefined && b.valid) marks.set(symbol, b.mid);
        },
      },
      // The last order submitted, checked and journal-encoded again with nothing kept: an entry's step after risk, kept warm.
      rehearse: () => {
        if (!reconciled || lastSubmit === undefined) return;
        const decision = core.rehearseSubmit(lastSubmit, ctx.now());
        if (decision.ok) journal.rehearseAppend([decision.event]);
      },
      onTimer: () => {
        if (!reconciled) return;
        commit(core.onTimer(ctx.now()));
        // Every order kept is in the status: built when shipped (≤ 10/s), not on every 50 ms tick.
        ctx.publishStatus(status);
      },
      async onStop() {
        journal.flush();
        await shipper?.stop();
        journal.close();
        await closeDatabase();
      },
    };
  },
});
