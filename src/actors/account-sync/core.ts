import type { AccountSnapshot } from "../../protocol/account.js";
import { parseAccountSnapshot } from "../../protocol/wire/account-sync.js";

/**
 * The account-sync core: decides what to do with each message from the account publisher. A snapshot of
 * this account, newer than the last, passes; anything else is dropped with a reason the shell counts.
 * Drops are logged at most once per reason per `logEveryNs`, with the count suppressed since the last
 * line, so a publisher spraying garbage cannot flood the log. Pure: time is an argument.
 */

export type DropReason = "malformed" | "foreign_account" | "stale";

export type SnapshotVerdict =
  | { readonly kind: "accepted"; readonly snapshot: AccountSnapshot }
  | {
      readonly kind: "dropped";
      readonly reason: DropReason;
      readonly detail: string;
      /** Log this drop now; `suppressed` drops of the same reason went unlogged since the last line. */
      readonly log: boolean;
      readonly suppressed: number;
    };

export interface AccountSyncCoreConfig {
  /** `runtime.account_id`: snapshots of any other account are dropped. */
  readonly accountId: string;
  readonly logEveryNs: bigint;
}

export class AccountSyncCore {
  private last: { seq: number; tsNs: bigint } | undefined;
  private readonly lastLoggedNs = new Map<DropReason, bigint>();
  private readonly unlogged = new Map<DropReason, number>();

  constructor(private readonly config: AccountSyncCoreConfig) {}

  onMessage(frames: readonly string[], recvNs: bigint): SnapshotVerdict {
    const parsed = parseAccountSnapshot(frames, recvNs);
    if (!parsed.ok) return this.drop("malformed", parsed.detail, recvNs);
    const s = parsed.snapshot;
    if (s.accountId !== this.config.accountId)
      return this.drop(
        "foreign_account",
        `account '${s.accountId.slice(0, 64)}', expected '${this.config.accountId}'`,
        recvNs,
      );
    // A duplicate or a reordered older message; a restarted publisher (seq from 1, later time) passes.
    if (this.last !== undefined && s.seq <= this.last.seq && s.tsNs <= this.last.tsNs)
      return this.drop(
        "stale",
        `seq ${s.seq} at ${s.tsNs} not after seq ${this.last.seq} at ${this.last.tsNs}`,
        recvNs,
      );
    this.last = { seq: s.seq, tsNs: s.tsNs };
    return { kind: "accepted", snapshot: s };
  }

  /** The last snapshot accepted, for the actor's status. */
  lastAccepted(): { seq: number; tsNs: bigint } | undefined {
    return this.last;
  }

  private drop(reason: DropReason, detail: string, nowNs: bigint): SnapshotVerdict {
    const lastLogged = this.lastLoggedNs.get(reason);
    const suppressed = this.unlogged.get(reason) ?? 0;
    if (lastLogged !== undefined && nowNs - lastLogged < this.config.logEveryNs) {
      this.unlogged.set(reason, suppressed + 1);
      return { kind: "dropped", reason, detail, log: false, suppressed: 0 };
    }
    this.lastLoggedNs.set(reason, nowNs);
    this.unlogged.set(reason, 0);
    return { kind: "dropped", reason, detail, log: true, suppressed };
  }
}
