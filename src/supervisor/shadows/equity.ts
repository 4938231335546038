import type { MetricsReport } from "../../protocol/host.js";

/** One point of the live and the shadow equity (realized + unrealized PnL since the attach, USD). */
export interface EquityPoint {
  readonly t_ms: number;
  readonly live_usd: number;
  readonly shadow_usd: number;
}

/** Points kept: past this, every other one is dropped (the curve keeps its whole span). */
const MAX_POINTS = 2000;
const EVERY_MS = 1000;

/**
 * A shadow's equity beside the live one, from the PnL metrics its strategy reports (`realized_pnl_usd`,
 * `unrealized_pnl_usd`): at most one point a second. Both curves start at 0 when the shadow attaches.
 */
export class EquityCurve {
  private readonly points: EquityPoint[] = [];
  private realized = 0;
  private unrealized = 0;
  private readonly liveAtAttach: number;

  constructor(
    private readonly strategyActor: string,
    private readonly liveNow: () => number,
  ) {
    this.liveAtAttach = liveNow();
  }

  note(samples: MetricsReport["samples"], nowMs: number): void {
    for (const s of samples) {
      if (s.labels.actor !== this.strategyActor) continue;
      if (s.name === "realized_pnl_usd") this.realized = s.value;
      else if (s.name === "unrealized_pnl_usd") this.unrealized = s.value;
    }
    const last = this.points.at(-1);
    if (last !== undefined && nowMs - last.t_ms < EVERY_MS) return;
    this.points.push({
      t_ms: nowMs,
      live_usd: this.liveNow() - this.liveAtAttach,
      shadow_usd: this.realized + this.unrealized,
    });
    if (this.points.length > MAX_POINTS) {
      const kept = this.points.filter((_, i) => i % 2 === 0);
      this.points.splice(0, this.points.length, ...kept);
    }
  }

  get series(): readonly EquityPoint[] {
    return this.points;
  }
}
