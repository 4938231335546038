import { CoJumpFilter, type JumpRecord } from "./co-jump.js";
import { LeeMyklandDetector } from "./lee-mykland.js";
import { DEFAULT_JUMP_PARAMS, type JumpParams } from "./params.js";

/** One Lee–Mykland detector per symbol feeding one co-jump filter: leaders and laggers alike (§3). */
export class JumpMonitor {
  private readonly detectors = new Map<string, LeeMyklandDetector>();
  private readonly coJumps: CoJumpFilter;

  constructor(private readonly params: JumpParams = DEFAULT_JUMP_PARAMS) {
    this.coJumps = new CoJumpFilter(params);
  }

  onTick(symbol: string, tsNs: bigint, price: number): JumpRecord | null {
    let detector = this.detectors.get(symbol);
    if (detector === undefined) {
      detector = new LeeMyklandDetector(symbol, this.params);
      this.detectors.set(symbol, detector);
    }
    const detection = detector.onTick(tsNs, price);
    return detection === null ? null : this.coJumps.classify(detection);
  }

  /** The current observation of `symbol` tested and classified as if it jumped, nothing changed (a rehearsal). */
  rehearse(symbol: string): JumpRecord | null {
    const candidate = this.detectors.get(symbol)?.statistic() ?? null;
    return candidate === null ? null : this.coJumps.peek(candidate);
  }

  droppedTicks(symbol: string): number {
    return this.detectors.get(symbol)?.dropped ?? 0;
  }
}
