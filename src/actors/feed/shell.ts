import type { ActorContext, ActorInstance } from "../../runtime/actor.js";
import { Channels } from "../../protocol/channels.js";
import type { Book, HistoryReplayed, ReplayHistory, Trade } from "../../protocol/market-data.js";
import { elapsedMs, nsToSeconds } from "../../model/time.js";
import { InstrumentRegistry } from "../../model/instruments.js";
import { FeedCore, type FeedDrop } from "./core.js";
import type { StreamStats } from "./feed-types.js";
import { FeedHealth } from "./health.js";
import { LogRateLimit } from "./log-limit.js";
import type { FeedSection } from "./section.js";

const STATS_EVERY_MS = 1000;
/** Each drop reason is logged at most once per this period; all are counted in leadlag_feed_drops_total. */
const DROP_LOG_EVERY_MS = 10_000;
const COUNTED = ["gaps", "duplicates", "outOfOrder", "outliers", "restarts"] as const;
/** Seq gaps and price outliers are logged one line each, at most this many per symbol and stream per 10 s. */
const LINES_PER_KEY = 5;

/**
 * What the live feed (marketstream frames) and the backtest's replay feed (recorded messages) share: the
 * feed core, the history replay to a restarted subscriber, drop logging, statistics and health. Only the
 * way messages come in differs between the two actors.
 */
export interface FeedShell {
  readonly core: FeedCore;
  /** Logs a drop the core reported (each reason at most once per 10 s). */
  noteDrop(drop: FeedDrop | undefined, topic: string): void;
  readonly instance: Omit<ActorInstance, "handle"> & { handle: { ReplayHistory: (r: ReplayHistory) => void } };
}

export function createFeedShell(ctx: ActorContext<FeedSection>): FeedShell {
  const section = ctx.config;
  const perKey = new LogRateLimit(LINES_PER_KEY, DROP_LOG_EVERY_MS);
  const core = new FeedCore(
    {
      registry: new InstrumentRegistry(section.instruments),
      lookbackNs: section.lookbackNs,
      staleAfterNs: section.staleAfterNs,
      maxClockSkewNs: section.maxClockSkewNs,
      topLevels: section.topLevels,
      ...(section.outlier ? { outlier: section.outlier } : {}),
    },
    {
      ...(ctx.log.isLevelEnabled("debug")
        ? loggedMarketData(ctx)
        : {
            trade: (t: Trade) => ctx.send(Channels.trades, t),
            book: (b: Book) => ctx.send(Channels.books, b),
          }),
      gap: (gap) => {
        const permit = perKey.permit(`gap|${gap.symbol}|${gap.stream}`, elapsedMs(0n, ctx.now()));
        if (permit === undefined) return;
        ctx.log.warn(
          { ...gap, suppressed: permit.suppressed },
          "market data seq gap: messages lost upstream (at most 5 lines per symbol and stream per 10 s; " +
            "suppressed = lines left out before this one)",
        );
      },
    },
  );
  const health = new FeedHealth(new Set(section.watchedSymbols));
  const reported = new Map<string, StreamStats>();
  let lastDrops: Record<string, number> = {};
  const lastLogged = new Map<string, number>();
  ctx.setInterval("stats", STATS_EVERY_MS);
  return {
    core,
    noteDrop: (drop, topic) => {
      if (drop === undefined) return;
      const now = elapsedMs(0n, ctx.now());
      if (drop.reason === "price_outlier") {
        const permit = perKey.permit(`outlier|${topic}`, now);
        if (permit !== undefined)
          ctx.log.warn(
            { topic, detail: drop.detail, suppressed: permit.suppressed },
            "trade price outlier dropped (at most 5 lines per symbol per 10 s; all counted in " +
              "leadlag_feed_price_outliers_total{symbol})",
          );
        return;
      }
      if (now - (lastLogged.get(drop.reason) ?? -Infinity) < DROP_LOG_EVERY_MS) return;
      lastLogged.set(drop.reason, now);
      ctx.log.warn(
        { reason: drop.reason, field: drop.field, detail: drop.detail, topic },
        "market data frame dropped (each reason logged once per 10 s; all counted in leadlag_feed_drops_total)",
      );
    },
    instance: {
      handle: {
        ReplayHistory: (r: ReplayHistory) => {
          const n = core.replay({
            trade: (t: Trade) => ctx.send(Channels.replay, t),
            book: (b: Book) => ctx.send(Channels.replay, b),
          });
          const done: HistoryReplayed = { type: "HistoryReplayed", requester: r.requester, messages: n };
          ctx.send(Channels.replay, done);
          ctx.log.info({ requester: r.requester, messages: n }, "history replayed");
        },
      },
      onTimer: () => {
        const staleness = core.staleness(ctx.now());
        for (const s of staleness) {
          ctx.metrics.gauge("feed_last_receipt_age_seconds", s.ageNs === undefined ? -1 : nsToSeconds(s.ageNs), {
            symbol: s.symbol,
          });
          ctx.metrics.gauge("feed_stale", s.stale ? 1 : 0, { symbol: s.symbol });
        }
        const stats = core.stats();
        for (const [reason, n] of Object.entries(stats.drops)) {
          ctx.metrics.count("feed_drops_total", { reason }, n - (lastDrops[reason] ?? 0));
        }
        lastDrops = { ...stats.drops };
        for (const s of stats.streams) {
          const key = `${s.symbol}|${s.stream}`;
          const before = reported.get(key);
          ctx.metrics.count(
            "feed_messages_total",
            { symbol: s.symbol, stream: s.stream },
            s.messages - (before?.messages ?? 0),
          );
          for (const kind of COUNTED)
            ctx.metrics.count(
              "feed_sequence_anomalies_total",
              { symbol: s.symbol, stream: s.stream, kind },
              s[kind] - (before?.[kind] ?? 0),
            );
          if (s.stream === "trades")
            ctx.metrics.count(
              "feed_price_outliers_total",
              { symbol: s.symbol },
              s.priceOutliers - (before?.priceOutliers ?? 0),
            );
          if (s.bookValid !== undefined)
            ctx.metrics.gauge("feed_book_valid", s.bookValid ? 1 : 0, { symbol: s.symbol });
          reported.set(key, { ...s });
        }
        ctx.publishStatus({
          staleness: staleness.map((s) => ({
            symbol: s.symbol,
            stale: s.stale,
            age_s: s.ageNs === undefined ? null : nsToSeconds(s.ageNs),
          })),
          health: health.update(staleness, stats),
        });
      },
    },
  };
}

/** The core's outputs with a debug line each: chosen once at start, so at info no message costs a branch. */
function loggedMarketData(ctx: ActorContext<FeedSection>): { trade: (t: Trade) => void; book: (b: Book) => void } {
  const nameOf = new Map(ctx.config.instruments.map((i) => [i.id, i.symbol]));
  return {
    trade: (t) => {
      ctx.send(Channels.trades, t);
      const { price, amount, side } = t;
      ctx.log.debug({ kind: "trade", symbol: nameOf.get(t.instrument), price, amount, side }, "market data received");
    },
    book: (b) => {
      ctx.send(Channels.books, b);
      const { mid, valid } = b;
      const touch = { bid: b.bidPx[0], ask: b.askPx[0] };
      ctx.log.debug({ kind: "book", symbol: nameOf.get(b.instrument), mid, valid, ...touch }, "market data received");
    },
  };
}
