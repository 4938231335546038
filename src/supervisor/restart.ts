import type { RestartType } from "./child-spec.js";

export type Strategy = "one_for_one" | "rest_for_one" | "one_for_all";

/**
 * Why a child stopped running. `shutdown` is the supervisor's own stop; `crash` covers handler errors, dead workers and
 * stuck actors.
 */
export type ExitReason = "crash" | "normal" | "shutdown";

export interface RestartPolicy {
  readonly strategy: Strategy;
  /** Restarts allowed within `periodMs` before the supervisor escalates. */
  readonly intensity: number;
  readonly periodMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
}

/**
 * A trading daemon restarts more than OTP's default (1 in 5 s): a feed hiccup can crash a parser a few
 * times in a row. Ten restarts a minute is still low enough to stop a crash loop quickly.
 */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  strategy: "one_for_one",
  intensity: 10,
  periodMs: 60_000,
  backoffInitialMs: 50,
  backoffMaxMs: 5_000,
};

/** (restart type × exit reason) → restart? One row per restart type, as in OTP's `do_restart`. */
const RESTART_TABLE: Record<RestartType, Record<ExitReason, boolean>> = {
  permanent: { crash: true, normal: true, shutdown: false },
  transient: { crash: true, normal: false, shutdown: false },
  temporary: { crash: false, normal: false, shutdown: false },
};

export function shouldRestart(type: RestartType, reason: ExitReason): boolean {
  return RESTART_TABLE[type][reason];
}

/** Which children a failure takes down with it, in start order. */
export function affectedChildren(strategy: Strategy, ordered: readonly string[], failed: readonly string[]): string[] {
  if (strategy === "one_for_all") return [...ordered];
  if (strategy === "one_for_one") return ordered.filter((n) => failed.includes(n));
  const first = Math.min(...failed.map((n) => ordered.indexOf(n)).filter((i) => i >= 0));
  return Number.isFinite(first) ? ordered.slice(first) : [];
}

/**
 * Sliding window of restart times with `now` passed in: pure, so intensity and backoff are unit-tested
 * without clocks. `record` returns the decision for one more restart.
 */
export class RestartBudget {
  private readonly times: number[] = [];

  constructor(private readonly policy: RestartPolicy) {}

  record(nowMs: number, random: () => number = Math.random): { escalate: true } | { escalate: false; delayMs: number } {
    while (this.times.length > 0 && this.times[0] <= nowMs - this.policy.periodMs) this.times.shift();
    this.times.push(nowMs);
    if (this.times.length > this.policy.intensity) return { escalate: true };
    return { escalate: false, delayMs: backoffMs(this.policy, this.times.length - 1, random) };
  }

  get recent(): number {
    return this.times.length;
  }
}

/**
 * The first restart in a window is immediate (a one-off crash should cost milliseconds); later ones back
 * off exponentially with ±50 % jitter so restarting children do not retry in lockstep.
 */
export function backoffMs(policy: RestartPolicy, priorRestarts: number, random: () => number): number {
  if (priorRestarts <= 0) return 0;
  const base = Math.min(policy.backoffMaxMs, policy.backoffInitialMs * 2 ** (priorRestarts - 1));
  return Math.min(policy.backoffMaxMs, base * (0.5 + random()));
}
