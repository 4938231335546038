import { randomBytes } from "node:crypto";
import { defineActor } from "../../runtime/actor.js";
import { Channels } from "../../protocol/channels.js";
import type { Book } from "../../protocol/market-data.js";
import type { AnyMessage } from "../../protocol/codec.js";
import type {
  AccountStateSent,
  AccountUpdated,
  OrderDenied,
  OrderRejected,
  PositionChanged,
  RequestAccountState,
  RequestCancel,
  SubmitOrder,
} from "../../protocol/orders.js";
import type { VenueEvent } from "../../protocol/wire/engine.js";
import type { AccountSnapshot } from "../../protocol/account.js";
import { bookingOf, collateralAsset } from "../../model/collateral.js";
import { OrderManagerCore, type Output } from "./core.js";
import { CloidGenerator, sessionHexFrom } from "./cloid.js";
import type { OrderEvent } from "./events.js";
import type { LedgerInstrument } from "./ledger.js";
import { LocalJournal, replay } from "./journal/local-log.js";
import { JournalDatabaseTier, NoJournalDatabase, type JournalDatabase } from "./journal/database.js";
import { JOURNAL_RETRY_TIMER, JournalWriteGate } from "./journal/write-gate.js";
import { fillAnomalyKind, noFillAnomalies, ordersStatus } from "./status.js";
import { InstrumentRegistry, instrumentNamed } from "../../model/instruments.js";
import { spellingsById } from "../../model/universe.js";
import type { OrdersSection } from "./section.js";
import { NS_PER_MS } from "../../model/time.js";

const SHIP_EVERY_MS = 200;
const COLLISION_MESSAGE = "fill id collision: exec id already booked for another order; booked to its own order";
/** The database is retried from this delay, doubling up to the maximum, while it cannot be reconciled. */
const DATABASE_RETRY = { initialMs: 250, maxMs: 5000 };
/**
 * Inputs that journal, held (in order) while the journal cannot be written; account state requests keep
 * their place among them.
 */
const JOURNALED_INPUTS = new Set([
  "AccountSnapshot",
  "OrderAccepted",
  "OrderRejected",
  "OrderCanceled",
  "OrderFilled",
  "RequestCancel",
  "RequestAccountState",
]);

/**
 * The order manager: every input is decided by the core, appended to the journal, then applied; only
 * then are its outputs sent. On start it folds the local journal (outputs discarded, so nothing is sent
 * twice), reconciles with the database, and republishes positions and balances.
 *
 * One writer: the journal is locked for this incarnation, closed the moment it ends (its signal aborts,
 * even on a crash elsewhere while the database opens), and the database tier it started is released
 * before the next incarnation starts. A journal that cannot be written (a full disk) halts entries and
 * holds fills, reports and cancels, in order, until a retry with backoff writes them.
 */
/** `journalDatabase: false` (set by the backtest runner) keeps the journal to its local log. */
export type OrdersConfig = OrdersSection & { readonly journalDatabase?: false };

export default defineActor<OrdersConfig>({
  kind: "orders",
  reads: [
    Channels.approvedOrders,
    Channels.cancelRequests,
    Channels.venueEvents,
    Channels.books,
    Channels.riskEvents,
    Channels.accountStateRequests,
  ],
  writes: [Channels.venueCommands, Channels.orderEvents, Channels.accountEvents],
  async init(ctx) {
    const section = ctx.config;
    ctx.faultPoint("orders:load-registry");
    const registry = new InstrumentRegistry(section.instruments);
    const leverage = section.perpLeverage;
    const ledgerInstrument = (symbol: string): LedgerInstrument | undefined => {
      const inst = instrumentNamed(registry, symbol);
      return inst && { ...bookingOf(symbol, inst), leverage };
    };
    const ack = section.orderManager.ack_timeout_ms;
    const core = new OrderManagerCore(
      {
        accountId: section.accountId,
        ackTimeoutNs: { ioc: BigInt(ack.ioc) * NS_PER_MS, gtc: BigInt(ack.gtc) * NS_PER_MS },
        instrument: ledgerInstrument,
        terminalOrdersKept: section.orderManager.terminal_orders_kept,
      },
      new CloidGenerator(sessionHexFrom(randomBytes(8))),
    );
    const journalConfig = section.journal;
    const owner = `${ctx.name} incarnation ${ctx.incarnation}`;
    const opened = LocalJournal.open(
      { path: journalConfig.path, fsync: journalConfig.fsync, fsyncIntervalMs: journalConfig.fsync_interval_ms, owner },
      ctx.log,
    );
    const journal = opened.journal;
    // Closed (and unlocked) the moment this incarnation ends: late async work of it cannot write any more.
    ctx.onDispose(() => journal.close());
    whenEnded(ctx.signal, () => journal.close());
    if (opened.truncatedBytes > 0)
      ctx.log.warn({ bytes: opened.truncatedBytes, problem: opened.problem }, "journal tail was torn; truncated");
    replay(opened.records, (event, seq) => core.apply(event, seq));

    // A backtest keeps the journal to its local log (in a temporary directory): a database would make the
    // start and the shipping wall-clock paced, and a run depend on it.
    const database: JournalDatabase =
      ctx.config.journalDatabase === false
        ? new NoJournalDatabase()
        : new JournalDatabaseTier({
            databaseUrl: section.databaseUrl ?? process.env.DATABASE_URL,
            dbPath: section.dbPath,
            accountId: section.accountId,
            owner,
            journal,
            local: opened.records,
            signal: ctx.signal,
            faultPoint: (step) => ctx.faultPoint(`orders:${step}`),
            log: ctx.log,
            shipEveryMs: SHIP_EVERY_MS,
            retry: DATABASE_RETRY,
          });
    ctx.onDispose(() => database.dispose());

    const marks = new Map<string, number>();
    // Orders and positions carry the configured spelling (the strategy's); books carry the instrument id.
    const spellingOf = spellingsById(section.universe);
    // Read once: the level does not change while the actor runs, so at info the debug lines cost one branch.
    const debug = ctx.log.isLevelEnabled("debug");
    const send = (output: Output): void => {
      if (debug && output.type === "PlaceOrder") {
        const { clId, symbol, side, orderType, tif, price, size, reduceOnly } = output;
        ctx.log.debug({ clId, symbol, side, orderType, tif, price, size, reduceOnly }, "sent to execution");
      }
      const channel =
        output.type === "PlaceOrder" || output.type === "CancelOrder"
          ? Channels.venueCommands
          : output.type === "OrderStatusChanged"
            ? Channels.orderEvents
            : Channels.accountEvents;
      ctx.send(channel, output);
    };
    const fillAnomalies = noFillAnomalies();
    /** Journals, then applies and sends. Throws `StorageError` with nothing journaled, applied or sent. */
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
      database.enqueue(records);
      ctx.metrics.count("journal_events_total", {}, records.length);
    };

    // Inputs wait with the host, in order (surviving a crash of this incarnation), until the database is
    // reconciled at start (OTP `handle_continue` style: the actor reports started at once) and while the
    // journal cannot be written; books still update the marks, and an entry is refused at once while the
    // database fails (it would be stale by the time it came back).
    const refusedAtOnce = (m: AnyMessage) =>
      m.type === "SubmitOrder" && (m as SubmitOrder).role === "entry" && database.problem !== undefined;
    ctx.holdInputs((m) => m.type !== "Book" && !refusedAtOnce(m));
    let reconciled = false;
    const gate = new JournalWriteGate(journal, ctx, (m) => JOURNALED_INPUTS.has(m.type));
    const journaled =
      <M>(handler: (m: M) => void) =>
      (m: M) =>
        void gate.run(() => handler(m));
    /** Why entries are refused: the journal or its database cannot write. */
    const entriesHaltedBy = (): string | undefined => {
      if (gate.failure !== undefined) return `journal: ${gate.failure.message}`;
      return database.noRoom || !reconciled ? database.problem : undefined;
    };
    const status = () => {
      const nowNs = ctx.now();
      return ordersStatus(core, marks, {
        fillAnomalies,
        unresolved: core.unresolvedOrders(nowNs),
        nowNs,
        journal: { writeFailure: gate.failure?.message, syncFailure: journal.syncError?.message },
        database: { problem: database.problem, haltsEntries: database.noRoom || !reconciled },
        held: ctx.heldInputs(),
        reconciled,
      });
    };

    const seedBalances = () => {
      const seeded = new Map<string, number>();
      for (const [asset, amount] of Object.entries(section.initialBalance))
        seeded.set(collateralAsset(asset), (seeded.get(collateralAsset(asset)) ?? 0) + amount);
      commit([...seeded].map(([asset, amount]) => ({ type: "BalanceSet", asset, amount, tsNs: ctx.now() }) as const));
      ctx.log.info({ balances: Object.fromEntries(seeded) }, "balances seeded from initial_balance (declared capital)");
    };
    /** Open orders, positions and balances after a rebuild, or for a restarted strategy or risk actor. */
    const publishState = () => {
      for (const orderStatus of core.openOrderStatuses(ctx.now())) ctx.send(Channels.orderEvents, orderStatus);
      for (const p of core.ledger.allPositions()) {
        const position: PositionChanged = {
          type: "PositionChanged",
          symbol: p.symbol,
          marketType: p.marketType,
          qty: p.qty,
          avgPrice: p.avgPrice,
          realizedPnl: p.realizedPnl,
          fees: p.fees,
          tsNs: ctx.now(),
        };
        ctx.send(Channels.accountEvents, position);
      }
      for (const asset of core.ledger.assets()) {
        const { total, locked } = core.ledger.balance(asset);
        const account: AccountUpdated = {
          type: "AccountUpdated",
          accountId: section.accountId,
          asset,
          total,
          locked,
          tsNs: ctx.now(),
        };
        ctx.send(Channels.accountEvents, account);
      }
      ctx.publishStatus(status);
    };
    database.start((restored) => {
      replay(restored, (event, seq) => core.apply(event, seq));
      const events = opened.records.length + restored.length;
      ctx.log.info({ events, open: core.openOrders().length }, "order manager rebuilt from journal");
      reconciled = true;
      // Declared capital, paper and live alike, until the venue's first account snapshot replaces it.
      if (events === 0) gate.runFirst(seedBalances);
      publishState();
      if (gate.failure === undefined) ctx.releaseInputs();
    });

    ctx.setInterval("ack-timeouts", 50);
    ctx.publishStatus(status);

    /** Logged and counted in risk's metric, as risk's own denials are: a refusal for balance is never silent. */
    const deny = (m: SubmitOrder, rule: string, reason: string) => {
      const { strategy, intentId, symbol } = m;
      ctx.metrics.count("risk_decisions_total", { decision: "denied", rule });
      ctx.log.info({ rule, reason, symbol, side: m.side, role: m.role, size: m.size, price: m.price }, "order denied");
      const denied: OrderDenied = { type: "OrderDenied", strategy, intentId, symbol, rule, reason, tsNs: ctx.now() };
      ctx.send(Channels.orderEvents, denied);
    };
    const submit = (m: SubmitOrder) => {
      const decision = core.onSubmit(m, ctx.now());
      if (!decision.ok) return deny(m, decision.reason, decision.detail);
      commit([decision.event]);
      if (debug) logReservation(decision.event.clId, m);
    };
    const logReservation = (clId: string, m: SubmitOrder) => {
      const reserved = core.ledger.reservation(clId);
      if (reserved === undefined) return;
      const { asset, amount } = reserved;
      const free = core.ledger.free(asset);
      ctx.log.debug({ clId, symbol: m.symbol, role: m.role, asset, amount, free }, "IM reservation");
    };
    /** Entries are refused while the journal or its database cannot write; exits are journaled if they can be. */
    const submitUnlessHalted = (m: SubmitOrder) => {
      const halted = entriesHaltedBy();
      if (halted !== undefined && m.role === "entry") return deny(m, "entries_halted", halted);
      submit(m);
    };
    const onVenueEvent = (event: VenueEvent) => {
      // Fees in a USD stablecoin come out of the one USD collateral balance.
      const booked =
        event.type === "OrderFilled" ? { ...event, feeCurrency: collateralAsset(event.feeCurrency) } : event;
      if (debug) ctx.log.debug(booked, "execution report");
      commit(core.onVenueEvent(booked));
      ctx.metrics.count("venue_events_total", { type: event.type });
      if (event.type === "OrderRejected") reportRejection(event);
    };
    /**
     * The venue's refusals (margin, balance, price, rate) logged and counted by reason code, as leadlag's own
     * denials are: live, a refusal for margin comes from the venue, and must not pass as a bare OrderRejected.
     */
    const reportRejection = (event: OrderRejected) => {
      const { reasonCode, reasonText, clId } = event;
      ctx.metrics.count("venue_rejections_total", { reason: reasonCode });
      const order = core.order(clId)?.submitted;
      const { symbol, side, role, size, price } = order ?? {};
      ctx.log.info({ clId, reasonCode, reasonText, symbol, side, role, size, price }, "order rejected by the venue");
    };
    return {
      handle: {
        SubmitOrder: (m: SubmitOrder) => {
          const failing = gate.failure !== undefined;
          // An exit is journaled if the journal takes it (then what is held is retried at once); an entry is refused.
          if (!gate.run(() => submitUnlessHalted(m))) {
            return deny(m, "journal_unavailable", entriesHaltedBy() ?? "journal unavailable");
          }
          if (failing && m.role !== "entry") gate.soon();
        },
        RequestCancel: journaled((m: RequestCancel) => commit(core.onCancelRequest(m, ctx.now()))),
        AccountSnapshot: journaled((s: AccountSnapshot) => commit(core.onAccountSnapshot(s, ctx.now()))),
        RequestAccountState: journaled((request: RequestAccountState) => {
          publishState();
          const sent: AccountStateSent = { type: "AccountStateSent", requester: request.requester, tsNs: ctx.now() };
          ctx.send(Channels.accountEvents, sent);
        }),
        OrderAccepted: journaled(onVenueEvent),
        OrderRejected: journaled(onVenueEvent),
        OrderCanceled: journaled(onVenueEvent),
        OrderFilled: journaled(onVenueEvent),
        Book: (b: Book) => {
          const symbol = spellingOf.get(b.instrument);
          if (symbol !== undefined && b.valid) marks.set(symbol, b.mid);
        },
      },
      // A submission checked and journal-encoded with nothing kept: the host rehearses the last one, an entry's step
      // after risk kept warm.
      decide: {
        SubmitOrder: (m: SubmitOrder) => {
          if (!reconciled || gate.failure !== undefined) return;
          const decision = core.rehearseSubmit(m, ctx.now());
          if (decision.ok) journal.rehearseAppend([decision.event]);
        },
      },
      onTimer: (name) => {
        if (name === JOURNAL_RETRY_TIMER) gate.retry();
        // Nothing decided is lost if the journal refuses it: the next tick decides again on the same state.
        else if (reconciled && gate.failure === undefined) gate.run(() => commit(core.onTimer(ctx.now())));
        // Every order kept is in the status: built when shipped (≤ 10/s), not on every 50 ms tick.
        ctx.publishStatus(status);
      },
      async onStop() {
        // A crashed incarnation's journal is already closed; its releases (ctx.onDispose) do the rest.
        if (ctx.signal.aborted) return;
        try {
          journal.flush();
        } catch (err) {
          ctx.log.error({ err }, "journal sync at stop failed");
        }
        await database.flush();
      },
    };
  },
});

/** Runs `release` when `signal` aborts, or at once if it already has. */
function whenEnded(signal: AbortSignal, release: () => void): void {
  if (signal.aborted) release();
  else signal.addEventListener("abort", release, { once: true });
}
