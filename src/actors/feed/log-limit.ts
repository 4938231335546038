/**
 * At most `lines` log lines per key in each `intervalMs` window; the lines past that are suppressed and
 * counted, and the first line of a later window carries how many the previous ones suppressed. Pure:
 * time is passed in. Keys are symbol × stream, so their number is bounded by the subscription.
 */
export interface LogPermit {
  /** Lines suppressed for this key since the last one logged. */
  readonly suppressed: number;
}

interface KeyWindow {
  startMs: number;
  logged: number;
  suppressed: number;
}

export class LogRateLimit {
  private readonly windows = new Map<string, KeyWindow>();

  constructor(
    private readonly lines: number,
    private readonly intervalMs: number,
  ) {}

  /** A permit to log one line for `key` now, or undefined when the key has used its lines in this window. */
  permit(key: string, nowMs: number): LogPermit | undefined {
    let w = this.windows.get(key);
    if (w === undefined) {
      w = { startMs: nowMs, logged: 0, suppressed: 0 };
      this.windows.set(key, w);
    } else if (nowMs - w.startMs >= this.intervalMs) {
      w.startMs = nowMs;
      w.logged = 0;
    }
    if (w.logged >= this.lines) {
      w.suppressed++;
      return undefined;
    }
    w.logged++;
    const permit = { suppressed: w.suppressed };
    w.suppressed = 0;
    return permit;
  }
}
