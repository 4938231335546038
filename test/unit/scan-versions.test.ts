import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  accept,
  freshVersion,
  latestVersion,
  listVersions,
  pointLatest,
  prune,
  reject,
  rollback,
  stagingDir,
  versionName,
  VersionsError,
} from "../../src/backtest/scan/versions.js";

const MINUTE = 60_000;
const T0 = Date.parse("2026-12-06T20:12:34Z");
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "leadlag-scan-versions-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Stages a set holding `marker` in top_pairs.json and accepts it. */
async function scanned(atMs: number, marker: string, keep = 3): Promise<{ version: string; removed: string[] }> {
  const version = await freshVersion(dir, atMs);
  const staging = await stagingDir(dir, version);
  writeFileSync(path.join(staging, "top_pairs.json"), marker);
  return { version, removed: await accept(dir, staging, version, keep) };
}

const latestText = () => readFileSync(path.join(dir, "latest", "top_pairs.json"), "utf8");

describe("scan versions", () => {
  it("names a version by its UTC minute and suffixes a second one in the same minute", async () => {
    expect(versionName(T0)).toBe("20261206T2012Z");
    const first = await scanned(T0, "a");
    const second = await scanned(T0 + 1000, "b");
    expect([first.version, second.version]).toEqual(["20261206T2012Z", "20261206T2012Z-2"]);
    expect(await listVersions(dir)).toEqual(["20261206T2012Z", "20261206T2012Z-2"]);
  });

  it("points latest (a relative symlink) at each accepted version and keeps the newest N", async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { version, removed } = await scanned(T0 + i * MINUTE, `set ${i}`, 3);
      made.push(version);
      expect(readlinkSync(path.join(dir, "latest"))).toBe(version);
      expect(latestText()).toBe(`set ${i}`);
      expect(removed).toEqual(i >= 3 ? [made[i - 3]] : []);
    }
    expect(await listVersions(dir)).toEqual(made.slice(2));
    expect(lstatSync(path.join(dir, "latest")).isSymbolicLink()).toBe(true);
    // Nothing of the staging or the temporary links is left behind.
    expect(readdirSync(dir).filter((n) => n.startsWith(".")).length).toBe(0);
  });

  it("moves latest by rename: a reader never finds it missing while it moves", async () => {
    await scanned(T0, "a");
    await scanned(T0 + MINUTE, "b");
    const [a, b] = await listVersions(dir);
    let missing = 0;
    let reads = 0;
    const reader = setInterval(() => {
      for (let i = 0; i < 50; i++) {
        reads++;
        if (!existsSync(path.join(dir, "latest", "top_pairs.json"))) missing++;
      }
    }, 0);
    for (let i = 0; i < 200; i++) await pointLatest(dir, i % 2 === 0 ? a : b);
    clearInterval(reader);
    expect(reads).toBeGreaterThan(0);
    expect(missing).toBe(0);
  });

  it("never removes the version latest points at, even when it is older than the newest N", async () => {
    const a = await scanned(T0, "a", 5);
    const b = await scanned(T0 + MINUTE, "b", 5);
    const c = await scanned(T0 + 2 * MINUTE, "c", 5);
    await pointLatest(dir, a.version); // as after two rollbacks
    expect(await prune(dir, 1)).toEqual([b.version]);
    expect(await listVersions(dir)).toEqual([a.version, c.version]);
    expect(latestText()).toBe("a");
  });

  it("rolls latest back one validated version at a time, and refuses when there is none older", async () => {
    const a = await scanned(T0, "a");
    const b = await scanned(T0 + MINUTE, "b");
    const c = await scanned(T0 + 2 * MINUTE, "c");
    expect(await rollback(dir)).toEqual([c.version, b.version]);
    expect(latestText()).toBe("b");
    expect(await rollback(dir)).toEqual([b.version, a.version]);
    expect(latestText()).toBe("a");
    await expect(rollback(dir)).rejects.toThrow(VersionsError);
    await expect(rollback(dir)).rejects.toThrow(/no version older than 20261206T2012Z/);
    expect(await latestVersion(dir)).toBe(a.version);
    await expect(rollback(path.join(dir, "nowhere"))).rejects.toThrow(/does not exist: nothing to roll back/);
  });

  it("puts a rejected set in rejected/<version>/ with reason.txt and leaves latest alone", async () => {
    const good = await scanned(T0, "good");
    const version = await freshVersion(dir, T0 + MINUTE);
    const staging = await stagingDir(dir, version);
    writeFileSync(path.join(staging, "top_pairs.json"), "bad");
    const where = await reject(dir, staging, version, "hold-out backtest: 0 decisions", 3);
    expect(where).toBe(path.join(dir, "rejected", version));
    expect(readFileSync(path.join(where, "reason.txt"), "utf8")).toBe("hold-out backtest: 0 decisions\n");
    expect(readFileSync(path.join(where, "top_pairs.json"), "utf8")).toBe("bad");
    expect(await latestVersion(dir)).toBe(good.version);
    expect(await listVersions(dir)).toEqual([good.version]);
    // A rejected version's name is taken: the next scan in that minute gets a suffix.
    expect(await freshVersion(dir, T0 + MINUTE)).toBe(`${version}-2`);
  });
});
