import { statfsSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Errors of the disk under the journal or the embedded database, described so that an operator knows
 * at once what happened and where: `ENOSPC writing data/journal.log (0 B free)`.
 */

/** Codes that mean "no room": the order manager halts entries and retries until there is room again. */
const NO_ROOM = new Set(["ENOSPC", "EDQUOT"]);
/** PostgreSQL's SQLSTATE for disk_full (the embedded database reports the local disk's ENOSPC this way). */
const SQLSTATE_DISK_FULL = "53100";

export class StorageError extends Error {
  constructor(
    /** `ENOSPC`, `EIO`, `53100`, … */
    readonly code: string,
    readonly path: string,
    /** Bytes free for an unprivileged writer where `path` lives, when it could be read. */
    readonly freeBytes: number | undefined,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${detail} (${freeBytes === undefined ? "free space unknown" : `${formatBytes(freeBytes)} free`})`, options);
    this.name = "StorageError";
  }

  get noRoom(): boolean {
    return NO_ROOM.has(this.code) || this.code === SQLSTATE_DISK_FULL;
  }
}

/** Wraps an error of `action` on `path` (a file, or a directory for the database) with the free space there. */
export function storageError(err: unknown, path: string, action: string): StorageError {
  if (err instanceof StorageError) return err;
  const code = errorCode(err) ?? "EUNKNOWN";
  const message = err instanceof Error && err.message !== "" ? err.message : code;
  const detail = message.includes(code) ? `${action} ${path}: ${message}` : `${code} ${action} ${path}: ${message}`;
  return new StorageError(code, path, freeBytes(path), detail, { cause: err });
}

export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && code !== "" ? code : undefined;
}

export function isNoRoom(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && (NO_ROOM.has(code) || code === SQLSTATE_DISK_FULL);
}

/** `statfs` of `path`, or of its nearest existing parent (a database directory not created yet). */
export function freeBytes(path: string): number | undefined {
  for (let at = path; ; at = dirname(at)) {
    try {
      const s = statfsSync(at);
      return s.bavail * s.bsize;
    } catch {
      if (dirname(at) === at) return undefined;
    }
  }
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
