import type { JumpDetection } from "./lee-mykland.js";
import { DEFAULT_JUMP_PARAMS, type JumpParams } from "./params.js";
import { secondsToNs } from "../../model/time.js";

/** A detected jump with its co-jump classification: the record the strategy consumes. */
export interface JumpRecord extends JumpDetection {
  /** Distinct other symbols with a jump already detected in [t − window, t]. */
  readonly coJumpCount: number;
  /** coJumpCount ≥ co_jump_threshold: a market-wide move, not a lead signal (§3.5). */
  readonly systematic: boolean;
}

/** Jumps are kept this long behind the newest one, so moderately out-of-order detections across symbols still count. */
const RETENTION_NS = 60_000_000_000n;

/** Co-jump (systematic move) filter across symbols (signal-math §3.5). */
export class CoJumpFilter {
  private readonly windowNs: bigint;
  private readonly threshold: number;
  private recent: JumpDetection[] = [];
  private newestNs: bigint | undefined;

  constructor(params: Pick<JumpParams, "coJumpThreshold" | "coJumpWindowS"> = DEFAULT_JUMP_PARAMS) {
    this.windowNs = secondsToNs(params.coJumpWindowS);
    this.threshold = params.coJumpThreshold;
  }

  /** Classifies a jump against the jumps detected before it, then remembers it for later ones. */
  classify(jump: JumpDetection): JumpRecord {
    const record = this.peek(jump);
    this.remember(jump);
    return record;
  }

  /** The classification `classify` would give, without remembering the jump. */
  peek(jump: JumpDetection): JumpRecord {
    const from = jump.tsNs - this.windowNs;
    const others = new Set<string>();
    for (const seen of this.recent) {
      if (seen.symbol !== jump.symbol && seen.tsNs >= from && seen.tsNs <= jump.tsNs) others.add(seen.symbol);
    }
    return { ...jump, coJumpCount: others.size, systematic: others.size >= this.threshold };
  }

  private remember(jump: JumpDetection): void {
    if (this.newestNs === undefined || jump.tsNs > this.newestNs) this.newestNs = jump.tsNs;
    const horizon = this.newestNs - (this.windowNs > RETENTION_NS ? this.windowNs : RETENTION_NS);
    if (this.recent.length > 0 && this.recent[0].tsNs < horizon)
      this.recent = this.recent.filter((seen) => seen.tsNs >= horizon);
    this.recent.push(jump);
  }
}
