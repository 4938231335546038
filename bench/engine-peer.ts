import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { compiledUrl } from "../src/runtime/paths.js";
import type { EngineArrival, EnginePeerData } from "./workers/engine-peer.js";

export interface EnginePeer {
  /** Resolves once `expectPlaces` place orders have arrived. */
  readonly done: Promise<void>;
  /** Closes the stand-in's sockets and resolves with every frame it received. */
  stop(): Promise<EngineArrival[]>;
}

/** Starts the engine stand-in on its own thread. */
export async function startEnginePeer(data: EnginePeerData): Promise<EnginePeer> {
  const worker = new Worker(compiledUrl(new URL("./workers/engine-peer.ts", import.meta.url)), { workerData: data });
  await once(worker, "message");
  const done = once(worker, "message").then(() => undefined);
  return {
    done,
    async stop() {
      const reply = new Promise<EngineArrival[]>((resolve) => worker.on("message", (m: unknown) => Array.isArray(m) && resolve(m as EngineArrival[])));
      worker.postMessage("stop");
      const arrivals = await reply;
      await once(worker, "exit");
      return arrivals;
    },
  };
}
