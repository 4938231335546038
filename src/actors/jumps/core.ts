import type { Book, Trade } from "../../protocol/market-data.js";
import type { JumpDetected } from "../../protocol/signals.js";
import type { JumpRecord } from "./co-jump.js";
import { JumpMonitor } from "./monitor.js";
import type { JumpParams } from "./params.js";

/**
 * The jumps core: one Lee–Mykland detector per configured symbol on trade prices (or mids), all feeding
 * one co-jump filter (signal-math §3). Every symbol counts for co-jumps; only `leaders` (when given) are
 * reported, because only a leader's jump can start a trade. Pure: time arrives with the messages.
 */

export type JumpPriceSource = "trade" | "mid";

export interface JumpsSymbol {
  readonly id: number;
  readonly symbol: string;
}

export interface JumpsCoreConfig {
  readonly symbols: readonly JumpsSymbol[];
  readonly params: JumpParams;
  /** Which price stream the detectors test; trade prints by default. */
  readonly source?: JumpPriceSource;
  /** Instruments whose jumps are reported; every configured symbol when absent. */
  readonly leaders?: ReadonlySet<number>;
}

export interface JumpCounts {
  detected: number;
  systematic: number;
}

export class JumpsCore {
  private readonly monitor: JumpMonitor;
  private readonly names = new Map<number, string>();
  private readonly source: JumpPriceSource;
  /** The instrument of the newest tick tested: what a rehearsal tests again. */
  private lastInstrument: number | undefined;
  /** Detections per instrument id, reported or not (for metrics). */
  readonly counts = new Map<number, JumpCounts>();

  constructor(private readonly config: JumpsCoreConfig) {
    this.monitor = new JumpMonitor(config.params);
    this.source = config.source ?? "trade";
    for (const s of config.symbols) {
      this.names.set(s.id, s.symbol);
      this.counts.set(s.id, { detected: 0, systematic: 0 });
    }
  }

  onTrade(trade: Trade): JumpDetected | null {
    if (this.source !== "trade") return null;
    return this.onPrice(trade.instrument, trade.tsNs, trade.price);
  }

  /** Invalid books and empty sides are skipped: a gap is not a price move. */
  onBook(book: Book): JumpDetected | null {
    if (this.source !== "mid" || !book.valid || !(book.mid > 0)) return null;
    return this.onPrice(book.instrument, book.tsNs, book.mid);
  }

  /**
   * A rehearsal (`ActorInstance.decide`): the newest tick's instrument tested and classified again and
   * its message built, whether or not it passes, with no state changed. Null before a detector is ready.
   */
  rehearse(): JumpDetected | null {
    const instrument = this.lastInstrument;
    if (instrument === undefined) return null;
    const record = this.monitor.rehearse(this.names.get(instrument)!); // set only for a named instrument
    return record === null ? null : toMessage(instrument, record);
  }

  droppedTicks(instrument: number): number {
    const symbol = this.names.get(instrument);
    return symbol === undefined ? 0 : this.monitor.droppedTicks(symbol);
  }

  private onPrice(instrument: number, tsNs: bigint, price: number): JumpDetected | null {
    const symbol = this.names.get(instrument);
    if (symbol === undefined) return null;
    this.lastInstrument = instrument;
    const record = this.monitor.onTick(symbol, tsNs, price);
    if (record === null) return null;
    const counts = this.counts.get(instrument)!;
    counts.detected++;
    if (record.systematic) counts.systematic++;
    if (this.config.leaders !== undefined && !this.config.leaders.has(instrument)) return null;
    return toMessage(instrument, record);
  }
}

function toMessage(instrument: number, record: JumpRecord): JumpDetected {
  return {
    type: "JumpDetected",
    instrument,
    tsNs: record.tsNs,
    r: record.r,
    jumpBps: record.jumpBps,
    sigmaHat: record.sigmaHat,
    statistic: record.L,
    xi: record.xi,
    coJumpCount: record.coJumpCount,
    systematic: record.systematic,
  };
}
