/**
 * Reconciliation of leadlag's account (the order manager's ledger, as risk sees it) with the venue's
 * snapshot (docs/account-sync.md). Every difference is reported; one whose USD value exceeds its
 * tolerance is a mismatch, and mismatches in `tripAfter` consecutive snapshots halt trading: a single
 * one can be a fill the venue booked a moment before leadlag heard of it. Pure.
 */

export interface ReconcileTolerance {
  /** Per asset: |ours − venue's| × the asset's USD price. */
  readonly balanceUsd: number;
  /** Per symbol: |ours − venue's| qty × its price. */
  readonly positionUsd: number;
  /** Consecutive snapshots with a mismatch before the breaker halts (≥ 1). */
  readonly tripAfter: number;
}

/** One side of the comparison: balances by asset, signed position quantities by instrument key. */
export interface AccountSide {
  readonly balances: ReadonlyMap<string, number>;
  readonly positions: ReadonlyMap<string, number>;
}

export type DifferenceKind = "balance" | "position";

export interface Difference {
  readonly kind: DifferenceKind;
  /** The asset or the instrument key. */
  readonly key: string;
  readonly ours: number;
  readonly venue: number;
  readonly diffUsd: number;
  readonly toleranceUsd: number;
  /** Past its tolerance. */
  readonly beyond: boolean;
}

/** USD price of one unit of a balance's asset or of a position's instrument. */
export type UnitPrice = (kind: DifferenceKind, key: string) => number;

/** Amounts closer than this (relative) are float residue of the same number, not a difference. */
const SAME = 1e-9;

/** True when a difference of `diffUsd` is within `toleranceUsd` (the boundary is within). */
export function withinTolerance(diffUsd: number, toleranceUsd: number): boolean {
  return diffUsd <= toleranceUsd;
}

/**
 * Every key either side holds, compared; an absent key holds 0. Balances are skipped when `compareBalances`
 * is false (the first snapshot replaces declared capital instead of being held against it).
 */
export function compareAccounts(
  ours: AccountSide,
  venue: AccountSide,
  price: UnitPrice,
  tolerance: ReconcileTolerance,
  compareBalances = true,
): Difference[] {
  const differences: Difference[] = [];
  const compare = (kind: DifferenceKind, a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>) => {
    const limit = kind === "balance" ? tolerance.balanceUsd : tolerance.positionUsd;
    for (const key of new Set([...a.keys(), ...b.keys()])) {
      const mine = a.get(key) ?? 0;
      const theirs = b.get(key) ?? 0;
      if (Math.abs(mine - theirs) <= SAME * Math.max(1, Math.abs(mine), Math.abs(theirs))) continue;
      const diffUsd = Math.abs(mine - theirs) * Math.abs(price(kind, key));
      const beyond = !withinTolerance(diffUsd, limit);
      differences.push({ kind, key, ours: mine, venue: theirs, diffUsd, toleranceUsd: limit, beyond });
    }
  };
  if (compareBalances) compare("balance", ours.balances, venue.balances);
  compare("position", ours.positions, venue.positions);
  return differences;
}

export interface ReconcileOutcome {
  readonly differences: readonly Difference[];
  /** Balances were compared (false on the first snapshot: it replaces declared capital). */
  readonly balancesCompared: boolean;
  /** Consecutive snapshots with a mismatch, this one included (0 when this one has none). */
  readonly mismatchStreak: number;
  /** Set while the streak is at least `tripAfter`: halt trading, for this reason. */
  readonly halt: string | undefined;
}

/** Counts snapshots with mismatches in a row; the first snapshot it sees adopts balances rather than comparing. */
export class Reconciler {
  private snapshots = 0;
  private streak = 0;

  constructor(private readonly tolerance: ReconcileTolerance) {}

  /** After an operator's reset: a mismatch that persists must build its streak again before it halts. */
  resetStreak(): void {
    this.streak = 0;
  }

  onSnapshot(ours: AccountSide, venue: AccountSide, price: UnitPrice): ReconcileOutcome {
    const balancesCompared = this.snapshots > 0;
    this.snapshots++;
    const differences = compareAccounts(ours, venue, price, this.tolerance, balancesCompared);
    const beyond = differences.filter((d) => d.beyond);
    this.streak = beyond.length > 0 ? this.streak + 1 : 0;
    const halt =
      this.streak >= this.tolerance.tripAfter
        ? `account mismatch in ${this.streak} consecutive snapshots: ${beyond.map(describe).join("; ")}`
        : undefined;
    return { differences, balancesCompared, mismatchStreak: this.streak, halt };
  }
}

/** `position BTC ours 0.01, venue 0.02 (970.00 USD > 50 USD)`: the values and the limit. */
export function describe(d: Difference): string {
  const relation = d.beyond ? ">" : "<=";
  return `${d.kind} ${d.key} ours ${d.ours}, venue ${d.venue} (${d.diffUsd.toFixed(2)} USD ${relation} ${d.toleranceUsd} USD)`;
}
