import type { BackpressurePolicy } from "./host.js";

/**
 * Channel names, built here once and nowhere else. Dotted, most general first. Market data may drop the
 * oldest frames under pressure (a gap the consumer sees); everything that carries orders, reports, fills,
 * replays or control never drops.
 *
 *   md-bridge ─md.wire─▶ feed ─md.trade/md.book─▶ jumps, strategy, estimator-*, risk, orders, venue
 *   estimator-* ─md.replay.request─▶ feed ─md.replay─▶ estimator-*          (warm restart)
 *   jumps ─signal.jump─▶ strategy
 *   estimator-* ─signal.scan.result─▶ strategy             (pushed when a shard's replica detectors see a jump)
 *   strategy ─orders.proposed─▶ risk ─orders.approved─▶ orders ─orders.venue─▶ venue
 *   strategy ─orders.cancel─▶ orders
 *   strategy, risk ─orders.state.request─▶ orders ─events.account─▶ strategy, risk   (after a restart)
 *   risk ─events.risk─▶ strategy (denials), orders (cancel-all on halt, reconciled account snapshots)
 *   venue ─events.venue─▶ orders ─events.order/events.account─▶ strategy, risk
 *   account-sync ─events.account.snapshot─▶ risk ─events.risk─▶ orders   (the venue's account, reconciled)
 */
export const Channels = {
  /** Raw marketstream frames (topic, JSON) from the ZeroMQ bridge to the feed. */
  wireMarketData: "md.wire",
  trades: "md.trade",
  books: "md.book",
  /** A restarted subscriber asks the feed for its history buffer… */
  replayRequests: "md.replay.request",
  /** …and gets it on this channel, oldest first. */
  replay: "md.replay",
  jumps: "signal.jump",
  scanResults: "signal.scan.result",
  proposedOrders: "orders.proposed",
  approvedOrders: "orders.approved",
  /** strategy → orders: cancel a remainder the strategy no longer wants. */
  cancelRequests: "orders.cancel",
  /** strategy, risk → orders: a restarted actor asks for the positions and balances it lost. */
  accountStateRequests: "orders.state.request",
  venueCommands: "orders.venue",
  venueEvents: "events.venue",
  orderEvents: "events.order",
  accountEvents: "events.account",
  riskEvents: "events.risk",
  /** account-sync → risk: the venue's account snapshots (docs/account-sync.md). */
  accountSnapshots: "events.account.snapshot",
} as const;

export type ChannelName = (typeof Channels)[keyof typeof Channels];

const dropOldest: ReadonlySet<string> = new Set([Channels.wireMarketData, Channels.trades, Channels.books]);

/** The backpressure policy of a channel; channels not named above (tests, extensions) never drop. */
export function channelPolicy(channel: string): BackpressurePolicy {
  return dropOldest.has(channel) ? "drop-oldest" : "block";
}
