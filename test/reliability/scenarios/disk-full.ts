/**
 * A full disk while trading (finding 7): the daemon's data directory — journal and embedded database — on a
 * small tmpfs, filled to the last byte by the runner while orders go through the external venue. The daemon
 * must say so (an error naming the path), report `/health` degraded, stop entering, lose nothing (its
 * positions stay those of the venue's fills, and so do those rebuilt from its journal), and trade again by
 * itself once the space is freed. Needs `mount -t tmpfs` (root); elsewhere the scenario says why it skipped.
 */
import { spawnSync } from "node:child_process";
import { closeSync, openSync, rmSync, statfsSync, writeSync } from "node:fs";
import path from "node:path";
import { Daemon, describeExit } from "../harness/daemon.js";
import { tradingConfig, writeConfig } from "../harness/configs.js";
import { probeHealth } from "../harness/http.js";
import { positionDifferences, positionsOf } from "../harness/observe.js";
import { freePorts } from "../harness/ports.js";
import { VenueProcess } from "../harness/venue.js";
import { poll, sleep } from "../harness/wait.js";
import { seconds, type Scenario, type ScenarioContext, type ScenarioReport } from "../scenario.js";

/** The embedded database takes ~40 MB; the rest is room to trade before the runner fills it. */
const TMPFS_SIZE = "96m";
const NOTICE_WITHIN_MS = 45_000;
const FULL_FOR_MS = 10_000;
const RESUME_WITHIN_MS = 90_000;

export const diskFull: Scenario = {
  name: "disk-full",
  budgetS: 420,
  async run({ scope, progress }: ScenarioContext, report: ScenarioReport) {
    const dir = scope.tempDir("run");
    const disk = path.join(scope.tempDir("disk"), "mnt");
    spawnSync("mkdir", ["-p", disk]);
    const mount = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${TMPFS_SIZE}`, "tmpfs", disk], {
      encoding: "utf8",
      timeout: 10_000,
    });
    if (mount.status !== 0) {
      const why = (mount.stderr || mount.error?.message || `exit ${mount.status}`).trim();
      report.notApplicable = `skipped: mount -t tmpfs failed (${why})`;
      return;
    }
    scope.mounted(disk);
    const [health, trades, books, ordersPort, eventsPort] = await freePorts(5);
    const venue = new VenueProcess(scope, ordersPort, eventsPort);
    await venue.ready();
    const dataDir = path.join(disk, "data");
    const config = writeConfig(
      dir,
      tradingConfig({
        dir,
        dataDir,
        ports: { health, trades, books },
        marketFrom: "embedded",
        venue: { ordersPort, eventsPort },
        trade: true,
      }),
    );
    let daemon = Daemon.run(scope, "daemon", config, health);
    report.load = `synthetic market, trading through the engine venue; data on a ${TMPFS_SIZE} tmpfs`;
    await daemon.waitHealthy(90_000);
    const traded = await poll(() => (venue.entriesSince(0).length >= 2 ? true : undefined), RESUME_WITHIN_MS, 1000);
    if (!report.check(traded === true, `no trading within ${RESUME_WITHIN_MS / 1000} s of the start`, daemon)) return;

    const filler = path.join(disk, "filler");
    const filled = fillDisk(filler);
    const fullAt = Date.now();
    progress(
      `disk full (${(filled / 1e6).toFixed(0)} MB written, ${statfsSync(disk).bavail} blocks free); ` +
        "waiting for the daemon to notice",
    );
    report.faults = `tmpfs filled to 0 B free for ≥ ${FULL_FOR_MS / 1000} s, then freed`;

    const named = await daemon.waitForLine(
      new RegExp(`${escapeRegExp(disk)}.*(ENOSPC|no space|full)|(ENOSPC|no space|full).*${escapeRegExp(disk)}`, "i"),
      NOTICE_WITHIN_MS,
    );
    report.check(
      named !== undefined,
      `no log line naming ${disk} and the full disk within ${NOTICE_WITHIN_MS / 1000} s of it filling`,
      daemon,
    );
    const degraded = await poll(
      async () => {
        const h = await probeHealth(health);
        return h.status === 503 && h.state === "degraded" ? Date.now() : undefined;
      },
      NOTICE_WITHIN_MS,
      500,
    );
    report.check(
      degraded !== undefined,
      `/health did not turn degraded within ${NOTICE_WITHIN_MS / 1000} s of the disk filling ` +
        `(now: ${(await probeHealth(health)).state})`,
      daemon,
    );
    const exitText = daemon.exitInfo && describeExit(daemon.exitInfo);
    if (!report.check(daemon.alive, `the daemon exited (${exitText}) on the full disk`, daemon)) return;
    const haltedFrom = (degraded ?? fullAt) + 2000;
    await sleep(Math.max(0, fullAt + FULL_FOR_MS - Date.now()));
    const freedAt = Date.now();
    const entriesWhileFull = venue.orders.filter(
      (o) => o.role === "entry" && o.atMs > haltedFrom && o.atMs < freedAt,
    ).length;
    report.check(
      entriesWhileFull === 0,
      `${entriesWhileFull} entries reached the venue while the disk was full`,
      daemon,
    );

    rmSync(filler, { force: true });
    progress("space freed; waiting for trading to resume");
    const ok = await poll(
      async () => ((await probeHealth(health)).state === "ok" ? Date.now() : undefined),
      NOTICE_WITHIN_MS,
      500,
    );
    report.check(
      ok !== undefined,
      `/health not ok within ${NOTICE_WITHIN_MS / 1000} s of the space being freed`,
      daemon,
    );
    const resumed = await poll(
      () => (venue.entriesSince(freedAt).length >= 1 ? Date.now() : undefined),
      RESUME_WITHIN_MS,
      1000,
    );
    report.check(
      resumed !== undefined,
      `trading did not resume within ${RESUME_WITHIN_MS / 1000} s of the space being freed`,
      daemon,
    );

    await venue.hold();
    await sleep(1500);
    const diffs = positionDifferences(await positionsOf(daemon), venue.positions());
    report.check(
      diffs.length === 0,
      `positions differ from the venue's fills after the full disk: ${diffs.join("; ")}`,
      daemon,
    );
    const stopped = await daemon.stop("SIGINT", 20_000);
    // The venue holds its answers, so an order sent just before may still be open at the stop's deadline: exit 75.
    report.check(
      (stopped.code === 0 || stopped.code === 75) && !stopped.forced,
      `SIGINT after the full disk ended with ${describeExit(stopped)}, not 0 or 75`,
      daemon,
    );
    // The venue still holds: orders sent since stay unanswered, and the rebuilt daemon may say so in /health.
    daemon = Daemon.run(scope, "daemon (journal replay)", config, health);
    await daemon.waitStarted(90_000);
    const rebuilt =
      (await poll(async () => {
        const p = await positionsOf(daemon);
        return p.length > 0 || venue.fills.length === 0 ? p : undefined;
      }, 15_000)) ?? [];
    const replayDiffs = positionDifferences(rebuilt, venue.positions());
    report.check(
      replayDiffs.length === 0,
      `positions rebuilt from the journal differ from the venue's fills: ${replayDiffs.join("; ")}`,
      daemon,
    );
    await daemon.stop("SIGINT", 20_000);
    venue.stop();

    if (degraded !== undefined) report.note(`degraded ${seconds(degraded - fullAt)} after the disk filled`);
    if (degraded !== undefined && ok !== undefined) report.note(`ok ${seconds(ok - freedAt)} after it was freed`);
    if (resumed !== undefined) report.note(`first entry ${seconds(resumed - freedAt)} after`);
    report.note(`${venue.fills.length} fills at the venue`);
  },
};

/** Writes until the filesystem refuses: 1 MB at a time, then 4 KB, so not a block is left. Returns bytes written. */
function fillDisk(file: string): number {
  const fd = openSync(file, "w");
  let written = 0;
  try {
    for (const size of [1 << 20, 4096]) {
      const chunk = Buffer.alloc(size, 0x5a);
      for (;;) {
        try {
          written += writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === "ENOSPC") break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
