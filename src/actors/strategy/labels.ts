import type { MarketView } from "./market-view.js";
import type { RlsExpectedMove } from "./rls.js";
import { secondsToNs } from "../../model/time.js";

interface PendingLabel {
  readonly dueNs: bigint;
  readonly lagger: number;
  readonly startMid: number;
  readonly jumpBps: number;
  readonly rhoStar: number;
}

/**
 * RLS training labels (signal-math §5.1, §5.3): at entry the lagger mid is noted; tau* later the realised
 * move in bps, times sign(rho*) so that pairs of either correlation sign share one model, trains the RLS.
 * Labels are applied when realised, never earlier, so predictions only use the past.
 */
export class ExpectedMoveLabels {
  private pending: PendingLabel[] = [];

  constructor(private readonly rls: RlsExpectedMove) {}

  schedule(
    entryNs: bigint,
    tauStarS: number,
    lagger: number,
    startMid: number,
    jumpBps: number,
    rhoStar: number,
  ): void {
    // rho* = 0 carries no direction to fold in: nothing to learn from it.
    if (rhoStar === 0 || !(startMid > 0)) return;
    const dueNs = entryNs + secondsToNs(tauStarS);
    this.pending.push({ dueNs, lagger, startMid, jumpBps, rhoStar });
  }

  /** Trains on every due label whose lagger has a valid book; the others wait. */
  realise(nowNs: bigint, market: MarketView): void {
    const waiting: PendingLabel[] = [];
    for (const label of this.pending) {
      const book = market.book(label.lagger);
      if (label.dueNs > nowNs || book === undefined || !book.valid) {
        waiting.push(label);
        continue;
      }
      const moveBps = 1e4 * Math.log(book.mid / label.startMid);
      this.rls.update(label.jumpBps, Math.abs(label.rhoStar), moveBps * Math.sign(label.rhoStar));
    }
    this.pending = waiting;
  }

  get size(): number {
    return this.pending.length;
  }
}
