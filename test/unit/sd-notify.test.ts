import { afterEach, describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { NotifyUnavailable, systemdNotifier, watchdogPeriodMs } from "../../src/supervisor/sd-notify.js";
import type { ServiceNotifier } from "../../src/supervisor/sd-notify.js";
import { waitFor } from "../fixtures/wait.js";

interface Receiver {
  bind(path: string): void;
  on(event: "message", listener: (buf: Buffer) => void): void;
  close(): void;
}
const unixDgram = createRequire(import.meta.url)("unix-dgram") as { createSocket(type: "unix_dgram"): Receiver };

function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const write = (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>);
  const log = pino({ level: "debug" }, { write });
  return { log, lines };
}

/** A real unix datagram socket standing in for systemd's notify socket. */
function notifySocket() {
  const dir = mkdtempSync(path.join(tmpdir(), "leadlag-notify-"));
  const socketPath = path.join(dir, "notify");
  const received: string[] = [];
  const socket = unixDgram.createSocket("unix_dgram");
  socket.on("message", (buf) => received.push(buf.toString()));
  socket.bind(socketPath);
  return { socketPath, received, close: () => (socket.close(), rmSync(dir, { recursive: true, force: true })) };
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
const track = (n: ServiceNotifier) => (cleanups.push(() => n.close()), n);

describe("sd_notify", () => {
  it("is a silent no-op without NOTIFY_SOCKET", () => {
    const { log, lines } = capturedLog();
    for (const env of [{}, { NOTIFY_SOCKET: "" }, { WATCHDOG_USEC: "1000000" }]) {
      const notifier = systemdNotifier(env, log);
      expect(notifier.active).toBe(false);
      expect(notifier.watchdogMs).toBeUndefined();
      notifier.ready("running");
      notifier.stopping();
      notifier.close();
    }
    expect(lines).toEqual([]);
  });

  it("sends READY=1, watchdog pings every half WATCHDOG_USEC and STOPPING=1 to a real datagram socket", async () => {
    const sock = notifySocket();
    cleanups.push(sock.close);
    const { log, lines } = capturedLog();
    const notifier = track(systemdNotifier({ NOTIFY_SOCKET: sock.socketPath, WATCHDOG_USEC: "100000" }, log));
    expect(notifier).toMatchObject({ active: true, watchdogMs: 100 });
    notifier.ready("running: 9 actors");
    await waitFor(() => sock.received.filter((m) => m === "WATCHDOG=1").length >= 3, 5000);
    notifier.stopping();
    await waitFor(() => sock.received.includes("STOPPING=1\nSTATUS=stopping"), 5000);
    expect(sock.received[0]).toBe("WATCHDOG=1");
    expect(sock.received).toContain("READY=1\nSTATUS=running: 9 actors");
    notifier.close();
    const count = sock.received.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(sock.received.length).toBe(count);
    expect(lines).toEqual([]);
  });

  it("does not ping without a watchdog for this process", async () => {
    const sock = notifySocket();
    cleanups.push(sock.close);
    const env = { NOTIFY_SOCKET: sock.socketPath, WATCHDOG_USEC: "100000", WATCHDOG_PID: "1" };
    const notifier = track(systemdNotifier(env, capturedLog().log));
    expect(notifier.watchdogMs).toBeUndefined();
    notifier.ready("running");
    await waitFor(() => sock.received.length > 0, 5000);
    await new Promise((r) => setTimeout(r, 150));
    expect(sock.received).toEqual(["READY=1\nSTATUS=running"]);
  });

  it("logs an unreachable manager once, never throws", async () => {
    const { log, lines } = capturedLog();
    const missing = path.join(tmpdir(), `leadlag-no-such-socket-${process.pid}`);
    const notifier = track(systemdNotifier({ NOTIFY_SOCKET: missing }, log));
    notifier.ready("running");
    notifier.stopping();
    notifier.ready("running");
    expect(lines).toHaveLength(1);
    const msg = "sd_notify: message to the service manager not sent";
    expect(lines[0]).toMatchObject({ level: 40, socket: missing, msg });
  });

  it("refuses an abstract socket it cannot address, rather than leave systemd waiting", () => {
    const env = { NOTIFY_SOCKET: "@/org/freedesktop/systemd1/notify" };
    expect(() => systemdNotifier(env, capturedLog().log)).toThrow(NotifyUnavailable);
  });

  it("reads WATCHDOG_USEC only when it is meant for this process", () => {
    expect(watchdogPeriodMs({ WATCHDOG_USEC: "30000000" }, 42)).toBe(30_000);
    expect(watchdogPeriodMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: "42" }, 42)).toBe(30_000);
    expect(watchdogPeriodMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: "7" }, 42)).toBeUndefined();
    expect(watchdogPeriodMs({ WATCHDOG_USEC: "0" }, 42)).toBeUndefined();
    expect(watchdogPeriodMs({ WATCHDOG_USEC: "soon" }, 42)).toBeUndefined();
    expect(watchdogPeriodMs({}, 42)).toBeUndefined();
  });
});
