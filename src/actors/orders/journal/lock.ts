import { closeSync, constants, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { threadId } from "node:worker_threads";
import { tryLock } from "fs-native-extensions";

/**
 * An exclusive lock on a file, held for as long as the returned `FileLock` is open: one writer per
 * journal (and per embedded database directory), whether the other would-be writer is another daemon on
 * the same data directory or an earlier incarnation of the order manager still winding down.
 *
 * The lock is the kernel's (an open-file-description lock, `F_OFD_SETLK` on Linux): it is released when
 * the holder closes it, when its thread ends (Node closes a worker's files) and when its process dies,
 * even by `kill -9`, so a stale lock cannot outlive its holder. The file's content only names the holder
 * for the message of the one refused; it is never deleted (deleting a lock file races with a new holder).
 */

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly thread: number;
  /** What holds it, e.g. `orders incarnation 3`. */
  readonly owner: string;
  readonly since: string;
}

export class LockHeldError extends Error {
  constructor(
    readonly path: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(`${path} is locked by ${describeHolder(holder)}; only one leadlag may use a data directory at a time`);
    this.name = "LockHeldError";
  }
}

export class FileLock {
  private constructor(
    readonly path: string,
    private fd: number | undefined,
  ) {}

  /** Takes the lock at `path` (creating the file) or throws `LockHeldError` naming the holder. */
  static acquire(path: string, owner: string): FileLock {
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    let granted = false;
    try {
      granted = tryLock(fd);
    } catch (err) {
      closeSync(fd);
      const message = `cannot lock ${path}: ${(err as Error).message} (the file system must support file locks)`;
      throw new Error(message, { cause: err });
    }
    if (!granted) {
      closeSync(fd);
      throw new LockHeldError(path, readHolder(path));
    }
    const since = new Date().toISOString();
    const holder: LockHolder = { pid: process.pid, host: hostname(), thread: threadId, owner, since };
    try {
      ftruncateSync(fd, 0);
      writeSync(fd, `${JSON.stringify(holder)}\n`, 0);
    } catch {
      // The lock holds whatever the file says; a full disk only leaves the holder unnamed.
    }
    return new FileLock(path, fd);
  }

  get held(): boolean {
    return this.fd !== undefined;
  }

  release(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }
}

/** The holder named in a lock file, if it can be read (it may be mid-write, or from an older version). */
export function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<LockHolder>;
    return typeof parsed.pid === "number" ? (parsed as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

function describeHolder(holder: LockHolder | undefined): string {
  if (holder === undefined) return "another process (its lock file names no holder)";
  const here = `this process (pid ${holder.pid}, thread ${holder.thread})`;
  const who = holder.pid === process.pid ? here : `pid ${holder.pid} on ${holder.host}`;
  return `${who}, ${holder.owner}, since ${holder.since}`;
}
