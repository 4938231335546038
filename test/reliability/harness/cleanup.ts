/**
 * Everything the runner creates outside itself — processes, temporary directories, tmpfs mounts — is
 * registered here and released synchronously, so that the same code runs at the end of a scenario, at the
 * end of the run, on an exception and from a signal handler (Ctrl-C) or the process' `exit` event.
 */
import type { ChildProcess } from "node:child_process";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** One scenario's resources; closing it releases them in reverse order of creation. */
export class Scope {
  private readonly releases: { label: string; release: () => void }[] = [];
  private closed = false;
  private lastLog: (() => string[]) | undefined;

  constructor(readonly name: string) {
    scopes.add(this);
  }

  /** A fresh directory under the OS temp dir, removed with the scope. */
  tempDir(label: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), `leadlag-rel-${this.name}-${label}-`));
    this.onClose(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
    return dir;
  }

  /** A child process, killed (SIGKILL) with the scope if it is still alive. */
  adopt(child: ChildProcess, label: string): void {
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    };
    // A scenario abandoned at its deadline may still try to start something: it dies at once.
    if (this.closed) kill();
    this.onClose(`kill ${label}`, kill);
  }

  /** The newest process' log tail: what a failure without a named process shows (a scenario past its budget). */
  logSource(tail: () => string[]): void {
    this.lastLog = tail;
  }

  latestLog(): string[] | undefined {
    return this.lastLog?.();
  }

  /** A mount point, lazily unmounted with the scope (before its directory is removed). */
  mounted(mountPoint: string): void {
    this.onClose(`umount ${mountPoint}`, () => {
      spawnSync("umount", ["-l", mountPoint], { stdio: "ignore", timeout: 10_000 });
    });
  }

  onClose(label: string, release: () => void): void {
    if (this.closed) throw new Error(`scope ${this.name} is closed; cannot ${label}`);
    this.releases.push({ label, release });
  }

  /** Releases everything; never throws (a failed release is reported on stderr). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    scopes.delete(this);
    for (const { label, release } of this.releases.reverse()) {
      try {
        release();
      } catch (err) {
        process.stderr.write(`reliability: could not ${label}: ${(err as Error).message}\n`);
      }
    }
  }
}

const scopes = new Set<Scope>();

export function closeAllScopes(): void {
  for (const scope of [...scopes]) scope.close();
}

/**
 * On SIGINT/SIGTERM: release everything and exit 130/143. The `exit` hook is the last resort for paths
 * that end the process without a signal (an uncaught error).
 */
export function installCleanupHooks(): void {
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\nreliability: ${signal}: stopping every daemon and removing temporary files\n`);
    closeAllScopes();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("exit", closeAllScopes);
}
