import { Worker, type TransferListItem } from "node:worker_threads";
import { compiledUrl } from "../src/runtime/paths.js";

/**
 * A benchmark worker: it posts "ready" once set up, then exactly one result message. Workers load the
 * compiled script (`npm run build` puts bench/workers/*.ts under dist/bench/workers/).
 */
export interface BenchWorker<R> {
  readonly ready: Promise<void>;
  readonly result: Promise<R>;
}

export function startBenchWorker<R>(
  script: string,
  data: unknown,
  transferList: TransferListItem[] = [],
): BenchWorker<R> {
  const worker = new Worker(compiledUrl(new URL(`./workers/${script}.ts`, import.meta.url)), {
    workerData: data,
    transferList,
  });
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const result = new Promise<R>((resolve, reject) => {
    worker.on("message", (message: "ready" | R) => (message === "ready" ? markReady() : resolve(message)));
    worker.on("error", reject);
    worker.on("exit", (code) => reject(new Error(`bench worker ${script} exited (${code}) before reporting`)));
  });
  return { ready, result };
}
