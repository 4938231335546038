/**
 * The artifact directory a scan maintains: versions `DIR/YYYYMMDDTHHMMZ/` (a `-N` suffix when a minute already
 * has one), `DIR/latest` a relative symlink to the validated version in use, `DIR/rejected/<version>/` with a
 * `reason.txt` for sets that failed validation. A set is written under a dot-name first and renamed into place,
 * so a version directory is always complete; `latest` moves by renaming a fresh symlink over it (atomic on
 * POSIX), so a reader sees the old set or the new one, never a missing link.
 */
import { constants } from "node:fs";
import { access, mkdir, readdir, readlink, rename, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";

export const LATEST = "latest";
export const REJECTED = "rejected";
const VERSION_PATTERN = /^\d{8}T\d{4}Z(-\d+)?$/;

/** A rollback or a directory that cannot be handled: exit 2 with this message. */
export class VersionsError extends Error {
  override readonly name = "VersionsError";
}

/** The artifact directory a strategy's `artifacts_path` reads through its `latest` link, or undefined. */
export function artifactDirOf(artifactsPath: string): string | undefined {
  return path.basename(artifactsPath) === LATEST ? path.dirname(artifactsPath) : undefined;
}

/** `YYYYMMDDTHHMMZ` of a wall-clock time (UTC). */
export function versionName(atMs: number): string {
  const iso = new Date(atMs).toISOString(); // 2026-12-06T20:12:23.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
}

/** Sort key: the minute, then the suffix as a number. */
function versionOrder(a: string, b: string): number {
  const [ma, sa = "0"] = a.split("-");
  const [mb, sb = "0"] = b.split("-");
  return ma !== mb ? (ma < mb ? -1 : 1) : Number(sa) - Number(sb);
}

async function names(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [];
    throw err;
  });
  return entries.filter((e) => e.isDirectory() && VERSION_PATTERN.test(e.name)).map((e) => e.name);
}

/** Validated versions, oldest first. */
export async function listVersions(dir: string): Promise<string[]> {
  return (await names(dir)).sort(versionOrder);
}

/** The version `latest` points at, or undefined. */
export async function latestVersion(dir: string): Promise<string | undefined> {
  const target = await readlink(path.join(dir, LATEST)).catch(() => undefined);
  return target === undefined ? undefined : path.basename(target);
}

/** Creates the artifact directory if needed and checks it can be written, before a scan spends minutes on the data. */
export async function ensureWritable(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new VersionsError(
      `cannot write the artifact directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
}

/** A version name not yet used in `dir` (nor in its rejected/), for a scan at `atMs`. */
export async function freshVersion(dir: string, atMs: number): Promise<string> {
  const taken = new Set([...(await names(dir)), ...(await names(path.join(dir, REJECTED)))]);
  const base = versionName(atMs);
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  return name;
}

/** The directory a set is written to before validation; the caller renames it with `accept` or `reject`. */
export async function stagingDir(dir: string, version: string): Promise<string> {
  const staging = path.join(dir, `.staging-${version}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  return staging;
}

/** Points `latest` at `version`: a new symlink under a temporary name renamed over the old one. */
export async function pointLatest(dir: string, version: string): Promise<void> {
  const temp = path.join(dir, `.${LATEST}-${process.pid}-${Date.now()}`);
  await symlink(version, temp);
  try {
    await rename(temp, path.join(dir, LATEST));
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Moves the staged set into place, points `latest` at it, and removes validated versions beyond the newest `keep`. */
export async function accept(dir: string, staging: string, version: string, keep: number): Promise<string[]> {
  await rename(staging, path.join(dir, version));
  await pointLatest(dir, version);
  return prune(dir, keep);
}

/** Moves the staged set to `rejected/<version>/` with the reason; `latest` is not touched. */
export async function reject(
  dir: string,
  staging: string,
  version: string,
  reason: string,
  keep: number,
): Promise<string> {
  const target = path.join(dir, REJECTED, version);
  await mkdir(path.join(dir, REJECTED), { recursive: true });
  await writeFile(path.join(staging, "reason.txt"), reason.endsWith("\n") ? reason : `${reason}\n`);
  await rename(staging, target);
  await prune(path.join(dir, REJECTED), keep);
  return target;
}

/** Removes the oldest versions beyond `keep`, never the one `latest` points at. Returns the removed names. */
export async function prune(dir: string, keep: number): Promise<string[]> {
  const versions = await listVersions(dir);
  const current = await latestVersion(dir);
  const doomed = versions.slice(0, Math.max(0, versions.length - keep)).filter((v) => v !== current);
  for (const v of doomed) await rm(path.join(dir, v), { recursive: true, force: true });
  return doomed;
}

/** Points `latest` at the validated version before the current one; returns [from, to]. */
export async function rollback(dir: string): Promise<[string, string]> {
  const current = await latestVersion(dir);
  if (current === undefined) throw new VersionsError(`${path.join(dir, LATEST)} does not exist: nothing to roll back`);
  const versions = await listVersions(dir);
  const at = versions.indexOf(current);
  const earlier = at < 0 ? versions.filter((v) => versionOrder(v, current) < 0) : versions.slice(0, at);
  const previous = earlier.at(-1);
  if (previous === undefined)
    throw new VersionsError(`no version older than ${current} in ${dir}: nothing to roll back to`);
  await pointLatest(dir, previous);
  return [current, previous];
}
