import { readFileSync } from "node:fs";

/**
 * This process's peak RSS in MB. Not `process.resourceUsage().maxRSS`: on Linux that keeps the high-water mark of
 * the process image before exec, i.e. the parent's RSS when it spawned this child (the bench's, which has just
 * generated the 24-hour file); /proc/self/status VmHWM is this image's own (docs/backtest.md, "Memory").
 */
export function peakRssMb(): number {
  const status = readFileSync("/proc/self/status", "utf8").match(/^VmHWM:\s+(\d+) kB$/m);
  if (status === null) throw new Error("no VmHWM in /proc/self/status: the peak RSS is measured on Linux only");
  return Number(status[1]) / 1024;
}
