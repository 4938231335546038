import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { HostToSupervisor, InjectCrash, InjectStall, SupervisorToHost } from "../protocol/host.js";
import { Ring, RingProducer } from "../transport/ring.js";
import { createCodec } from "../protocol/catalog.js";
import { wallClock } from "../runtime/clock.js";
import { Doorbell } from "../transport/doorbell.js";
import { createHost } from "../runtime/host-factory.js";
import type { ThreadHost } from "../runtime/host.js";
import type { WorkerLogOutput } from "../runtime/logger.js";
import { compiledUrl } from "../runtime/paths.js";
import { lifecycleStep, type ActorState, type LifecycleTrigger } from "../runtime/lifecycle.js";
import { DEFAULT_METRICS_EVERY_MS, runHostLoop } from "../runtime/run-loop.js";
import { RestartBudget, affectedChildren, shouldRestart, type ExitReason, type RestartPolicy } from "./restart.js";
import type { Topology } from "./topology.js";

export type { ActorState } from "../runtime/lifecycle.js";

export interface ActorStatus {
  name: string;
  thread: string;
  state: ActorState;
  restarts: number;
  lastError?: string;
}

export interface SupervisorOptions {
  readonly policy: RestartPolicy;
  readonly heartbeatTimeoutMs: number;
  /** µs each thread busy-polls after work before parking (`main` included; see run-loop.ts). */
  readonly spinUs: (thread: string) => number;
  /** How often a spinning thread has its actors rehearse (`ActorInstance.decide`); 0 = never. */
  readonly rehearseEveryUs: number;
  readonly blockDeadlineMs: number;
  readonly faultInjection: boolean;
  readonly logLevel: string;
  /** How worker threads write their logs (absent: JSON lines on stdout only). */
  readonly logOutput?: WorkerLogOutput;
  /** How often each thread reports its actors' metrics to /metrics and the status line; default 1 s. */
  readonly metricsEveryMs?: number;
  readonly startTimeoutMs: number;
  readonly log: Logger;
  /**
   * Called once, synchronously, when a stop begins (a signal, an escalation, a failed start): the
   * daemon stands its main-thread watchdog down before anything is stopped.
   */
  readonly onStopping?: () => void;
  /**
   * Keep a preloaded standby worker so a dead worker restarts fast (default true). A shadow group's
   * supervisor (shadows/groups.ts) keeps none: an idle thread per shadow costs more than its slower restart.
   */
  readonly standby?: boolean;
  /** The worker threads' nice value (Linux; a shadow group's: 10); absent: the process's priority. */
  readonly niceness?: number;
  /** Custom metric samples shipped by the hosts. */
  readonly onMetrics?: (samples: Extract<HostToSupervisor, { type: "MetricsReport" }>["samples"]) => void;
}

/** A supervisor report (OTP): the same four fields whatever happened. */
export interface SupervisorReport {
  supervisor: string;
  context: "child_terminated" | "start_error" | "shutdown_error" | "reached_max_restart_intensity";
  reason: string;
  offender: string;
}

interface ThreadHandle {
  readonly name: string;
  worker?: Worker;
  main?: { host: ThreadHost; close(): void; stop(): void; done: Promise<void> };
  /** Set while a worker is being terminated on purpose, so its exit is not treated as a crash. */
  expectedExit: boolean;
  exited?: Promise<void>;
}

const WATCHDOG_EVERY_MS = 250;
/** A new standby worker is started this long after the last one was used, so it does not slow a recovery. */
const STANDBY_DELAY_MS = 200;
const WORKER_ENTRY = compiledUrl(new URL("../runtime/worker-entry.ts", import.meta.url));

/**
 * OTP-style supervisor over actors placed on threads. Actor crashes restart the actor in place on its
 * host; a dead or stuck worker restarts with every actor it hosted. Past the restart intensity it stops
 * the daemon and reports (`escalated` resolves), so systemd or the orchestrator restarts the process.
 */
export class Supervisor {
  private readonly threads = new Map<string, ThreadHandle>();
  private readonly status = new Map<string, ActorStatus>();
  /** The latest state each actor published (`ctx.publishStatus`), for the control API. */
  private readonly statuses = new Map<string, unknown>();
  private readonly budget: RestartBudget;
  private readonly codec = createCodec();
  private readonly commandRings = new Map<string, RingProducer>();
  private readonly bells: ReadonlyMap<string, Doorbell>;
  private readonly order: string[];
  private readonly startWaiters = new Map<string, () => void>();
  private readonly stopWaiters = new Map<string, () => void>();
  private watchdog?: NodeJS.Timeout;
  private standby?: Worker;
  private standbyTimer?: NodeJS.Timeout;
  private stopping = false;
  private escalation?: SupervisorReport;
  private resolveEscalated!: (report: SupervisorReport) => void;
  readonly escalated: Promise<SupervisorReport> = new Promise((r) => (this.resolveEscalated = r));

  constructor(
    private readonly topology: Topology,
    private readonly options: SupervisorOptions,
  ) {
    this.budget = new RestartBudget(options.policy);
    this.bells = new Map(Object.entries(topology.doorbells).map(([thread, buffer]) => [thread, new Doorbell(buffer)]));
    for (const [thread, buffer] of Object.entries(topology.controlRings))
      this.commandRings.set(thread, new RingProducer(buffer));
    this.order = topology.children.map((c) => c.name);
    for (const c of topology.children)
      this.status.set(c.name, { name: c.name, thread: c.thread, state: "starting", restarts: 0 });
  }

  /** Starts every thread in order and resolves when every actor has reported started. */
  async start(): Promise<void> {
    const started = Promise.all(this.order.map((name) => this.waitStarted(name)));
    for (const thread of this.topology.threads) await this.spawn(thread);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const late = [...this.status.values()]
          .filter((s) => s.state !== "running")
          .map((s) => `${s.name} (${s.state}${s.lastError ? `: ${s.lastError}` : ""})`);
        reject(new Error(`actors not started within ${this.options.startTimeoutMs} ms: ${late.join(", ")}`));
      }, this.options.startTimeoutMs);
    });
    try {
      await Promise.race([started, timeout]);
    } finally {
      clearTimeout(timer);
    }
    this.watchdog = setInterval(() => this.checkHeartbeats(), WATCHDOG_EVERY_MS);
    this.watchdog.unref();
    if (this.options.standby !== false && this.topology.threads.some((t) => t !== "main")) this.scheduleStandby();
  }

  private scheduleStandby(): void {
    clearTimeout(this.standbyTimer);
    this.standbyTimer = setTimeout(() => {
      if (this.stopping || this.standby) return;
      const preload = [...new Set(this.topology.children.filter((c) => c.thread !== "main").map((c) => c.module))];
      const worker = new Worker(WORKER_ENTRY, { workerData: { standby: true, preload }, name: "leadlag-standby" });
      worker.once("exit", () => {
        if (this.standby === worker) this.standby = undefined;
      });
      worker.unref();
      this.standby = worker;
    }, STANDBY_DELAY_MS);
  }

  /** What an actor last published, or undefined before its first report. */
  actorStatus(name: string): unknown {
    return this.statuses.get(name);
  }

  /** Sends an operator command to an actor; false when there is no such actor. */
  commandActor(name: string, command: string, args: unknown = {}): boolean {
    const child = this.topology.children.find((c) => c.name === name);
    if (child === undefined || this.stopping) return false;
    this.toHost(child.thread, { type: "ActorCommand", actor: name, command, argsJson: JSON.stringify(args) });
    return true;
  }

  actors(): ActorStatus[] {
    return this.order.map((n) => ({ ...this.status.get(n)! }));
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  // ---- threads ---------------------------------------------------------------------------------------

  private async spawn(thread: string): Promise<void> {
    const startup = this.topology.startupFor(thread, {
      spinUs: this.options.spinUs(thread),
      rehearseEveryUs: this.options.rehearseEveryUs,
      blockDeadlineMs: this.options.blockDeadlineMs,
      faultInjection: this.options.faultInjection,
      logLevel: this.options.logLevel,
      logOutput: this.options.logOutput,
      metricsEveryMs: this.options.metricsEveryMs,
      niceness: this.options.niceness,
    });
    const handle: ThreadHandle = this.threads.get(thread) ?? { name: thread, expectedExit: false };
    this.threads.set(thread, handle);
    handle.expectedExit = false;
    if (thread === "main") {
      // Events from the in-process host are handled on a later tick: the host may be mid-handler.
      const emit = (event: HostToSupervisor) => queueMicrotask(() => this.onEvent(thread, event));
      const { host, bell, close } = createHost(startup, wallClock, this.options.log.child({ thread }), emit);
      let stopped = false;
      await host.start();
      const done = runHostLoop(
        host,
        bell,
        {
          spinUs: startup.spinUs,
          rehearseEveryUs: startup.rehearseEveryUs,
          yieldEveryMs: 1,
          metricsEveryMs: startup.metricsEveryMs ?? DEFAULT_METRICS_EVERY_MS,
          blockingParkSliceMs: 0,
        },
        () => stopped,
      );
      handle.main = { host, close, done, stop: () => ((stopped = true), host.wake()) };
      return;
    }
    let worker: Worker;
    if (this.standby) {
      worker = this.standby;
      this.standby = undefined;
      worker.ref();
      worker.removeAllListeners("exit");
      worker.postMessage(startup);
      if (this.options.standby !== false) this.scheduleStandby();
    } else {
      worker = new Worker(WORKER_ENTRY, { workerData: startup, name: `leadlag-${thread}` });
    }
    handle.worker = worker;
    worker.on("message", (event: HostToSupervisor) => this.onEvent(thread, event));
    worker.on("error", (err) => this.options.log.error({ thread, err }, "worker thread error"));
    handle.exited = new Promise((resolve) =>
      worker.once("exit", (code) => {
        resolve();
        if (handle.worker === worker) this.onWorkerExit(handle, code);
      }),
    );
  }

  private onWorkerExit(handle: ThreadHandle, code: number): void {
    handle.worker = undefined;
    if (this.stopping || handle.expectedExit) return;
    const hosted = this.actorsOn(handle.name);
    this.options.log.error(
      { thread: handle.name, code, actors: hosted },
      "worker thread died; restarting it with its actors",
    );
    for (const name of hosted) this.markCrashed(name, `worker ${handle.name} exited with code ${code}`);
    this.onFailure(hosted, "crash");
  }

  /** Restarts a whole worker: its rings keep unread frames, the new consumers take over from the dead ones. */
  private async respawn(thread: string, delayMs: number): Promise<void> {
    const handle = this.threads.get(thread)!;
    if (handle.worker) {
      handle.expectedExit = true;
      await handle.worker.terminate();
      handle.worker = undefined;
    }
    for (const ring of this.topology.rings) if (ring.to === thread) Ring.reset(ring.buffer, "keep");
    Ring.reset(this.topology.controlRings[thread], "discard");
    // The dead thread's last heartbeat must not make the watchdog kill its successor.
    const bell = this.bells.get(thread)!;
    bell.setBusySince(0);
    bell.clearCurrentActor();
    if (delayMs > 0) await sleep(delayMs);
    if (this.stopping) return;
    for (const name of this.actorsOn(thread)) {
      const s = this.status.get(name)!;
      this.advance(s, "restart");
      s.restarts++;
    }
    await this.spawn(thread);
  }

  private checkHeartbeats(): void {
    const now = Date.now();
    for (const handle of this.threads.values()) {
      if (handle.worker === undefined || handle.expectedExit) continue;
      const bell = this.bells.get(handle.name)!;
      const since = bell.busySince();
      if (since === 0 || now - since <= this.options.heartbeatTimeoutMs) continue;
      const culprit = this.topology.children[bell.currentActor()]?.name ?? "(between handlers)";
      this.options.log.error(
        { thread: handle.name, actor: culprit, stuckMs: now - since },
        "thread stuck past its heartbeat deadline; terminating it",
      );
      handle.expectedExit = true;
      const worker = handle.worker;
      handle.worker = undefined;
      void worker.terminate().then(() => {
        for (const name of this.actorsOn(handle.name))
          this.markCrashed(name, `stuck: ${culprit} made no progress for ${now - since} ms`);
        this.onFailure(this.actorsOn(handle.name), "crash");
      });
    }
  }

  // ---- events and restarts ---------------------------------------------------------------------------

  private onEvent(thread: string, event: HostToSupervisor): void {
    switch (event.type) {
      case "ActorStarted": {
        this.advance(this.status.get(event.actor)!, "started");
        this.startWaiters.get(event.actor)?.();
        this.startWaiters.delete(event.actor);
        break;
      }
      case "ActorCrashed":
        this.markCrashed(event.actor, event.error);
        this.onFailure([event.actor], "crash");
        break;
      case "ActorsStopped":
        for (const a of event.actors) {
          this.advance(this.status.get(a)!, "stopped");
          this.stopWaiters.get(a)?.();
          this.stopWaiters.delete(a);
        }
        break;
      case "HostFault":
        this.options.log.error({ thread, reason: event.reason }, "host fault");
        break;
      case "MetricsReport":
        this.options.onMetrics?.(event.samples);
        break;
      case "ActorStatusReport":
        this.statuses.set(event.actor, event.status);
        break;
    }
  }

  /**
   * The actor's reported state through the lifecycle table. What the supervisor hears races what it
   * decides, so a refused step is logged, not thrown: the report is not worth the daemon.
   */
  private advance(status: ActorStatus, trigger: LifecycleTrigger): void {
    const step = lifecycleStep(status.state, trigger);
    if (step.ok) status.state = step.to;
    else this.options.log.warn({ actor: status.name, state: status.state, trigger }, "lifecycle step refused");
  }

  private markCrashed(actor: string, error: string): void {
    const s = this.status.get(actor)!;
    this.advance(s, "crash");
    s.lastError = error;
  }

  private onFailure(failed: readonly string[], reason: ExitReason): void {
    if (this.stopping) return;
    const decision = this.budget.record(Date.now());
    if (decision.escalate) {
      void this.escalate({
        supervisor: "leadlag",
        context: "reached_max_restart_intensity",
        reason: `more than ${this.options.policy.intensity} restarts in ${this.options.policy.periodMs} ms`,
        offender: failed.join(","),
      });
      return;
    }
    const affected = affectedChildren(this.options.policy.strategy, this.order, failed);
    const deadThreads = new Set<string>();
    for (const name of affected) {
      const child = this.topology.children.find((c) => c.name === name)!;
      const s = this.status.get(name)!;
      if (failed.includes(name) && !shouldRestart(child.restart, reason)) {
        this.advance(s, "give_up");
        continue;
      }
      const handle = this.threads.get(child.thread)!;
      if (child.thread !== "main" && handle.worker === undefined) {
        deadThreads.add(child.thread);
        continue;
      }
      this.advance(s, "restart");
      s.restarts++;
      this.toHost(child.thread, {
        type: "RestartActor",
        actor: name,
        delayMs: decision.delayMs,
        graceful: !failed.includes(name),
      });
    }
    for (const thread of deadThreads) void this.respawn(thread, decision.delayMs);
  }

  /** Operator restart (control API): graceful, snapshot handed over, not counted against the intensity. */
  restartActor(name: string): boolean {
    const child = this.topology.children.find((c) => c.name === name);
    if (child === undefined || this.stopping) return false;
    const s = this.status.get(name)!;
    this.advance(s, "restart");
    s.restarts++;
    this.toHost(child.thread, { type: "RestartActor", actor: name, delayMs: 0, graceful: true });
    return true;
  }

  /** Fault injection: the actor's next handler call throws, or it crashes at the fault point `at`. */
  crashActor(name: string, at?: string): boolean {
    return this.injectFault(name, { type: "InjectCrash", actor: name, at });
  }

  /**
   * Fault injection: the actor's next handler call spins forever. On a worker the heartbeat check
   * terminates the thread; on the main thread only the watchdog thread can end it (the process dies).
   */
  stallActor(name: string): boolean {
    return this.injectFault(name, { type: "InjectStall", actor: name });
  }

  private injectFault(name: string, command: InjectCrash | InjectStall): boolean {
    const child = this.topology.children.find((c) => c.name === name);
    if (child === undefined || !this.options.faultInjection) return false;
    this.toHost(child.thread, command);
    return true;
  }

  /** Kills the worker hosting an actor, as a crash would (reliability tests, the restart benchmark). */
  async killWorkerOf(name: string): Promise<boolean> {
    const child = this.topology.children.find((c) => c.name === name);
    const worker = child && this.threads.get(child.thread)?.worker;
    if (!worker || !this.options.faultInjection) return false;
    await worker.terminate();
    return true;
  }

  private toHost(thread: string, message: SupervisorToHost): void {
    const handle = this.threads.get(thread)!;
    if (handle.main) {
      const { host } = handle.main;
      if (message.type === "RestartActor") void host.restart(message.actor, message.delayMs, message.graceful);
      else if (message.type === "InjectCrash") host.injectCrash(message.actor, message.at);
      else if (message.type === "InjectStall") host.injectStall(message.actor);
      else if (message.type === "ActorCommand")
        queueMicrotask(() => host.command(message.actor, message.command, JSON.parse(message.argsJson)));
      host.wake();
      return;
    }
    if (!handle.worker) return;
    const written = this.commandRings.get(thread)!.tryWrite(this.codec.encode(message));
    if (!written) this.options.log.error({ thread, command: message.type }, "control ring full; command dropped");
    this.bells.get(thread)!.ring();
  }

  // ---- stopping --------------------------------------------------------------------------------------

  /** Stops actors in reverse start order, each within its shutdown timeout, then ends every thread. */
  async stop(): Promise<SupervisorReport[]> {
    if (this.stopping) return [];
    this.stopping = true;
    this.options.onStopping?.();
    clearInterval(this.watchdog);
    clearTimeout(this.standbyTimer);
    await this.standby?.terminate();
    const reports: SupervisorReport[] = [];
    for (const name of [...this.order].reverse()) {
      const child = this.topology.children.find((c) => c.name === name)!;
      const s = this.status.get(name)!;
      if (s.state === "stopped") continue;
      const handle = this.threads.get(child.thread)!;
      if (handle.main) {
        const failed = await handle.main.host.stop([name], child.shutdownMs);
        this.advance(s, "stopped");
        if (failed.length > 0) reports.push(this.shutdownError(name, "onStop failed or overran"));
        continue;
      }
      if (!handle.worker) {
        this.advance(s, "stopped");
        continue;
      }
      this.advance(s, "stop");
      const stopped = new Promise<void>((r) => this.stopWaiters.set(name, r));
      this.toHost(child.thread, { type: "StopActors", actors: [name], timeoutMs: child.shutdownMs });
      if (
        (await Promise.race([stopped.then(() => "ok"), sleep(child.shutdownMs + 500).then(() => "timeout")])) ===
        "timeout"
      ) {
        reports.push(this.shutdownError(name, `no stop acknowledgement within ${child.shutdownMs + 500} ms`));
      }
    }
    for (const handle of [...this.threads.values()].reverse()) {
      if (handle.main) {
        handle.main.stop();
        await handle.main.done;
        handle.main.close();
      } else if (handle.worker) {
        handle.expectedExit = true;
        const ended = await Promise.race([handle.exited!.then(() => true), sleep(1000).then(() => false)]);
        if (!ended) await handle.worker?.terminate();
      }
    }
    for (const r of reports) this.options.log.error(r, "supervisor report");
    return reports;
  }

  private shutdownError(offender: string, reason: string): SupervisorReport {
    return { supervisor: "leadlag", context: "shutdown_error", reason, offender };
  }

  private async escalate(report: SupervisorReport): Promise<void> {
    if (this.escalation) return;
    this.escalation = report;
    this.options.log.fatal(report, "supervisor report: escalating, stopping the daemon");
    await this.stop();
    this.resolveEscalated(report);
  }

  private actorsOn(thread: string): string[] {
    return this.topology.children.filter((c) => c.thread === thread).map((c) => c.name);
  }

  private waitStarted(name: string): Promise<void> {
    return new Promise((resolve) => this.startWaiters.set(name, resolve));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
