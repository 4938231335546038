import { afterEach, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fromRoot } from "../../src/runtime/paths.js";
import { freePort, freePortPair } from "../fixtures/ports.js";
import { waitFor } from "../fixtures/wait.js";

/** The real daemon with a handler made to spin forever (fault injection), and under a stand-in for systemd. */
const bin = fromRoot("bin", "leadlag.js");
const STALL_MS = 2000;
/** Where the watchdog must not fire: a margin for a machine loaded by other test runs. */
const CALM_STALL_MS = 3000;

type Exit = { code: number | null; signal: NodeJS.Signals | null };

interface Daemon {
  child: ChildProcess;
  output: () => string;
  exited: Promise<Exit>;
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "leadlag-watchdog-e2e-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface DaemonOptions {
  readonly runtimeExtra?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly faultInjection?: boolean;
  readonly stallMs?: number;
}

function startDaemon(port: number, options: DaemonOptions = {}): Daemon {
  const { runtimeExtra = "", env = {}, faultInjection = true, stallMs = CALM_STALL_MS } = options;
  const dir = tempDir();
  const [mdTrades, mdBooks] = freePortPair();
  const file = path.join(dir, "config.yaml");
  writeFileSync(
    file,
    `
mode: live
runtime:
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")} }
  control: { fault_injection: ${faultInjection} }
  watchdog: { stall_ms: ${stallMs} }
${runtimeExtra}
market_data: { provider: synthetic, port: ${mdTrades}, books_port: ${mdBooks} }
execution: { provider: paper, mode: paper }
strategies:
  - name: ll
    type: leadlag
    config: { symbols: [BTC-USDT-PERP, ETH-USDT-PERP], decision_scores_csv_path: ${path.join(dir, "decisions.csv")} }
observability:
  logging: { level: warn }
  health_server: { host: 127.0.0.1, port: ${port} }
`,
  );
  const child = spawn(process.execPath, [bin, "run", file], {
    cwd: fromRoot(),
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  cleanups.push(() => child.kill("SIGKILL"));
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<Exit>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return { child, output: () => out, exited };
}

async function waitForHealth(port: number): Promise<void> {
  const until = Date.now() + 40_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error("daemon never became healthy");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const post = async (port: number, pathname: string) =>
  (await fetch(`http://127.0.0.1:${port}${pathname}`, { method: "POST" })).status;

function logLines(output: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Resolves with the exit, or rejects past `ms`: the bound within which the process must be gone. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  const late = new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms));
  return Promise.race([promise, late]);
}

/** systemd's notify socket, played by python3 (a receiver that shares no code with the daemon). */
async function notifyReceiver(): Promise<{ socketPath: string; received: string[] }> {
  const socketPath = path.join(tempDir(), "notify");
  const script = [
    "import json, socket, sys",
    "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
    "s.bind(sys.argv[1])",
    "print('bound', flush=True)",
    "while True: print(json.dumps(s.recv(4096).decode()), flush=True)",
  ].join("\n");
  const python = spawn("python3", ["-u", "-c", script, socketPath], { stdio: ["ignore", "pipe", "inherit"] });
  cleanups.push(() => python.kill("SIGKILL"));
  const received: string[] = [];
  let bound = false;
  let buffer = "";
  python.stdout.on("data", (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line === "bound") bound = true;
      else received.push(JSON.parse(line) as string);
    }
  });
  await waitFor(() => bound, 10_000);
  return { socketPath, received };
}

describe("main-thread watchdog (daemon)", () => {
  it("kills the daemon when a main-thread handler spins forever, naming the actor; pings to systemd stop", async () => {
    const notify = await notifyReceiver();
    const port = await freePort();
    // Pings every 200 ms: a stall of STALL_MS would let ~10 through if they did not come from the main thread.
    const env = { NOTIFY_SOCKET: notify.socketPath, WATCHDOG_USEC: "400000" };
    const d = startDaemon(port, { stallMs: STALL_MS, env });
    await waitForHealth(port);
    await waitFor(() => notify.received.filter((m) => m === "WATCHDOG=1").length >= 3, 10_000);
    expect(await post(port, "/control/actors/strategy/stall")).toBe(202);
    await waitFor(() => d.output().includes("this handler call now spins forever"), 10_000);
    const pingsBeforeStall = notify.received.length;
    // SIGTERM cannot end it (the main thread never runs the listener): only the watchdog thread can.
    d.child.kill("SIGTERM");
    const exit = await within(STALL_MS + 15_000, d.exited);
    expect(exit).toEqual({ code: null, signal: "SIGKILL" });
    // At most one ping sent just before the stall may still have been in flight.
    expect(notify.received.length - pingsBeforeStall).toBeLessThanOrEqual(1);
    expect(notify.received).not.toContain("STOPPING=1\nSTATUS=stopping");
    const fatal = logLines(d.output()).find((l) => l.level === 60);
    expect(fatal).toMatchObject({ thread: "watchdog", actor: "strategy", stallMs: STALL_MS });
    expect(fatal!.stalledMs as number).toBeGreaterThanOrEqual(STALL_MS);
    expect(fatal!.msg).toContain("main thread stalled");
  });

  it("leaves a stuck worker to the supervisor's heartbeat check: the worker restarts, the process lives", async () => {
    const port = await freePort();
    const runtimeExtra = "  placement: { hot_thread: worker }\n  supervisor: { heartbeat_timeout_ms: 500 }";
    const d = startDaemon(port, { runtimeExtra });
    await waitForHealth(port);
    expect(await post(port, "/control/actors/strategy/stall")).toBe(202);
    type Actor = { name: string; restarts: number; lastError?: string };
    const strategy = async () => {
      const { actors } = (await (await fetch(`http://127.0.0.1:${port}/control/actors`)).json()) as { actors: Actor[] };
      return actors.find((a) => a.name === "strategy")!;
    };
    let latest = await strategy();
    for (let i = 0; i < 200 && latest.restarts === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      latest = await strategy();
    }
    expect(latest.restarts).toBe(1);
    expect(latest.lastError).toMatch(/^stuck: strategy made no progress/);
    await waitForHealth(port);
    d.child.kill("SIGTERM");
    expect(await d.exited).toEqual({ code: 0, signal: null });
    expect(logLines(d.output()).filter((l) => l.level === 60)).toEqual([]);
  });

  it("refuses to stall an actor unless fault injection is on", async () => {
    const port = await freePort();
    const d = startDaemon(port, { faultInjection: false });
    await waitForHealth(port);
    expect(await post(port, "/control/actors/strategy/stall")).toBe(403);
    expect(await post(port, "/control/actors/nobody/stall")).toBe(404);
    await waitForHealth(port);
    d.child.kill("SIGTERM");
    expect(await d.exited).toEqual({ code: 0, signal: null });
  });

  it("refuses to start under a notify socket it cannot address, rather than leave systemd waiting", async () => {
    const d = startDaemon(await freePort(), { env: { NOTIFY_SOCKET: "@/org/freedesktop/systemd1/notify" } });
    expect(await d.exited).toEqual({ code: 2, signal: null });
    expect(d.output()).toContain("only a socket path is supported");
  });

  it("under systemd (Type=notify): READY=1 once started, WATCHDOG=1 pings, STOPPING=1 on SIGTERM", async () => {
    const notify = await notifyReceiver();
    const port = await freePort();
    // WatchdogSec=8s: pings every 4 s; over twice stall_ms, so no warning that systemd would fire first.
    const d = startDaemon(port, { env: { NOTIFY_SOCKET: notify.socketPath, WATCHDOG_USEC: "8000000" } });
    await waitForHealth(port);
    await waitFor(() => notify.received.some((m) => m.startsWith("READY=1")), 5000);
    await waitFor(() => notify.received.filter((m) => m === "WATCHDOG=1").length >= 2, 15_000);
    d.child.kill("SIGTERM");
    expect(await d.exited).toEqual({ code: 0, signal: null });
    const ready = notify.received.findIndex((m) => m.startsWith("READY=1"));
    expect(notify.received[0]).toBe("WATCHDOG=1");
    expect(notify.received[ready]).toMatch(/^READY=1\nSTATUS=running: \d+ actors$/);
    expect(notify.received.at(-1)).toBe("STOPPING=1\nSTATUS=stopping");
    const warnings = logLines(d.output()).filter((l) => (l.level as number) >= 40);
    const notifyWarnings = warnings.filter((l) => /sd_notify|WatchdogSec/.test(String(l.msg)));
    expect(notifyWarnings).toEqual([]);
  });
});
