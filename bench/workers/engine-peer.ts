/**
 * The engine stand-in (bench/engine-standin.ts) on a thread of its own, as a real engine is a process of
 * its own: the daemon's main thread then carries only the daemon. Records when each frame arrived (epoch
 * ns; wall clocks of two threads agree to a few µs) and, on "stop", closes its sockets first (zeromq.js
 * aborts the process when a worker exits with sockets open) and posts the arrivals back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { EngineStandIn } from "../engine-standin.js";
import { wallClockNs } from "../../src/runtime/clock.js";

export interface EnginePeerData {
  readonly ordersPort: number;
  readonly eventsPort: number;
  /** Posts "done" once this many place orders have arrived. */
  readonly expectPlaces: number;
}

export interface EngineArrival {
  readonly frame: string;
  readonly arrivedNs: bigint;
}

const { ordersPort, eventsPort, expectPlaces } = workerData as EnginePeerData;
const arrivals: EngineArrival[] = [];
let places = 0;
const engine = new EngineStandIn((frame) => {
  arrivals.push({ frame, arrivedNs: wallClockNs() });
  if (frame.includes('"action":"place"') && ++places === expectPlaces) parentPort!.postMessage("done");
});
await engine.start(ordersPort, eventsPort);
parentPort!.postMessage("ready");
parentPort!.once("message", async () => {
  // "stop": sockets first, then the arrivals.
  await engine.stop();
  parentPort!.postMessage({ records: arrivals });
  parentPort!.close();
});
