import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { parseConfig } from "../../src/config/index.js";
import { resolveStart } from "../../src/supervisor/sections.js";
import { DEFAULT_RESTART_POLICY } from "../../src/supervisor/restart.js";
import { createTapSlots, ShadowGroups, type AttachResult } from "../../src/supervisor/shadows/groups.js";
import { waitFor } from "../fixtures/wait.js";

function liveText(dir: string): string {
  return `
execution: { provider: paper, mode: paper }
runtime: { account_id: shadow-groups, journal: { path: ${path.join(dir, "journal.log")} } }
strategies:
  - name: s
    config:
      symbols: [BTC-USDT-PERP, ETH-USDT-PERP]
      artifacts_path: ${path.join(dir, "none")}
      decision_scores_csv_path: ${path.join(dir, "decisions.csv")}
`;
}

function groups(dir: string, slots: number): ShadowGroups {
  const text = liveText(dir);
  const live = parseConfig(text, { env: {} });
  const log = pino({ level: "silent" });
  return new ShadowGroups({
    live,
    liveText: text,
    profile: undefined,
    env: {},
    start: resolveStart(live),
    slots: createTapSlots(slots, 1 << 16),
    dir: path.join(dir, "shadows"),
    supervisor: {
      policy: DEFAULT_RESTART_POLICY,
      heartbeatTimeoutMs: 3000,
      blockDeadlineMs: 5000,
      faultInjection: true,
      logLevel: "silent",
      startTimeoutMs: 15_000,
      log,
    },
    onMetrics: () => undefined,
    liveEquity: () => 0,
    log,
  });
}

const refusal = (r: AttachResult) => (r.ok ? undefined : r);

/** Threads of this process at nice 10 (Linux: the 19th field of /proc/self/task/TID/stat). */
function threadsAtNice10(): number {
  return readdirSync("/proc/self/task").filter((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16] === "10";
  }).length;
}

describe("shadow groups: attach, refuse, crash, detach", () => {
  it("starts a group on its own worker, refuses duplicates, bad configs and the engine, restarts only the crashed actor", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-shadow-groups-"));
    const shadows = groups(dir, 2);
    try {
      const niced = threadsAtNice10();
      const a = await shadows.attach({ name: "a", set: { "strategies.0.config.entry_threshold": 1.5 } });
      expect(a.ok).toBe(true);
      // Its worker yields the cores to live threads.
      expect(threadsAtNice10()).toBe(niced + 1);
      const info = shadows.get("a")!;
      expect(info.actors.map((x) => [x.name, x.thread, x.state])).toEqual([
        ["shadow-a-venue", "shadow-a", "running"],
        ["shadow-a-orders", "shadow-a", "running"],
        ["shadow-a-risk", "shadow-a", "running"],
        ["shadow-a-strategy", "shadow-a", "running"],
      ]);
      expect(shadows.configOf("a")!.strategies[0].config.entry_threshold).toBe(1.5);
      expect(shadows.configFileOf("a")).toContain("entry_threshold: 1.5");

      expect(refusal(await shadows.attach({ name: "a", mirror: true }))).toMatchObject({
        status: 409,
        error: "a shadow named 'a' is already attached",
      });
      const bad = refusal(
        await shadows.attach({
          name: "b",
          set: {
            "strategies.0.config.entry_threshold": -1,
            "strategies.0.config.hy_estimator_config.lag_step_s": 0.1,
            "execution.provider": "zmq",
          },
        }),
      )!;
      expect(bad.status).toBe(400);
      expect(bad.errors!.map((e) => e.path).sort()).toEqual([
        "execution.provider",
        "strategies[0].config.entry_threshold",
        "strategies[0].config.hy_estimator_config.lag_step_s",
      ]);
      const engine = refusal(
        await shadows.attach({ name: "c", config: liveText(dir).replace("provider: paper", "provider: zmq") }),
      )!;
      expect(engine.status).toBe(400);
      expect(engine.errors).toEqual([
        { path: "execution.provider", message: expect.stringContaining("live execution provider") },
      ]);
      expect(refusal(await shadows.attach({ name: "Bad Name", mirror: true }))!.status).toBe(400);
      expect(refusal(await shadows.attach({ name: "d", mirror: true, set: {} }))!.status).toBe(400);
      expect(shadows.list().map((s) => s.name)).toEqual(["a"]);

      expect((await shadows.attach({ name: "m", mirror: true })).ok).toBe(true);
      expect(refusal(await shadows.attach({ name: "e", mirror: true }))!.status).toBe(503);

      expect(shadows.crashActor("a", "shadow-a-strategy")).toBe(true);
      expect(shadows.crashActor("a", "strategy")).toBeUndefined();
      await waitFor(() => shadows.get("a")!.actors.find((x) => x.name === "shadow-a-strategy")!.restarts === 1, 10_000);
      expect(shadows.get("a")!.actors.map((x) => x.restarts)).toEqual([0, 0, 0, 1]);
      expect(shadows.get("m")!.actors.every((x) => x.restarts === 0)).toBe(true);

      expect(await shadows.detach("zzz")).toBe(false);
      expect(await shadows.detach("a")).toBe(true);
      expect(shadows.list().map((s) => s.name)).toEqual(["m"]);
      // The freed slot takes the next shadow.
      expect((await shadows.attach({ name: "a", mirror: true })).ok).toBe(true);
    } finally {
      await shadows.close();
    }
    expect(shadows.list()).toEqual([]);
    expect(refusal(await shadows.attach({ name: "late", mirror: true }))!.status).toBe(503);
  }, 60_000);

  it("places a shadow on the daemon's main thread with thread: main (no worker, not reniced), and refuses another thread", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-shadow-groups-"));
    const shadows = groups(dir, 2);
    try {
      const niced = threadsAtNice10();
      const bad = refusal(await shadows.attach({ name: "h", mirror: true, thread: "hot" as "main" }))!;
      expect(bad).toMatchObject({ status: 400, error: expect.stringContaining('got "hot"') });
      const m = await shadows.attach({ name: "m", mirror: true, thread: "main" });
      expect(m.ok).toBe(true);
      expect(threadsAtNice10()).toBe(niced);
      const info = shadows.get("m")!;
      expect(info.thread).toBe("main");
      expect(info.actors.map((x) => [x.name, x.thread, x.state])).toEqual([
        ["shadow-m-venue", "main", "running"],
        ["shadow-m-orders", "main", "running"],
        ["shadow-m-risk", "main", "running"],
        ["shadow-m-strategy", "main", "running"],
      ]);
      // A crash on the main thread restarts that actor only, as on a worker.
      expect(shadows.crashActor("m", "shadow-m-strategy")).toBe(true);
      await waitFor(() => shadows.get("m")!.actors.find((x) => x.name === "shadow-m-strategy")!.restarts === 1, 10_000);
      expect(shadows.get("m")!.actors.map((x) => [x.restarts, x.state])).toEqual([
        [0, "running"],
        [0, "running"],
        [0, "running"],
        [1, "running"],
      ]);
      // Beside it, a default shadow gets its own (reniced) worker.
      expect((await shadows.attach({ name: "w", mirror: true })).ok).toBe(true);
      expect(shadows.get("w")!.thread).toBe("own");
      expect(threadsAtNice10()).toBe(niced + 1);
      expect(await shadows.detach("m")).toBe(true);
    } finally {
      await shadows.close();
    }
  }, 60_000);
});
