import { z } from "zod";
import { defineMessage } from "./message.js";

const nanos = z.bigint().nonnegative();
const price = z.number().finite().positive();
const size = z.number().finite().nonnegative();

/**
 * A trade print, normalised by the feed. `tsNs` is the source time (latentspeed publishes only its local
 * receipt time, so for marketstream data it equals that); `recvNs` is when leadlag received it, so feed
 * latency is a measured number. `instrument` is the registry's internal id.
 */
export const Trade = defineMessage(
  z.object({
    type: z.literal("Trade"),
    instrument: z.number().int().nonnegative(),
    tsNs: nanos,
    recvNs: nanos,
    price,
    amount: size,
    /** +1 buy (aggressor), -1 sell. */
    side: z.union([z.literal(1), z.literal(-1)]),
    seq: z.number().int().nonnegative(),
  }),
);
export type Trade = z.output<typeof Trade.schema>;

/**
 * Top-N book after the feed applied a snapshot, checkpoint or delta, with the derived features defined as
 * in marketstream's snapshot messages. `valid` is false while a delta stream has a gap (no trading
 * decisions on it). Levels are best-first.
 */
export const Book = defineMessage(
  z.object({
    type: z.literal("Book"),
    instrument: z.number().int().nonnegative(),
    tsNs: nanos,
    recvNs: nanos,
    seq: z.number().int().nonnegative(),
    valid: z.boolean(),
    bidPx: z.array(price),
    bidSz: z.array(size),
    askPx: z.array(price),
    askSz: z.array(size),
    mid: z.number().finite(),
    relativeSpread: z.number().finite(),
    imbalance: z.number().finite(),
    bidDepth: z.number().finite(),
    askDepth: z.number().finite(),
    ofi: z.number().finite(),
    midVolatility: z.number().finite(),
  }),
);
export type Book = z.output<typeof Book.schema>;

/**
 * One marketstream message as the ZeroMQ bridge received it, for a feed on another thread: the topic
 * frame, the JSON payload frame as text, and the local receipt time. The feed parses and validates it
 * (it is the trust boundary), so nothing here is checked beyond its shape.
 */
export const MarketDataFrame = defineMessage(
  z.object({
    type: z.literal("MarketDataFrame"),
    topic: z.string(),
    payload: z.string(),
    recvNs: nanos,
  }),
);
export type MarketDataFrame = z.output<typeof MarketDataFrame.schema>;

/**
 * A restarted subscriber (an estimator shard) asks the feed for its history buffer, which comes back
 * on the replay channel oldest first, so the shard is warm at once (architecture §6).
 */
export const ReplayHistory = defineMessage(z.object({ type: z.literal("ReplayHistory"), requester: z.string() }));
export type ReplayHistory = z.output<typeof ReplayHistory.schema>;

/** The end of a history replay (after its last trade or book), for the requester to start answering. */
export const HistoryReplayed = defineMessage(
  z.object({ type: z.literal("HistoryReplayed"), requester: z.string(), messages: z.number().int().nonnegative() }),
);
export type HistoryReplayed = z.output<typeof HistoryReplayed.schema>;
