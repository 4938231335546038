import { parentPort, workerData } from "node:worker_threads";
import type { HostStartup, HostToSupervisor, SupervisorToHost } from "../protocol/host.js";
import { wallClock } from "./clock.js";
import { createHost } from "./host-factory.js";
import { createLogger } from "./logger.js";
import { runHostLoop } from "./run-loop.js";

/**
 * A worker thread hosting one or more actors. It never calls `process.exit` (with zeromq loaded that
 * would take the whole daemon down): it stops its actors when told and lets the thread end.
 */
const startup = workerData as HostStartup;
const port = parentPort!;
const log = createLogger(startup.logLevel).child({ thread: startup.thread });
const emit = (event: HostToSupervisor): void => port.postMessage(event);
const { host, bell, close } = createHost(startup, wallClock, log, emit);
let stopped = false;

port.on("message", (message: SupervisorToHost) => {
  switch (message.type) {
    case "RestartActor":
      void host.restart(message.actor, message.delayMs, message.graceful);
      break;
    case "InjectCrash":
      host.injectCrash(message.actor);
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
  host.wake();
});

await host.start();
await runHostLoop(host, bell, { spinUs: startup.spinUs, yieldEveryMs: 1, metricsEveryMs: 1000 }, () => stopped);
close();
port.close();
