import type { BackpressurePolicy } from "./host.js";

/**
 * Channel names, built here once and nowhere else. Dotted, most general first. Market data may drop the
 * oldest frames under pressure (a gap the consumer sees); everything that carries orders, reports, fills
 * or control never drops.
 */
export const Channels = {
  /** Raw marketstream frames from the ZeroMQ bridge to the feed. */
  wireMarketData: "md.wire",
  trades: "md.trade",
  books: "md.book",
  /** History replays for warm restarts (feed → estimator shards). */
  replay: "md.replay",
  jumps: "signal.jump",
  scanRequests: "signal.scan.request",
  scanResults: "signal.scan.result",
  proposedOrders: "orders.proposed",
  approvedOrders: "orders.approved",
  venueCommands: "orders.venue",
  venueEvents: "events.venue",
  orderEvents: "events.order",
  accountEvents: "events.account",
  riskEvents: "events.risk",
} as const;

export type ChannelName = (typeof Channels)[keyof typeof Channels];

const dropOldest: ReadonlySet<string> = new Set([Channels.wireMarketData, Channels.trades, Channels.books]);

/** The backpressure policy of a channel; channels not named above (tests, extensions) never drop. */
export function channelPolicy(channel: string): BackpressurePolicy {
  return dropOldest.has(channel) ? "drop-oldest" : "block";
}
