/** What a scenario is, what it reports, and the small vocabulary its checks share. */
import type { Scope } from "./harness/cleanup.js";
import { DaemonError, type Daemon } from "./harness/daemon.js";

export interface ScenarioContext {
  readonly scope: Scope;
  /** A progress line on stderr, so a long run shows where it is. */
  readonly progress: (message: string) => void;
}

export interface Scenario {
  readonly name: string;
  /** Hard limit of the whole scenario; past it the scenario fails and everything it started is killed. */
  readonly budgetS: number;
  run(ctx: ScenarioContext, report: ScenarioReport): Promise<void>;
}

export interface Failure {
  readonly message: string;
  readonly daemon?: Daemon;
}

/** Filled in by a scenario as it goes: the table's cells, its failed checks, or why it does not apply here. */
export class ScenarioReport {
  load = "—";
  faults = "—";
  badInputs = "—";
  readonly notes: string[] = [];
  readonly failures: Failure[] = [];
  /** Set when the machine does not allow the scenario (no tmpfs mount, no watchdog): neither pass nor fail. */
  notApplicable: string | undefined;
  checks = 0;

  /** Records a failure unless `ok`; returns `ok` so a scenario can stop early when a later step needs it. */
  check(ok: boolean, message: string, daemon?: Daemon): boolean {
    this.checks++;
    if (!ok) this.failures.push({ message, daemon });
    return ok;
  }

  note(text: string): void {
    this.notes.push(text);
  }

  /** An exception that ended the scenario: a daemon error keeps its daemon for the log tail. */
  crashed(err: unknown): void {
    const daemon = err instanceof DaemonError ? err.daemon : undefined;
    this.failures.push({ message: (err as Error)?.message ?? String(err), daemon });
  }
}

/** `a ≈ b` for money and sizes that went through float arithmetic on both sides. */
export function near(a: number, b: number, relative = 1e-6, absolute = 1e-6): boolean {
  return Math.abs(a - b) <= Math.max(absolute, relative * Math.max(Math.abs(a), Math.abs(b)));
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
