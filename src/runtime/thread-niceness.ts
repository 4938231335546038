import { readlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Logger } from "pino";

/**
 * Lowers the calling thread's scheduling priority to `niceness` (Linux: nice values are per thread, and
 * `/proc/thread-self` names this thread). A shadow's worker runs at nice 10 so that, on a machine with
 * fewer cores than busy threads, the live threads keep theirs (docs/shadow.md). Best effort: where it
 * cannot be done (not Linux) the thread runs at the process's priority, and says so once.
 */
export function setThreadNiceness(niceness: number, log: Logger): void {
  try {
    const tid = Number(path.basename(readlinkSync("/proc/thread-self")));
    os.setPriority(tid, niceness);
  } catch (err) {
    log.warn({ err, niceness }, "could not lower this thread's priority; it runs at the process's");
  }
}
