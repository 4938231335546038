import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/** The heap cap docs/backtest.md tells a user to give a long backtest (`NODE_OPTIONS=--max-old-space-size=512`). */
export const BACKTEST_HEAP_MB = 512;

export interface WindowMemory {
  events: number;
  trades: number;
  wall_s: number;
  cpu_s: number;
  rss_mb: number;
  max_rss_mb: number;
  heap_used_after_gc_mb: number;
  heap_limit_mb: number;
}

const CHILD = fileURLToPath(new URL("./backtest-memory-child.js", import.meta.url));

/** One window's replay in a fresh process under the documented heap cap (bench/backtest-memory-child.ts). */
export async function windowMemory(file: string, seconds: number): Promise<WindowMemory> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--expose-gc", `--max-old-space-size=${BACKTEST_HEAP_MB}`, CHILD, file, String(seconds)],
    { maxBuffer: 1 << 20, env: { ...process.env, NODE_OPTIONS: "" } },
  );
  return JSON.parse(stdout) as WindowMemory;
}
