/**
 * Queue mode against the Redis at 127.0.0.1:6379 (CI=true never skips): each test has its own queue name.
 * Worker processes are real `leadlag worker` processes; one is killed mid-job with SIGKILL.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromRoot } from "../../src/runtime/paths.js";
import { backtestConfigYaml, recordJumpyMarket } from "../fixtures/backtest.js";
import { freePort } from "../fixtures/ports.js";

const execFileAsync = promisify(execFile);
const SECONDS = 120;
const REDIS = "redis://127.0.0.1:6379";
const GRID = [
  "--param",
  "strategies.0.config.hazard_window_seconds=2,5",
  "--param",
  "strategies.0.config.time_limit_seconds=10,20",
];
const redisUp = await (async () => {
  const probe = new Redis({ host: "127.0.0.1", port: 6379, lazyConnect: true, retryStrategy: () => null });
  probe.on("error", () => undefined);
  try {
    await probe.connect();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
})();
const skip = !redisUp && !process.env.CI;

let dir: string;
let config: string;
const workers: ChildProcess[] = [];

async function leadlag(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync("node", [fromRoot("bin/leadlag.js"), ...args], { cwd: fromRoot() });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A `leadlag worker` process; `lines` collects its stderr lines as they come. */
function startWorker(queue: string, ...extra: string[]): { child: ChildProcess; lines: string[] } {
  const child = spawn(
    "node",
    [fromRoot("bin/leadlag.js"), "worker", "--queue", REDIS, "--queue-name", queue, ...extra],
    {
      cwd: fromRoot(),
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  workers.push(child);
  const lines: string[] = [];
  let buffer = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    lines.push(...parts);
  });
  return { child, lines };
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const queueName = (test: string) => `leadlag-test-sweep-${test}-${process.pid}-${Date.now()}`;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "leadlag-sweep-queue-"));
  const files = await recordJumpyMarket(dir, SECONDS);
  config = path.join(dir, "sweep.yaml");
  writeFileSync(config, backtestConfigYaml(dir, files.arrow, SECONDS));
  if (skip) return;
  // What the queue must reproduce: the local pool's results for the same grid and seed.
  const local = await leadlag(
    "sweep",
    config,
    ...GRID,
    "--seed",
    "5",
    "--workers",
    "2",
    "--out",
    path.join(dir, "local"),
  );
  expect(local.code, local.stderr).toBe(0);
}, 180_000);
afterAll(() => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skip)("leadlag sweep --queue", () => {
  it("gives the local pool's results through BullMQ and two worker processes", async () => {
    const local = await leadlag(
      "sweep",
      config,
      ...GRID,
      "--seed",
      "5",
      "--workers",
      "2",
      "--out",
      path.join(dir, "local"),
    );
    expect(local.code, local.stderr).toBe(0);
    const queue = queueName("same");
    const [a, b] = [startWorker(queue, "--workers", "1"), startWorker(queue, "--workers", "1")];
    await waitFor("both workers", () => [a, b].every((w) => w.lines.some((l) => l.includes(`queue ${queue}`))));
    const run = await leadlag(
      "sweep",
      config,
      ...GRID,
      "--seed",
      "5",
      "--queue",
      REDIS,
      "--queue-name",
      queue,
      "--out",
      path.join(dir, "queued"),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(path.join(dir, "queued/results.json"), "utf8")).toBe(
      readFileSync(path.join(dir, "local/results.json"), "utf8"),
    );
    expect(run.stdout).toContain(`4 jobs on queue ${queue} at 127.0.0.1:6379`);
    expect(run.stdout).toContain("stalled and retried: 0");
    // Both processes took jobs.
    for (const w of [a, b]) expect(w.lines.some((l) => / done$/.test(l))).toBe(true);
    for (const w of [a, b]) w.child.kill("SIGTERM");
    await Promise.all([a, b].map((w) => new Promise((r) => w.child.once("exit", r))));
    expect([a.child.exitCode, b.child.exitCode]).toEqual([0, 0]);
  }, 240_000);

  it("hands the job of a worker killed mid-job to another, reports it, and still gives the same results", async () => {
    const queue = queueName("stall");
    const stall = ["--workers", "1", "--stall-ms", "1000"];
    const doomed = startWorker(queue, ...stall);
    await waitFor("the first worker", () => doomed.lines.some((l) => l.includes(`queue ${queue}`)));
    const sweep = leadlag(
      "sweep",
      config,
      ...GRID,
      "--seed",
      "5",
      "--queue",
      REDIS,
      "--queue-name",
      queue,
      "--out",
      path.join(dir, "stalled"),
    );
    await waitFor("a job to start", () => doomed.lines.some((l) => / started$/.test(l)));
    doomed.child.kill("SIGKILL");
    const killedJob = doomed.lines.find((l) => / started$/.test(l))?.split(" ")[3];
    const rescuer = startWorker(queue, ...stall);
    const run = await sweep;
    expect(run.code, run.stderr).toBe(0);
    expect(doomed.lines.some((l) => l.includes(`job ${killedJob} `) && / done$/.test(l))).toBe(false);
    expect(rescuer.lines.some((l) => l.includes(`job ${killedJob} `) && / done$/.test(l))).toBe(true);
    expect(run.stdout).toContain("stalled and retried: 1");
    expect(readFileSync(path.join(dir, "stalled/results.json"), "utf8")).toBe(
      readFileSync(path.join(dir, "local/results.json"), "utf8"),
    );
    rescuer.child.kill("SIGTERM");
  }, 240_000);

  it("names host:port in one line, exit 1, when Redis cannot be reached (sweep and worker); exit 2 for a URL that is not redis://", async () => {
    const port = await freePort();
    const sweep = await leadlag(
      "sweep",
      config,
      ...GRID,
      "--queue",
      `redis://127.0.0.1:${port}`,
      "--out",
      path.join(dir, "x"),
    );
    expect(sweep.code).toBe(1);
    expect(sweep.stderr).toBe(`leadlag sweep: cannot reach Redis at 127.0.0.1:${port}: ECONNREFUSED\n`);
    const notRedis = await leadlag("worker", "--queue", `http://127.0.0.1:${port}`);
    expect(notRedis.code).toBe(2);
    expect(notRedis.stderr).toContain(`--queue must be a redis://HOST:PORT URL, got 'http://127.0.0.1:${port}'`);
    const worker = await leadlag("worker", "--queue", `redis://127.0.0.1:${port}`);
    expect(worker.code).toBe(1);
    expect(worker.stderr).toBe(`leadlag worker: cannot reach Redis at 127.0.0.1:${port}: ECONNREFUSED\n`);
  }, 60_000);
});
