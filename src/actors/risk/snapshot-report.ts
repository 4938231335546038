import type { ActorContext } from "../../runtime/actor.js";
import type { AccountSnapshot } from "../../protocol/account.js";
import { describe, type ReconcileOutcome } from "./reconcile.js";

/**
 * What risk says about one account snapshot (docs/account-sync.md): counted always; each difference
 * counted by kind and verdict and logged, at warn once one is past its tolerance.
 */
export function reportSnapshot(
  ctx: Pick<ActorContext, "log" | "metrics">,
  snapshot: AccountSnapshot,
  outcome: ReconcileOutcome | undefined,
): void {
  ctx.metrics.count("account_reconcile_snapshots_total", { compared: String(outcome !== undefined) });
  if (outcome === undefined) {
    ctx.log.info({ seq: snapshot.seq }, "account snapshot not compared: the order manager's account has not arrived");
    return;
  }
  for (const d of outcome.differences)
    ctx.metrics.count("account_reconcile_differences_total", { kind: d.kind, beyond: String(d.beyond) });
  if (outcome.differences.length > 0) {
    const fields = {
      seq: snapshot.seq,
      streak: outcome.mismatchStreak,
      differences: outcome.differences.map(describe),
    };
    if (outcome.mismatchStreak > 0) ctx.log.warn(fields, "account differs from the venue's snapshot");
    else ctx.log.info(fields, "account differs from the venue's snapshot");
  }
  if (!outcome.balancesCompared)
    ctx.log.info(
      { seq: snapshot.seq, balances: snapshot.balances },
      "first account snapshot: its balances replace the declared initial_balance",
    );
}
