/**
 * The windows this thread has decoded, kept for the next jobs: every job of a sweep replays a part of one
 * window (the sweep's), so each worker thread reads and decodes it once, not once per job.
 */
import type { Logger } from "pino";
import type { BacktestPlan } from "../runner/plan.js";
import { openReplay } from "../runner/run.js";
import { type LoadedWindow, loadIntoMemory } from "../sources/memory.js";

/** Windows kept at once: a sweep decodes one (its whole window); two let a worker serve two sweeps in turn. */
const KEPT_WINDOWS = 2;
const cache = new Map<string, Promise<LoadedWindow>>();
let decodes = 0;

export function loadedWindow(plan: BacktestPlan, log: Logger): Promise<LoadedWindow> {
  const key = JSON.stringify([plan.source, plan.tables, plan.recordedSymbols, `${plan.startNs}`, `${plan.endNs}`]);
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key); // re-inserted: most recently used last
    cache.set(key, hit);
    return hit;
  }
  const loading = (async () => {
    const source = await openReplay(plan, log);
    try {
      decodes++;
      return await loadIntoMemory(source);
    } finally {
      await source.close();
    }
  })();
  loading.catch(() => cache.delete(key));
  cache.set(key, loading);
  while (cache.size > KEPT_WINDOWS) cache.delete(cache.keys().next().value as string);
  return loading;
}

/** Windows this thread decoded so far (a test checks one per thread, not one per job). */
export function windowDecodes(): number {
  return decodes;
}
