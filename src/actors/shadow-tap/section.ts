import { leadLagStrategy, type Config } from "../../config/index.js";
import { secondsToNs } from "../../model/time.js";
import type { TapSlot } from "../../protocol/shadow-tap.js";

/** What the shadow tap reads: its slots (shared buffers, made by the supervisor) and how much history it keeps. */
export interface ShadowTapSection {
  readonly slots: readonly TapSlot[];
  /**
   * How far back the tap keeps trades and books to warm an attaching shadow: the longer of the strategy's
   * lookback and its ATR window (`atr_bar_seconds × atr_period`), so the shadow's bars are ready at once.
   */
  readonly historyNs: bigint;
}

export function shadowTapSection(config: Config, slots: readonly TapSlot[]): ShadowTapSection {
  const p = leadLagStrategy(config).config;
  const seconds = Math.max(p.inference_lookback_seconds, p.atr_bar_seconds * p.atr_period);
  return { slots, historyNs: secondsToNs(seconds) };
}
