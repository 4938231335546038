import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";

/** Length of the windows the delay is summed up over. */
const WINDOW_MS = 5000;
/** Sampling timer of the delay monitor: about 500 samples a window. */
const RESOLUTION_MS = 10;

export interface EventLoopLagWindow {
  /** 99th percentile of the event loop's delay over the window, ms: sustained lag, not one pause. */
  p99Ms: number;
  /** The longest single delay, ms (a GC pause, a long handler). */
  maxMs: number;
}

/**
 * How late this thread's event loop ran its timers over the last completed window. A single long stall
 * barely moves the 99th percentile; a thread that stalls for good is the watchdog's to find (it runs
 * on another thread), this one reports a loop that is kept busy.
 */
export class EventLoopLag {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private last: EventLoopLagWindow = { p99Ms: 0, maxMs: 0 };
  private timer?: NodeJS.Timeout;

  constructor(private readonly windowMs = WINDOW_MS) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.histogram.enable();
    this.timer = setInterval(() => {
      const count = this.histogram.count;
      this.last =
        count === 0
          ? { p99Ms: 0, maxMs: 0 }
          : { p99Ms: this.histogram.percentile(99) / 1e6, maxMs: this.histogram.max / 1e6 };
      this.histogram.reset();
    }, this.windowMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.histogram.disable();
  }

  /** The last completed window (zeros before the first one ends). */
  lastWindow(): EventLoopLagWindow {
    return this.last;
  }
}
