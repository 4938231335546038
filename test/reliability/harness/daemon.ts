/**
 * One real daemon: `node bin/leadlag.js run CONFIG` in its own process, its output kept line by line so a
 * failure can show its last log lines, its health port polled with timeouts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fromRoot } from "../../../src/runtime/paths.js";
import type { Scope } from "./cleanup.js";
import { getJson, probeHealth } from "./http.js";
import { sleep } from "./wait.js";

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Lines kept per daemon: enough for a scenario's searches, bounded for a long soak. */
const MAX_LINES = 50_000;

/** The environment of every spawned daemon: no PostgreSQL URL leaks in, so the embedded journal store is used. */
export function daemonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.DATABASE_URL;
  delete env.LEADLAG_CONTROL_TOKEN;
  delete env.LEADLAG_CONFIRM_LIVE;
  return env;
}

export class Daemon {
  readonly child: ChildProcess;
  readonly exited: Promise<ExitInfo>;
  readonly startedAt = Date.now();
  private readonly output: string[] = [];
  private partial = { stdout: "", stderr: "" };
  private exit: ExitInfo | undefined;
  private readonly listeners = new Set<(line: string) => void>();

  constructor(
    scope: Scope,
    readonly label: string,
    readonly healthPort: number | undefined,
    args: readonly string[],
    env: NodeJS.ProcessEnv = daemonEnv(),
  ) {
    this.child = spawn(process.execPath, [fromRoot("bin", "leadlag.js"), ...args], {
      cwd: fromRoot(),
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    scope.adopt(this.child, label);
    scope.logSource(() => this.excerpt());
    this.child.stdout!.on("data", (d: Buffer) => this.take("stdout", d));
    this.child.stderr!.on("data", (d: Buffer) => this.take("stderr", d));
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => {
        for (const stream of ["stdout", "stderr"] as const)
          if (this.partial[stream] !== "") this.push(this.partial[stream]);
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  /** `leadlag run CONFIG` with a health port to poll. */
  static run(scope: Scope, label: string, configPath: string, healthPort: number, env?: NodeJS.ProcessEnv): Daemon {
    return new Daemon(scope, label, healthPort, ["run", configPath], env);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  get exitInfo(): ExitInfo | undefined {
    return this.exit;
  }

  lines(): readonly string[] {
    return this.output;
  }

  /** The last `n` lines, each cut to a readable length (pino lines carry long stacks). */
  tail(n = 15): string[] {
    return this.output.slice(-n).map(cut);
  }

  /**
   * What a failure shows: the last `errors` lines at error level or above (or not JSON: a crash's stderr),
   * then the last `recent` lines, in log order without repeats. Errors minutes old explain more than the
   * latest routine lines.
   */
  excerpt(errors = 6, recent = 6): string[] {
    const start = Math.max(0, this.output.length - recent);
    const picked = new Set<number>();
    for (let i = this.output.length - 1; i >= 0 && picked.size < errors; i--) {
      if (i < start && isErrorLine(this.output[i])) picked.add(i);
    }
    for (let i = start; i < this.output.length; i++) picked.add(i);
    return [...picked].sort((a, b) => a - b).map((i) => cut(this.output[i]));
  }

  /** Lines matching `pattern`, oldest first. */
  grep(pattern: RegExp): string[] {
    return this.output.filter((l) => pattern.test(l));
  }

  /** Resolves with the first line (already seen or coming) that matches, or undefined after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string | undefined> {
    const seen = this.output.find((l) => pattern.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const listener = (line: string) => {
        if (!pattern.test(line)) return;
        done(line);
      };
      const done = (line: string | undefined) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(line);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.listeners.add(listener);
    });
  }

  /**
   * Waits until every actor runs, whatever `/health` says: a daemon restarted with orders its venue has not
   * answered yet is rightly degraded until the answers come, and they come only once its sockets are up.
   */
  async waitStarted(timeoutMs = 90_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let last = "no answer yet";
    while (Date.now() < until) {
      if (!this.alive) throw new DaemonError(this, `exited (${describeExit(this.exit!)}) before its actors ran`);
      try {
        const { actors } = await this.json<{ actors: { name: string; state: string }[] }>(
          "/control/actors",
          "GET",
          2000,
        );
        const waiting = actors.filter((a) => a.state !== "running").map((a) => `${a.name} ${a.state}`);
        if (actors.length > 0 && waiting.length === 0) return;
        last = waiting.join(", ");
      } catch (err) {
        last = (err as Error).message;
      }
      await sleep(200);
    }
    throw new DaemonError(this, `actors not all running within ${Math.round(timeoutMs / 1000)} s (last: ${last})`);
  }

  /** Waits for `/health` to answer 200 with status ok; throws with the reason and the log's tail otherwise. */
  async waitHealthy(timeoutMs = 90_000): Promise<void> {
    const port = this.requirePort();
    const until = Date.now() + timeoutMs;
    let last = "no answer yet";
    while (Date.now() < until) {
      if (!this.alive) throw new DaemonError(this, `exited (${describeExit(this.exit!)}) before becoming healthy`);
      const health = await probeHealth(port, 2000);
      if (health.status === 200 && health.state === "ok") return;
      last = health.status === undefined ? (health.error ?? "no answer") : `${health.status} ${health.state}`;
      await sleep(200);
    }
    throw new DaemonError(this, `not healthy within ${Math.round(timeoutMs / 1000)} s (last: ${last})`);
  }

  /** Sends `signal` and waits for the exit; SIGKILL after `timeoutMs` (the result says so). */
  async stop(
    signal: NodeJS.Signals = "SIGINT",
    timeoutMs = 20_000,
  ): Promise<ExitInfo & { ms: number; forced: boolean }> {
    const t0 = Date.now();
    if (this.alive) this.child.kill(signal);
    const timeout = sleep(timeoutMs).then(() => undefined);
    const first = await Promise.race([this.exited, timeout]);
    if (first !== undefined) return { ...first, ms: Date.now() - t0, forced: false };
    this.child.kill("SIGKILL");
    return { ...(await this.exited), ms: Date.now() - t0, forced: true };
  }

  /** The exit, or undefined when the process is still running after `timeoutMs`. */
  waitExit(timeoutMs: number): Promise<ExitInfo | undefined> {
    return Promise.race([this.exited, sleep(timeoutMs).then(() => undefined)]);
  }

  /** `kill -9`: no shutdown code runs. */
  async kill9(): Promise<ExitInfo> {
    if (this.alive) this.child.kill("SIGKILL");
    return this.exited;
  }

  /** Resident set size from /proc (independent of `/metrics`), in MB; undefined once the process is gone. */
  rssMb(): number | undefined {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, "utf8"));
      return m ? Number(m[1]) / 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  async json<T = Record<string, unknown>>(pathname: string, method = "GET", timeoutMs = 5000): Promise<T> {
    const answer = await getJson<T>(this.requirePort(), pathname, { method, timeoutMs });
    if (answer.status >= 400)
      throw new DaemonError(
        this,
        `${method} ${pathname} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`,
      );
    return answer.body;
  }

  private requirePort(): number {
    if (this.healthPort === undefined) throw new Error(`${this.label} has no health port`);
    return this.healthPort;
  }

  private take(stream: "stdout" | "stderr", data: Buffer): void {
    const text = this.partial[stream] + data.toString("utf8");
    const lines = text.split("\n");
    this.partial[stream] = lines.pop()!;
    for (const line of lines) this.push(line);
  }

  private push(line: string): void {
    this.output.push(line);
    if (this.output.length > MAX_LINES) this.output.splice(0, this.output.length - MAX_LINES);
    for (const listener of this.listeners) listener(line);
  }
}

function cut(line: string): string {
  return line.length > 400 ? `${line.slice(0, 400)} …` : line;
}

/** pino's error (50) and fatal (60) lines, and anything that is not a log line at all. */
function isErrorLine(line: string): boolean {
  const level = /^\{"level":(\d+)/.exec(line);
  return level === null ? line.trim() !== "" : Number(level[1]) >= 50;
}

export function describeExit(exit: ExitInfo): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/** A failure that carries the daemon whose log explains it. */
export class DaemonError extends Error {
  override readonly name = "DaemonError";
  constructor(
    readonly daemon: Daemon,
    message: string,
  ) {
    super(`${daemon.label}: ${message}`);
  }
}
