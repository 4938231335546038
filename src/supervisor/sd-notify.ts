import { createRequire } from "node:module";
import type { Logger } from "pino";

/**
 * sd_notify(3) for `Type=notify` units: READY=1 once every actor runs, WATCHDOG=1 pings every half
 * `WATCHDOG_USEC` from a main-thread timer (a stuck main thread stops them, and systemd's `WatchdogSec`
 * then restarts the unit), STOPPING=1 when a stop begins. Without `NOTIFY_SOCKET` (not under systemd,
 * or `Type=simple`) every call is a silent no-op and nothing is loaded.
 *
 * Node has no unix datagram sockets; `unix-dgram` (a small native addon, no libsystemd needed, built by
 * node-gyp at `npm ci`) sends each message with one non-blocking `sendmsg`. Spawning `systemd-notify`
 * instead would fork the daemon's process on its tick thread for every ping, and needs
 * `NotifyAccess=all` with systemd's attribution race (sd_notify(3), systemd-notify(1)).
 */
export interface ServiceNotifier {
  /** False when there is no notify socket: every call does nothing. */
  readonly active: boolean;
  /** systemd's watchdog period for this process (`WATCHDOG_USEC`), or undefined when it has none. */
  readonly watchdogMs: number | undefined;
  ready(status: string): void;
  stopping(): void;
  /** Ends the pings and closes the socket. */
  close(): void;
}

/** unix-dgram's errors carry the negative errno (or 1 for a full socket buffer) as `code`. */
type SendError = Error & { code?: unknown };

/** The part of `unix-dgram` used here (the package ships no types). */
interface UnixDgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, callback: (err?: SendError) => void): void;
  on(event: "error", listener: (err: Error) => void): void;
  close(): void;
}
interface UnixDgram {
  createSocket(type: "unix_dgram"): UnixDgramSocket;
}

const SILENT: ServiceNotifier = {
  active: false,
  watchdogMs: undefined,
  ready: () => undefined,
  stopping: () => undefined,
  close: () => undefined,
};

export class NotifyUnavailable extends Error {}

/**
 * The notifier for this process's environment. Throws `NotifyUnavailable` when systemd expects
 * notifications this build cannot send (an abstract socket, the addon missing): a `Type=notify` unit
 * would otherwise wait out its start timeout and be killed without a word.
 */
export function systemdNotifier(env: NodeJS.ProcessEnv, log: Logger): ServiceNotifier {
  const path = env.NOTIFY_SOCKET;
  if (path === undefined || path === "") return SILENT;
  if (!path.startsWith("/")) {
    throw new NotifyUnavailable(
      `NOTIFY_SOCKET=${path}: only a socket path is supported (not an abstract socket); use Type=simple`,
    );
  }
  let dgram: UnixDgram;
  try {
    dgram = createRequire(import.meta.url)("unix-dgram") as UnixDgram;
  } catch (err) {
    throw new NotifyUnavailable(
      `NOTIFY_SOCKET is set but unix-dgram cannot be loaded (${(err as Error).message}); ` +
        "run npm ci with g++, make and python3 installed",
    );
  }
  return new SocketNotifier(dgram.createSocket("unix_dgram"), path, watchdogPeriodMs(env), log);
}

/** `WATCHDOG_USEC` in ms when it is meant for this process (`WATCHDOG_PID` absent or ours). */
export function watchdogPeriodMs(env: NodeJS.ProcessEnv, pid = process.pid): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== "" && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return usec / 1000;
}

class SocketNotifier implements ServiceNotifier {
  readonly active = true;
  private readonly pings: NodeJS.Timeout | undefined;
  private readonly failures = new Set<string>();
  private closed = false;

  constructor(
    private readonly socket: UnixDgramSocket,
    private readonly path: string,
    readonly watchdogMs: number | undefined,
    private readonly log: Logger,
  ) {
    socket.on("error", (err) => this.failed(err));
    if (watchdogMs !== undefined) {
      // Half the period, as sd_watchdog_enabled(3) advises; from the first moment, so a slow start-up is not
      // mistaken for a hang.
      this.pings = setInterval(() => this.send("WATCHDOG=1"), watchdogMs / 2);
      this.pings.unref();
      this.send("WATCHDOG=1");
    }
  }

  ready(status: string): void {
    this.send(`READY=1\nSTATUS=${status}`);
  }

  stopping(): void {
    this.send("STOPPING=1\nSTATUS=stopping");
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pings);
    this.socket.close();
  }

  private send(message: string): void {
    if (this.closed) return;
    const buf = Buffer.from(message);
    this.socket.send(buf, 0, buf.length, this.path, (err) => {
      if (err) this.failed(err);
    });
  }

  /** Logged once per kind: a manager that is away (re-executing) must not flood the log every ping. */
  private failed(err: SendError): void {
    const kind = String(err.code ?? err.message);
    if (this.failures.has(kind)) return;
    this.failures.add(kind);
    this.log.warn({ err, socket: this.path }, "sd_notify: message to the service manager not sent");
  }
}
