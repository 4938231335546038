import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { compiledUrl } from "../runtime/paths.js";
import type { WorkerLogOutput } from "../runtime/logger.js";
import { MainHeartbeat } from "./watchdog-heartbeat.js";

/** What the watchdog thread is started with (`workerData`). */
export interface WatchdogStartup {
  readonly heartbeat: SharedArrayBuffer;
  /** The main thread's doorbell: the actor inside a handler (absent when no actor runs on main). */
  readonly mainDoorbell: SharedArrayBuffer | undefined;
  /** Actor names by global index. */
  readonly actors: readonly string[];
  readonly stallMs: number;
  readonly checkEveryMs: number;
  readonly logLevel: string;
  readonly logOutput?: WorkerLogOutput;
}

export interface WatchdogOptions {
  readonly stallMs: number;
  readonly mainDoorbell: SharedArrayBuffer | undefined;
  readonly actors: readonly string[];
  readonly logLevel: string;
  readonly logOutput?: WorkerLogOutput;
  readonly log: Logger;
}

const WATCHDOG_ENTRY = compiledUrl(new URL("./watchdog-thread.ts", import.meta.url));
/** Beats and checks this often at most: a stall is seen within `stallMs` + two of these. */
const MAX_CADENCE_MS = 250;

/**
 * A watchdog for the main thread that lives outside it. The main thread beats from a timer: a timer
 * runs only when the event loop turns, so the beat stops whatever blocks the loop — a handler inside a
 * loop turn, or one run from a socket callback while the loop is parked (market data arrives that way),
 * the HTTP server, a GC pause. A small worker reads the beat (watchdog-thread.ts) and kills the process
 * past `stallMs`. Armed once start-up is complete, stood down before a shutdown (the beat is withdrawn
 * first, so the thread cannot fire on the way out).
 *
 * Workers are not its business: the supervisor's heartbeat check (`heartbeat_timeout_ms`), on the main
 * thread, terminates and restarts a stuck worker; this one only watches the thread that check runs on.
 */
export class MainThreadWatchdog {
  private readonly heartbeat = new MainHeartbeat();
  private readonly cadenceMs: number;
  private worker: Worker | undefined;
  private beats: NodeJS.Timeout | undefined;

  constructor(private readonly options: WatchdogOptions) {
    this.cadenceMs = Math.min(MAX_CADENCE_MS, options.stallMs / 10);
  }

  arm(): void {
    if (this.worker !== undefined) return;
    this.heartbeat.beat();
    this.beats = setInterval(() => this.heartbeat.beat(), this.cadenceMs);
    this.beats.unref();
    const startup: WatchdogStartup = {
      heartbeat: this.heartbeat.buffer,
      mainDoorbell: this.options.mainDoorbell,
      actors: this.options.actors,
      stallMs: this.options.stallMs,
      checkEveryMs: this.cadenceMs,
      logLevel: this.options.logLevel,
      logOutput: this.options.logOutput,
    };
    const worker = new Worker(WATCHDOG_ENTRY, { workerData: startup, name: "leadlag-watchdog" });
    const lost = "main-thread stalls are no longer detected";
    worker.on("error", (err) => this.options.log.error({ err }, `watchdog thread failed: ${lost}`));
    worker.on("exit", (code) => {
      if (this.worker === worker) this.options.log.error({ code }, `watchdog thread exited: ${lost}`);
    });
    worker.unref();
    this.worker = worker;
  }

  /** Stands the watchdog down; synchronous, so nothing can stall between the decision to stop and this. */
  stop(): void {
    this.heartbeat.disarm();
    clearInterval(this.beats);
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }
}
