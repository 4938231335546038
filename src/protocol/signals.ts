import { z } from "zod";
import { defineMessage } from "./message.js";

const nanos = z.bigint().nonnegative();

/** jumps → strategy: a Lee-Mykland jump on a symbol (signal-math §3.3), with the co-jump verdict (§3.5). */
export const JumpDetected = defineMessage(
  z.object({
    type: z.literal("JumpDetected"),
    instrument: z.number().int().nonnegative(),
    /** Time of the jump observation (the tick that moved). */
    tsNs: nanos,
    /** Log return of the jump and the same in bps; the sign is the direction. */
    r: z.number().finite(),
    jumpBps: z.number().finite(),
    sigmaHat: z.number().finite(),
    statistic: z.number().finite(),
    xi: z.number().finite(),
    /** Distinct other symbols that jumped within `co_jump_window_s` before it. */
    coJumpCount: z.number().int().nonnegative(),
    systematic: z.boolean(),
  }),
);
export type JumpDetected = z.output<typeof JumpDetected.schema>;

export const Feature = z.enum(["trade", "mid", "ofi", "imbalance"]);
export type Feature = z.output<typeof Feature>;

/**
 * strategy → every estimator shard: scan every pair led by `leader` on the window ending just before the
 * jump tick at `jumpTsNs` (signal-math §2.3). Shards that hold none of those pairs answer with no results.
 */
export const ScanPairs = defineMessage(
  z.object({
    type: z.literal("ScanPairs"),
    requestId: z.number().int().nonnegative(),
    leader: z.number().int().nonnegative(),
    jumpTsNs: nanos,
    /** When the strategy sent it, for the decision-latency metric. */
    sentNs: nanos,
  }),
);
export type ScanPairs = z.output<typeof ScanPairs.schema>;

export const HyStatus = z.enum(["ok", "insufficient_data", "zero_variance", "expired"]);
export type HyStatus = z.output<typeof HyStatus>;

/** One (leader, lagger, feature) reading. `passes` = every gate of signal-math §2.7. */
export const PairScan = z.object({
  lagger: z.number().int().nonnegative(),
  feature: Feature,
  status: HyStatus,
  tauStarS: z.number().finite(),
  rhoStar: z.number().finite(),
  /** Lead/lag ratio; may be +Infinity or NaN (fails every gate). */
  lls: z.number(),
  nLeader: z.number().int().nonnegative(),
  nLagger: z.number().int().nonnegative(),
  passes: z.boolean(),
});
export type PairScan = z.output<typeof PairScan>;

/** `PairsScanned.requestId` of results a shard pushed when its replica detectors saw the jump, unasked. */
export const PUSHED_AHEAD = 0;

/**
 * shard → strategy: one shard's results for a jump: pushed as soon as the shard saw the jump itself
 * (`requestId` = `PUSHED_AHEAD`), or the answer to a `ScanPairs` for a jump it had not pushed.
 */
export const PairsScanned = defineMessage(
  z.object({
    type: z.literal("PairsScanned"),
    requestId: z.number().int().nonnegative(),
    shard: z.number().int().nonnegative(),
    shardCount: z.number().int().positive(),
    leader: z.number().int().nonnegative(),
    jumpTsNs: nanos,
    results: z.array(PairScan),
  }),
);
export type PairsScanned = z.output<typeof PairsScanned.schema>;
