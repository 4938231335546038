/**
 * Everything a backtest's report is computed from: what the run saw and did, as plain data. The runner
 * fills it from the actors' outputs; the report (metrics, console summary, JSON, HTML) is a pure function
 * of it, so the same record always gives the same report, byte for byte.
 */

export type ExitReason = "sl" | "tp" | "time_limit" | "flatten" | "other";

/** One closed round trip on a lagger, with the venue's fills folded in (fees as charged by the venue). */
export interface TradeRecord {
  readonly intentId: string;
  /** The leader whose jump opened it ("" when not known, e.g. an adopted position). */
  readonly leader: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly qty: number;
  readonly entryNs: bigint;
  readonly entryPrice: number;
  readonly exitNs: bigint;
  readonly exitPrice: number;
  readonly exitReason: ExitReason;
  /** Gross, quote units (USD). */
  readonly grossPnl: number;
  readonly fees: number;
  /** grossPnl - fees. */
  readonly netPnl: number;
}

/** One evaluated decision: entered, or the gate that stopped it (the decision-score CSV's row). */
export interface DecisionPoint {
  readonly tsNs: bigint;
  readonly leader: string;
  readonly lagger: string;
  /** `entered` or the gate or outcome that stopped it. */
  readonly outcome: string;
  readonly rhoStar: number;
  readonly tauStarS: number;
  readonly lls: number;
  readonly strength: number;
}

export interface JumpPoint {
  readonly tsNs: bigint;
  readonly symbol: string;
  /** Signed, basis points. */
  readonly bps: number;
  /** Filtered out as part of a market-wide co-jump. */
  readonly systematic: boolean;
}

/** Account equity (balance + unrealised PnL at the marks), sampled by the runner. */
export interface EquityPoint {
  readonly tsNs: bigint;
  readonly equity: number;
}

/** A symbol's mid price, sampled by the runner (for the price chart with entry and exit markers). */
export interface PricePoint {
  readonly tsNs: bigint;
  readonly mid: number;
}

export interface BacktestMeta {
  /** Window replayed, from the config or the command line. */
  readonly startNs: bigint;
  readonly endNs: bigint;
  /** First and last event actually replayed. */
  readonly firstEventNs: bigint | undefined;
  readonly lastEventNs: bigint | undefined;
  readonly symbols: readonly string[];
  /** `postgresql://host:port/db` (no password), a directory or a file. */
  readonly source: string;
  readonly seed: number;
  /** Hash of the resolved config (hex). */
  readonly configHash: string;
  readonly initialEquity: number;
  readonly eventsReplayed: number;
  /** Rows skipped as unreadable, by reason. */
  readonly rowsSkipped: Readonly<Record<string, number>>;
  /** Wall-clock seconds the replay took: the only field that varies between identical runs. */
  readonly wallSeconds: number;
}

export interface BacktestRecord {
  readonly meta: BacktestMeta;
  readonly trades: readonly TradeRecord[];
  readonly decisions: readonly DecisionPoint[];
  readonly jumps: readonly JumpPoint[];
  readonly equity: readonly EquityPoint[];
  /** Per traded symbol. */
  readonly prices: Readonly<Record<string, readonly PricePoint[]>>;
  /** Fees the venue charged over the whole run (including positions still open at the end). */
  readonly feesPaid: number;
  /** Net position per symbol left open at the end (closed at the last mark in `equity`). */
  readonly openAtEnd: Readonly<Record<string, number>>;
}

/** A run that replayed nothing (every report figure must still be defined for it), with `meta` as given. */
export function emptyRecord(meta: Partial<BacktestMeta> = {}): BacktestRecord {
  return {
    meta: {
      startNs: 0n,
      endNs: 0n,
      firstEventNs: undefined,
      lastEventNs: undefined,
      symbols: [],
      source: "",
      seed: 0,
      configHash: "",
      initialEquity: 0,
      eventsReplayed: 0,
      rowsSkipped: {},
      wallSeconds: 0,
      ...meta,
    },
    trades: [],
    decisions: [],
    jumps: [],
    equity: [],
    prices: {},
    feesPaid: 0,
    openAtEnd: {},
  };
}
