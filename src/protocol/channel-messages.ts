import { Channels, type ChannelName } from "./channels.js";
import type { MessageType } from "./messages.js";

/**
 * What each channel carries. The host refuses, at an actor's start, a handler for a message that no
 * channel the actor reads carries: a misspelt or misplaced handler would otherwise never fire.
 */
export const CHANNEL_MESSAGES: { readonly [C in ChannelName]: readonly MessageType[] } = {
  [Channels.wireMarketData]: ["MarketDataFrame"],
  [Channels.trades]: ["Trade"],
  [Channels.books]: ["Book"],
  [Channels.replayRequests]: ["ReplayHistory"],
  [Channels.replay]: ["Trade", "Book", "HistoryReplayed"],
  [Channels.jumps]: ["JumpDetected"],
  [Channels.scanResults]: ["PairsScanned"],
  [Channels.proposedOrders]: ["ProposeOrder"],
  [Channels.approvedOrders]: ["SubmitOrder"],
  [Channels.cancelRequests]: ["RequestCancel"],
  [Channels.accountStateRequests]: ["RequestAccountState"],
  [Channels.venueCommands]: ["PlaceOrder", "CancelOrder"],
  [Channels.venueEvents]: ["OrderAccepted", "OrderRejected", "OrderCanceled", "OrderFilled"],
  // The order manager's denials (journal unavailable, entries halted) reach the strategy here.
  [Channels.orderEvents]: ["OrderStatusChanged", "OrderDenied"],
  [Channels.accountEvents]: ["PositionChanged", "AccountUpdated", "AccountStateSent"],
  // Risk's denials, the cancel-all of a breaker that halts, and the venue's snapshot once risk has compared it.
  [Channels.riskEvents]: ["OrderDenied", "RequestCancel", "AccountSnapshot"],
  [Channels.accountSnapshots]: ["AccountSnapshot"],
};

/**
 * The message types `channel` carries, or undefined for a channel outside the catalogue (tests,
 * extensions), which may carry any message.
 */
export function messagesOn(channel: string): readonly MessageType[] | undefined {
  return Object.hasOwn(CHANNEL_MESSAGES, channel) ? CHANNEL_MESSAGES[channel as ChannelName] : undefined;
}
