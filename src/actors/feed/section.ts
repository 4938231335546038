import type { Config } from "../../config/index.js";
import { leadLagStrategy } from "../../config/index.js";
import type { Instrument } from "../../model/instruments.js";
import { msToNs, secondsToNs, type Nanos } from "../../model/time.js";
import type { OutlierFilterOptions } from "./outlier.js";
import type { MarketDataSubscription } from "./subscription.js";

/** What the feed reads of the config: the registry as data (it is rebuilt in the actor) and its limits. */
export interface FeedSection {
  readonly instruments: readonly Instrument[];
  readonly lookbackNs: Nanos;
  readonly staleAfterNs: Nanos;
  readonly maxClockSkewNs: Nanos;
  readonly topLevels: number;
  /** `market_data.quality`: the trade-price outlier filter; undefined when `outlier_sigma` is 0 (off). */
  readonly outlier: OutlierFilterOptions | undefined;
  /** The subscribed symbols whose staleness makes the feed unhealthy. */
  readonly watchedSymbols: readonly string[];
}

export function feedSection(
  config: Config,
  instruments: readonly Instrument[],
  subscription: MarketDataSubscription,
): FeedSection {
  return {
    instruments,
    lookbackNs: secondsToNs(leadLagStrategy(config).config.inference_lookback_seconds),
    staleAfterNs: msToNs(config.risk.global.reject_on_stale_data_ms),
    maxClockSkewNs: msToNs(config.market_data.max_clock_skew_ms),
    topLevels: config.market_data.deltas.lob_top_n,
    outlier: outlierFilter(config.market_data.quality),
    watchedSymbols: subscription.instruments.map((i) => i.symbol),
  };
}

function outlierFilter(quality: Config["market_data"]["quality"]): OutlierFilterOptions | undefined {
  if (quality.outlier_sigma === 0) return undefined;
  return { sigma: quality.outlier_sigma, window: quality.outlier_window, minBandBps: quality.outlier_min_band_bps };
}
