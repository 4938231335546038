import { parentPort, workerData } from "node:worker_threads";
import "../protocol/catalog.js";
import type { HostStartup, HostToSupervisor, SupervisorToHost } from "../protocol/host.js";
import { deepFreeze } from "../config/freeze.js";
import { wallClock } from "./clock.js";
import { createHost, loadActorDef } from "./host-factory.js";
import { createLogger } from "./logger.js";
import { setThreadNiceness } from "./thread-niceness.js";
import { DEFAULT_METRICS_EVERY_MS, runHostLoop } from "./run-loop.js";

/**
 * A worker thread hosting one or more actors. It never calls `process.exit` (with zeromq loaded that
 * would take the whole daemon down): it stops its actors when told and lets the thread end.
 */
const port = parentPort!;
/**
 * A standby worker has already paid for loading the runtime (zod, msgpackr, pino) and waits for
 * the startup of a thread that died, with the daemon's actor modules preloaded; that is what makes a
 * worker restart cost milliseconds.
 */
const standby = workerData as { standby?: boolean; preload?: string[] };
if (standby.standby) for (const url of standby.preload ?? []) await loadActorDef(url);
const startup: HostStartup = standby.standby
  ? await new Promise<HostStartup>((resolve) => port.once("message", resolve))
  : (workerData as HostStartup);
// A structured clone is not frozen: the actors here read their sections as frozen as the supervisor made them.
for (const actor of startup.actors) deepFreeze(actor.config);
const log = createLogger({
  level: startup.logLevel,
  structured: startup.logOutput?.structured,
  forwardToFile: startup.logOutput?.toFile,
}).child({ thread: startup.thread });
if (startup.niceness !== undefined) setThreadNiceness(startup.niceness, log);
const emit = (event: HostToSupervisor): void => port.postMessage(event);
let stopped = false;

/** Commands arrive inside a loop turn; they run right after it, so a stop can itself flush a turn. */
function onCommand(message: SupervisorToHost): void {
  queueMicrotask(() => runCommand(message));
}

function runCommand(message: SupervisorToHost): void {
  switch (message.type) {
    case "RestartActor":
      void host.restart(message.actor, message.delayMs, message.graceful);
      break;
    case "InjectCrash":
      host.injectCrash(message.actor, message.at);
      break;
    case "InjectStall":
      host.injectStall(message.actor);
      break;
    case "ActorCommand":
      host.command(message.actor, message.command, JSON.parse(message.argsJson));
      break;
    case "StopActors":
      void host.stop(message.actors, message.timeoutMs).then((failed) => {
        emit({ type: "ActorsStopped", actors: message.actors, failed });
        if (host.allStopped) {
          stopped = true;
          host.wake();
        }
      });
      break;
  }
}

const { host, bell, close } = createHost(startup, wallClock, log, emit, onCommand);

await host.start();
await runHostLoop(
  host,
  bell,
  {
    spinUs: startup.spinUs,
    rehearseEveryUs: startup.rehearseEveryUs,
    yieldEveryMs: 1,
    metricsEveryMs: startup.metricsEveryMs ?? DEFAULT_METRICS_EVERY_MS,
    blockingParkSliceMs: 1,
  },
  () => stopped,
);
close();
port.close();
