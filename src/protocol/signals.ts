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
 * `not_warm`: the shard has not finished its history replay (after a start or restart), so it cannot scan
 * the window yet; the strategy records the lagger's decision as `not_warm`.
 */
export const HyStatus = z.enum(["ok", "insufficient_data", "zero_variance", "expired", "not_warm"]);
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

/**
 * shard → strategy: one shard's results for a jump, pushed as soon as the shard's replica detectors see the
 * jump tick: one `PairScan` per (owned pair led by `leader`, feature), each `not_warm` while the shard
 * replays its history; no results when it owns none of the leader's pairs (so the strategy knows it has
 * every shard's word).
 */
export const PairsScanned = defineMessage(
  z.object({
    type: z.literal("PairsScanned"),
    shard: z.number().int().nonnegative(),
    shardCount: z.number().int().positive(),
    leader: z.number().int().nonnegative(),
    jumpTsNs: nanos,
    results: z.array(PairScan),
  }),
);
export type PairsScanned = z.output<typeof PairsScanned.schema>;
