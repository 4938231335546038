import { appendFileSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { defineActor } from "../../runtime/actor.js";
import { Channels } from "../../protocol/channels.js";
import type { Book, Trade } from "../../protocol/market-data.js";
import type {
  OrderDenied,
  OrderStatusChanged,
  PositionChanged,
  ProposeOrder,
  RequestAccountState,
} from "../../protocol/orders.js";
import type { JumpDetected, PairsScanned } from "../../protocol/signals.js";
import { nsToSeconds } from "../../model/time.js";
import { InstrumentRegistry, instrumentNamed } from "../../model/instruments.js";
import { formatPrice, formatSize, formatUsd } from "../../model/display.js";
import { StrategyCore } from "./core.js";
import { DECISION_CSV_HEADER, decisionCsvRow } from "./decision-csv.js";
import type { DecisionRecord } from "./records.js";
import { type DecisionSummary, LAST_DECISIONS, decisionSummary } from "./decision-summary.js";
import { artifactStoreOf, loadArtifacts } from "./artifact-files.js";
import type { StrategySection } from "./section.js";

const TICK_MS = 50;
/**
 * How long the strategy's thread polls for the shards' pushed results after a jump whose results are not all in,
 * instead of parking (a jump every few seconds: cheap).
 */
const SCAN_RESULTS_POLL_MS = 5;

/**
 * The lead-lag strategy shell: a jump and the scans the shards push for it become entries, books drive the
 * executors' exits, a 50 ms timer runs time limits and label realisation. Decision records are batched
 * to the CSV on that timer, off the decision path.
 */
export default defineActor<StrategySection>({
  kind: "strategy",
  reads: [
    Channels.jumps,
    Channels.scanResults,
    Channels.books,
    Channels.trades,
    Channels.orderEvents,
    Channels.accountEvents,
    Channels.riskEvents,
  ],
  writes: [Channels.proposedOrders, Channels.cancelRequests, Channels.accountStateRequests],
  async init(ctx) {
    const section = ctx.config;
    const { params, universe: instruments, artifacts: loaded } = section;
    // The artifacts were read at the daemon's start; this store only serves the reloads.
    const registry = new InstrumentRegistry(section.instruments);
    const store = artifactStoreOf(params, registry, instruments);
    // Read once: the level does not change while the actor runs, so at info the debug lines cost one branch.
    const debug = ctx.log.isLevelEnabled("debug");
    const price = (symbol: string, value: number) => {
      const inst = instrumentNamed(registry, symbol);
      return inst === undefined ? String(value) : formatPrice(value, inst.priceRules);
    };
    const size = (symbol: string, value: number) => {
      const inst = instrumentNamed(registry, symbol);
      return inst === undefined ? String(value) : formatSize(value, inst.lotSize);
    };
    const symbolOf = new Map(instruments.map((i) => [i.id, i.symbol]));
    // Entries proposed and not yet filled (debug only): their first fill is logged as the entry opened.
    const entriesAwaitingFill = new Set<string>();
    if (!loaded.ok)
      ctx.log.error({ errors: loaded.errors, path: params.artifacts_path }, "artifacts rejected; using the defaults");
    if (loaded.set.source === "defaults") {
      ctx.log.warn(
        { path: params.artifacts_path, pairs: loaded.set.pairs.length },
        "no artifacts: every ordered pair of the configured symbols, default feature weights; the HY gates decide " +
          "which way leads",
      );
    }

    const csvPath = params.decision_scores_csv_path;
    mkdirSync(path.dirname(csvPath), { recursive: true });
    if (!existsSync(csvPath)) appendFileSync(csvPath, DECISION_CSV_HEADER + "\n");
    // Decisions are booked (CSV row, metrics) on the tick timer, off the path from scan results to an order.
    let decided: { record: DecisionRecord; latencyS: number | undefined }[] = [];
    // The newest few, published with the status for the live status page.
    let lastDecisions: DecisionSummary[] = [];

    const core = new StrategyCore(
      {
        name: section.name,
        params,
        instruments,
        artifacts: loaded.set,
        staleBookNs: section.staleBookNs,
      },
      {
        // From the jump's arrival to this lagger's decision; a jump stopped before any scan is not timed.
        decision: (record, scanOpenedNs) =>
          decided.push({
            record,
            latencyS: scanOpenedNs === undefined ? undefined : nsToSeconds(ctx.now() - scanOpenedNs),
          }),
        positionClosed: (p) => {
          ctx.log.info(
            {
              intent: p.intentId,
              symbol: p.symbol,
              side: p.side,
              qty: p.qty,
              entry: p.entryPrice,
              exit: p.exitPrice,
              closedBy: p.closedBy,
              pnl: p.realizedPnl,
              fees: p.estimatedFees,
            },
            `position closed: ${p.symbol} ${p.closedBy}, ${p.side} ${size(p.symbol, Math.abs(p.qty))} ` +
              `${price(p.symbol, p.entryPrice)} → ${price(p.symbol, p.exitPrice)}, PnL ${formatUsd(p.realizedPnl)} USD`,
          );
          ctx.metrics.count("exits_total", { closed_by: p.closedBy });
          ctx.metrics.add("realized_pnl_usd", p.realizedPnl);
        },
        anomaly: (a) => ctx.log.warn(a, "strategy anomaly"),
        positionAdopted: (a) => {
          ctx.metrics.count("positions_adopted_total", { symbol: a.symbol });
          ctx.log.warn(
            a,
            "adopted a position no executor held (left by a restart): it now has brackets and a time limit",
          );
        },
      },
    );
    const bookDecisions = () => {
      if (decided.length === 0) return;
      for (const { record, latencyS } of decided) {
        ctx.metrics.count("decisions_total", {
          outcome: record.outcome === "entered" ? "entered" : "stopped",
          gate: record.outcome === "entered" ? "" : record.outcome,
        });
        if (latencyS !== undefined) ctx.metrics.observe("decision_latency_seconds", latencyS);
      }
      appendFileSync(csvPath, decided.map(({ record }) => decisionCsvRow(record)).join("\n") + "\n");
      lastDecisions = [...lastDecisions, ...decided.map(({ record }) => decisionSummary(record))].slice(
        -LAST_DECISIONS,
      );
      decided = [];
    };
    const propose = (orders: readonly ProposeOrder[]) => {
      for (const order of orders) {
        ctx.metrics.count("orders_proposed_total", { role: order.role, symbol: order.symbol });
        ctx.send(Channels.proposedOrders, order);
      }
      // After the sends: the lines never delay an order.
      for (const order of orders) if (order.role === "entry") logEntry(order);
    };
    /** The entry's info line, with the decision that took it (pushed in the same turn). */
    const logEntry = (order: ProposeOrder) => {
      const record = decided.findLast((d) => d.record.intentId === order.intentId)?.record;
      const { symbol, side } = order;
      ctx.log.info(
        {
          intent: order.intentId,
          symbol,
          side,
          size: order.size,
          price: order.price,
          orderType: order.orderType,
          strength: record?.strength,
          tauStarS: record?.tauStarS,
          leader: record?.leader,
        },
        `entry: ${symbol} ${side} ${size(symbol, order.size)} @ ${price(symbol, order.price)}` +
          (record === undefined
            ? ""
            : `, strength ${record.strength.toFixed(2)}, tau* ${record.tauStarS.toFixed(3)} s after ${record.leader}`),
      );
      if (!debug) return;
      entriesAwaitingFill.add(order.intentId);
      const atr = core.atr(order.instrument);
      ctx.log.debug({ symbol, ready: atr.ready, atr: atr.atr, closedBars: atr.closedBars }, "ATR status");
    };

    const logPasses = (pushed: PairsScanned) => {
      for (const r of pushed.results) {
        if (!r.passes) continue;
        const leader = symbolOf.get(pushed.leader);
        const lagger = symbolOf.get(r.lagger);
        ctx.log.debug(
          {
            leader,
            lagger,
            feature: r.feature,
            tauStarS: r.tauStarS,
            rhoStar: r.rhoStar,
            lls: r.lls,
            shard: pushed.shard,
          },
          "HY pass",
        );
      }
    };
    const logEntryOpened = (s: OrderStatusChanged) => {
      if (s.status === "pending_new" || s.status === "accepted") return;
      // The first fill opens the position; an entry ended without one (canceled, rejected) opened nothing.
      entriesAwaitingFill.delete(s.intentId);
      if (s.status !== "filled" && s.status !== "partially_filled") return;
      ctx.log.debug(
        { intent: s.intentId, symbol: s.symbol, side: s.side, filled: s.filledSize, avgPrice: s.avgFillPrice },
        "entry opened",
      );
    };

    ctx.setInterval("tick", TICK_MS);
    // A restarted strategy has no executors: the order manager's positions tell it what to adopt.
    const stateRequest: RequestAccountState = { type: "RequestAccountState", requester: ctx.name, tsNs: ctx.now() };
    ctx.send(Channels.accountStateRequests, stateRequest);
    if (params.artifacts_auto_reload) ctx.setInterval("artifacts", params.artifacts_refresh_interval_seconds * 1000);
    return {
      handle: {
        Book: (b: Book) => propose(core.onBook(b, ctx.now())),
        Trade: (t: Trade) => core.onTrade(t),
        JumpDetected: (j: JumpDetected) => {
          const inFlight = core.scansInFlight;
          propose(core.onJump(j, ctx.now()));
          if (core.scansInFlight > inFlight) ctx.expectReply(SCAN_RESULTS_POLL_MS);
        },
        PairsScanned: (pushed: PairsScanned) => {
          propose(core.onPairsScanned(pushed, ctx.now()));
          if (core.scansInFlight === 0) ctx.expectReply(0);
          if (debug) logPasses(pushed);
        },
        OrderStatusChanged: (s: OrderStatusChanged) => {
          if (debug && entriesAwaitingFill.has(s.intentId)) logEntryOpened(s);
          if (s.status === "filled" || s.status === "partially_filled")
            ctx.metrics.count("fills_total", { symbol: s.symbol });
          const cancel = core.onOrderStatus(s, ctx.now());
          if (cancel) ctx.send(Channels.cancelRequests, cancel);
        },
        OrderDenied: (d: OrderDenied) => core.onOrderDenied(d, ctx.now()),
        PositionChanged: (p: PositionChanged) => core.onPosition(p, ctx.now()),
      },
      onTimer: (name) => {
        if (name === "artifacts") {
          const reload = loadArtifacts(store, params.artifacts_path);
          if (reload.ok) core.setArtifacts(reload.set);
          else ctx.log.error({ errors: reload.errors }, "artifacts reload rejected; keeping the last good set");
          return;
        }
        propose(core.onTimer(ctx.now()));
        bookDecisions();
        const states = core.executorStates();
        for (const [state, n] of Object.entries(states)) ctx.metrics.gauge("executors", n, { state });
        ctx.metrics.gauge("open_positions", core.openPositions);
        ctx.metrics.gauge("unrealized_pnl_usd", core.unrealizedPnl());
        ctx.metrics.gauge("rls_samples", core.rls.samples);
        ctx.publishStatus({
          open_positions: core.openPositions,
          executors: states,
          scans_in_flight: core.scansInFlight,
          rls_ready: core.rls.ready,
          last_decisions: lastDecisions,
        });
      },
      onStop: bookDecisions,
      // The path from a shard's results' arrival to an entry order: the host rehearses the last results, kept warm.
      decide: {
        PairsScanned: (pushed: PairsScanned) => {
          ctx.rehearseCodec(pushed);
          return core.rehearse(ctx.now());
        },
      },
    };
  },
});
