import { closeSync, fstatSync, openSync } from "node:fs";
import { percentile, sortedCopy } from "./bench.js";

export interface SyscallCost {
  /** p50 µs of an `fstat` in a tight loop. */
  readonly hotUs: number;
  /** p50 µs of the same `fstat` when 10 ms of other work (a timer) passed since the last one. */
  readonly afterIdleUs: number;
}

/**
 * What one system call costs on the machine it runs on, when the kernel's paths are warm and when they are not.
 * Every hop of a latency path that is taken rarely (a jump every few seconds) pays the cold price per
 * call: journal write, socket send, futex wake. Measured in the same run as the latency it explains.
 */
export async function syscallCost(samples = 200): Promise<SyscallCost> {
  const fd = openSync(process.execPath, "r");
  try {
    const hot: number[] = [];
    for (let i = 0; i < samples * 10; i++) {
      const t0 = performance.now();
      fstatSync(fd);
      hot.push((performance.now() - t0) * 1000);
    }
    const cold: number[] = [];
    for (let i = 0; i < samples; i++) {
      await new Promise((r) => setTimeout(r, 10));
      const t0 = performance.now();
      fstatSync(fd);
      cold.push((performance.now() - t0) * 1000);
    }
    return { hotUs: percentile(sortedCopy(hot), 50), afterIdleUs: percentile(sortedCopy(cold), 50) };
  } finally {
    closeSync(fd);
  }
}
