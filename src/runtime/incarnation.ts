import type { Logger } from "pino";
import type { ActorInstance } from "./actor.js";

type Release = () => void | Promise<void>;

/**
 * One run of an actor, from `init` to its end: a crash (a handler, a timer or `init` threw, or a fault
 * point fired), a stop or a restart. When it ends its signal aborts and its context goes dead (the host
 * drops its sends, timers and statuses), so asynchronous work that outlives it — a database reconcile,
 * a socket callback — can no longer act as the actor. `dispose` then runs its releases, last registered
 * first; the host awaits them before the next incarnation's `init`.
 */
export class Incarnation {
  private readonly controller = new AbortController();
  private readonly releases: Release[] = [];
  private disposal: Promise<boolean> | undefined;
  /** Read on every send: a plain field rather than the signal's getter. */
  ended = false;
  /** What `init` returned, kept after the end so a restart can still stop it. */
  instance: ActorInstance | undefined;
  /** Sends attempted after the end (dropped; the first is logged). */
  staleSends = 0;

  constructor(
    readonly number: number,
    private readonly log: Logger,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  end(reason: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.controller.abort(reason);
  }

  /** A release registered after the disposal (late async work) runs at once. */
  onDispose(release: Release): void {
    if (this.disposal === undefined) this.releases.push(release);
    else void this.runRelease(release);
  }

  /** Ends the incarnation and runs its releases once; false if one failed or they overran `timeoutMs`. */
  dispose(timeoutMs: number): Promise<boolean> {
    this.end(new Error("incarnation disposed"));
    this.disposal ??= this.runReleases(timeoutMs);
    return this.disposal;
  }

  private async runReleases(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const all = (async () => {
      let ok = true;
      for (const release of this.releases.splice(0).reverse()) ok = (await this.runRelease(release)) && ok;
      return ok;
    })();
    const timeout = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), timeoutMs)));
    try {
      const outcome = await Promise.race([all, timeout]);
      if (outcome !== "timeout") return outcome;
      this.log.error({ timeoutMs, incarnation: this.number }, "releasing the ended incarnation overran its timeout");
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private async runRelease(release: Release): Promise<boolean> {
    try {
      await release();
      return true;
    } catch (err) {
      this.log.error({ err, incarnation: this.number }, "releasing the ended incarnation failed");
      return false;
    }
  }
}
