import { z } from "zod";
import { defineMessage } from "./message.js";

/**
 * The account as the venue sees it, published by an account service outside leadlag (docs/account-sync.md)
 * and brought in by the account-sync actor: account-sync → risk (reconciles it with leadlag's own view)
 * → orders (its balances replace the ledger's). Assets and symbols are spelled as the publisher spells them.
 */

const nanos = z.bigint().nonnegative();

export const AccountBalance = z.object({
  asset: z.string().min(1),
  total: z.number().finite(),
  available: z.number().finite(),
});
export type AccountBalance = z.output<typeof AccountBalance>;

export const AccountPosition = z.object({
  symbol: z.string().min(1),
  /** Signed base units: negative is short. */
  qty: z.number().finite(),
  entryPrice: z.number().finite().nonnegative(),
});
export type AccountPosition = z.output<typeof AccountPosition>;

/** account-sync → risk → orders: one complete snapshot of the account (an asset or symbol absent holds 0). */
export const AccountSnapshot = defineMessage(
  z.object({
    type: z.literal("AccountSnapshot"),
    accountId: z.string(),
    /** The publisher's sequence number: a snapshot not newer than the last one (seq and time) is stale. */
    seq: z.number().int().nonnegative(),
    balances: z.array(AccountBalance),
    positions: z.array(AccountPosition),
    marginUsed: z.number().finite(),
    marginAvailable: z.number().finite(),
    /** The publisher's time of the snapshot, epoch ns. */
    tsNs: nanos,
    /** Local receipt time, epoch ns. */
    recvNs: nanos,
  }),
);
export type AccountSnapshot = z.output<typeof AccountSnapshot.schema>;
