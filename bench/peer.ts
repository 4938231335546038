import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { compiledUrl } from "../src/runtime/paths.js";

/**
 * A benchmark's outside world (publisher, engine) on a worker thread of its own. The worker posts
 * "ready" once bound, may post "done", and answers "stop" with `{ records }` after closing its sockets.
 */
export interface Peer<R> {
  /** Resolves when the worker posts "done" (never, for a worker that does not). */
  readonly done: Promise<void>;
  stop(): Promise<R>;
}

export async function startPeer<R>(module: URL, workerData: unknown): Promise<Peer<R>> {
  const worker = new Worker(compiledUrl(module), { workerData });
  await once(worker, "message");
  let onDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (onDone = resolve));
  let onRecords: (records: R) => void = () => undefined;
  const records = new Promise<R>((resolve) => (onRecords = resolve));
  worker.on("message", (m: unknown) => (m === "done" ? onDone() : onRecords((m as { records: R }).records)));
  return {
    done,
    async stop() {
      worker.postMessage("stop");
      const result = await records;
      await once(worker, "exit");
      return result;
    },
  };
}
