import { workerData } from "node:worker_threads";
import { Doorbell } from "../transport/doorbell.js";
import { createLogger } from "../runtime/logger.js";
import { MainHeartbeat, monotonicMs } from "./watchdog-heartbeat.js";
import { stallVerdict } from "./watchdog-verdict.js";
import type { WatchdogStartup } from "./watchdog.js";

/**
 * The watchdog thread: reads the main thread's heartbeat every `checkEveryMs` and, past `stallMs` of
 * silence, logs the stalled actor and kills the process. Everything here runs on this thread: the log
 * line is a synchronous write to fd 1 (the daemon's logger), so it is out before the process dies.
 *
 * SIGKILL, because nothing else reliably ends a process whose main thread is in a busy loop:
 * `process.abort()` is refused in a worker; a SIGTERM or SIGABRT with a JavaScript listener (the daemon
 * listens for SIGTERM) is only queued for the stuck main thread, which never runs it; SIGABRT would also
 * dump a core the size of the heap. SIGKILL cannot be caught or deferred. systemd sees `status=9/KILL`
 * and restarts the unit (Restart=on-failure); the fatal line before it says why.
 */
const startup = workerData as WatchdogStartup;
const heartbeat = new MainHeartbeat(startup.heartbeat);
const mainBell = startup.mainDoorbell ? new Doorbell(startup.mainDoorbell) : undefined;
const log = createLogger({
  level: startup.logLevel,
  structured: startup.logOutput?.structured,
  forwardToFile: startup.logOutput?.toFile,
}).child({ thread: "watchdog" });
let previousCheckMs = monotonicMs();

setInterval(() => {
  const nowMs = monotonicMs();
  const reading = { beatMs: heartbeat.lastBeatMs(), actor: mainBell?.currentActor() ?? -1, previousCheckMs };
  previousCheckMs = nowMs;
  const verdict = stallVerdict(reading, nowMs, startup.stallMs);
  if (!verdict.stalled) return;
  const actor = startup.actors[verdict.actor] ?? "(none in a handler)";
  const stalledMs = Math.round(verdict.stalledMs);
  log.fatal(
    { actor, stalledMs, stallMs: startup.stallMs },
    `main thread stalled for ${stalledMs} ms (actor: ${actor}); ` +
      "killing the process (SIGKILL) so its supervisor restarts it",
  );
  process.kill(process.pid, "SIGKILL");
}, startup.checkEveryMs);
