import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import { SHADOW_NAME, SHADOW_THREADS, type Config, type Environment, type ShadowThread } from "../../config/index.js";
import { Channels } from "../../protocol/channels.js";
import type { MetricsReport } from "../../protocol/host.js";
import { TAPPED_CHANNELS, TapState, type TapSlot } from "../../protocol/shadow-tap.js";
import { createDoorbell, Doorbell } from "../../transport/doorbell.js";
import { createRing } from "../../transport/ring-layout.js";
import { Ring } from "../../transport/ring.js";
import { resolveChildSpecs } from "../child-spec.js";
import type { StartResolution } from "../sections.js";
import { Supervisor, type ActorStatus, type SupervisorOptions, type SupervisorReport } from "../supervisor.js";
import { loadDefs } from "../system.js";
import { buildTopology } from "../topology.js";
import { shadowChildSpecs, shadowGroupName } from "./children.js";
import type { ShadowConfigIssue } from "./config.js";
import { EquityCurve, type EquityPoint } from "./equity.js";
import { resolveShadowConfig, type AttachRequest, type ShadowSource } from "./resolve.js";

export type { AttachRequest } from "./resolve.js";

/** How many shadows can be attached at once: the tap has this many slots, each with its own ring. */
export const TAP_SLOTS = 4;
/** Bytes per tap ring: ~40k frames, the tap's history replay included (docs/shadow.md). */
export const TAP_RING_BYTES = 1 << 22;
/** A shadow's worker yields the cores to the live threads when there are not enough for all (Linux). */
export const SHADOW_NICENESS = 10;
/** The tap as the shadow group's topology names it. */
const TAP_PEER = "live-tap";

export function createTapSlots(count = TAP_SLOTS, ringBytes = TAP_RING_BYTES): TapSlot[] {
  return Array.from({ length: count }, () => ({
    ring: createRing(ringBytes, "drop-oldest").buffer,
    bell: createDoorbell(),
    state: new SharedArrayBuffer(4),
  }));
}

export type AttachResult =
  | { readonly ok: true; readonly shadow: ShadowInfo }
  | {
      readonly ok: false;
      readonly status: 400 | 409 | 500 | 503;
      readonly error: string;
      readonly errors?: readonly ShadowConfigIssue[];
    };

export interface ShadowInfo {
  readonly name: string;
  readonly group: string;
  /** `running`, or `failed` once the group passed its restart intensity (it is not restarted: `temporary`). */
  readonly state: "running" | "failed";
  readonly source: ShadowSource;
  readonly thread: ShadowThread;
  readonly attachedAt: string;
  readonly actors: ActorStatus[];
  /** Frames the tap overwrote before the shadow read them (a slow shadow), since it attached. */
  readonly tapDroppedFrames: number;
  readonly failure?: SupervisorReport;
}

interface Shadow {
  readonly name: string;
  readonly slot: number;
  readonly config: Config;
  /** The shadow's config as a config file (`shadow promote`): `${VAR}` references kept, no secret expanded. */
  readonly file: string;
  readonly source: ShadowInfo["source"];
  readonly thread: ShadowThread;
  readonly dir: string;
  readonly supervisor: Supervisor;
  readonly attachedAt: Date;
  readonly droppedBefore: number;
  readonly equity: EquityCurve;
  failure?: SupervisorReport;
}

export interface ShadowGroupsOptions {
  readonly live: Config;
  /** The live config file's text, profile and environment: a `set` shadow is that file with the values written over. */
  readonly liveText: string;
  readonly profile: string | undefined;
  readonly env: Environment;
  readonly start: StartResolution;
  readonly slots: readonly TapSlot[];
  /** Where each shadow's journal, breaker state and decisions go (`<dir>/<name>`), emptied on attach. */
  readonly dir: string;
  readonly supervisor: Omit<
    SupervisorOptions,
    "spinUs" | "rehearseEveryUs" | "onStopping" | "onMetrics" | "standby" | "niceness"
  >;
  /** The shadows' metric samples, already named `shadow_*` and labelled `shadow="NAME"`. */
  readonly onMetrics: (samples: MetricsReport["samples"]) => void;
  /** The live strategy's realized + unrealized PnL now (USD), for the equity curves. */
  readonly liveEquity: () => number;
  readonly log: Logger;
}

/**
 * The daemon's shadows (docs/shadow.md): each a child group `shadow-NAME` under its own supervisor on its own
 * worker, fed by one tap slot. The group is `temporary` to the daemon: its actors restart inside it, and past
 * its restart intensity it stops and stays down (`failed`) without touching a live actor.
 */
export class ShadowGroups {
  private readonly shadows = new Map<string, Shadow>();
  /** Names being attached: a second attach of one of them is a conflict before the first one is up. */
  private readonly pending = new Set<string>();
  /** Slots of shadows being started. */
  private readonly reserved = new Set<number>();
  private readonly states: Int32Array[];
  private metricsTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: ShadowGroupsOptions) {
    this.states = options.slots.map((s) => new Int32Array(s.state));
  }

  async attach(request: AttachRequest): Promise<AttachResult> {
    const { name } = request;
    if (this.closed) return { ok: false, status: 503, error: "the daemon is stopping" };
    if (typeof name !== "string" || !SHADOW_NAME.test(name))
      return {
        ok: false,
        status: 400,
        error: `name: a shadow name matching ${SHADOW_NAME}, got ${JSON.stringify(name)}`,
      };
    const thread = request.thread ?? "own";
    if (!SHADOW_THREADS.includes(thread))
      return {
        ok: false,
        status: 400,
        error: `thread: 'own' (its own worker, the default) or 'main' (the daemon's main thread), got ${JSON.stringify(thread)}`,
      };
    if (this.shadows.has(name) || this.pending.has(name))
      return { ok: false, status: 409, error: `a shadow named '${name}' is already attached` };
    const { live, liveText, profile, env } = this.options;
    const resolved = resolveShadowConfig(request, { live, liveText, profile, env });
    if (!resolved.ok)
      return { ok: false, status: 400, error: `shadow '${name}': invalid config`, errors: resolved.errors };
    const slot = this.freeSlot();
    if (slot === undefined)
      return {
        ok: false,
        status: 503,
        error: `all ${this.options.slots.length} shadow slots are in use; detach one first`,
      };
    this.pending.add(name);
    try {
      return await this.startGroup(name, slot, thread, resolved);
    } finally {
      this.pending.delete(name);
    }
  }

  private freeSlot(): number | undefined {
    const used = new Set([...this.shadows.values()].map((s) => s.slot));
    const free = this.options.slots.findIndex((_, i) => !used.has(i) && !this.reserved.has(i));
    return free < 0 ? undefined : free;
  }

  private async startGroup(
    name: string,
    slot: number,
    thread: ShadowThread,
    { config, file, source }: { config: Config; file: string; source: ShadowSource },
  ): Promise<AttachResult> {
    const { log } = this.options;
    this.reserved.add(slot);
    const dir = path.join(this.options.dir, name);
    let supervisor: Supervisor | undefined;
    try {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const group = shadowChildSpecs(name, config, this.options.start, dir, thread);
      const children = resolveChildSpecs(group.specs);
      const { ring, bell } = this.options.slots[slot];
      // Whatever a previous shadow of this slot left unread is not this one's, nor is the last heartbeat its
      // thread left on the doorbell (the new supervisor's heartbeat check would take it for a stuck thread).
      Ring.reset(ring, "discard");
      const doorbell = new Doorbell(bell);
      doorbell.setBusySince(0);
      doorbell.clearCurrentActor();
      const topology = buildTopology(children, await loadDefs(children), undefined, {
        peer: TAP_PEER,
        channels: TAPPED_CHANNELS,
        silent: [Channels.accountSnapshots],
        ring,
        bell,
      });
      const labelled = (samples: MetricsReport["samples"]) => {
        this.shadows.get(name)?.equity.note(samples, Date.now());
        this.options.onMetrics(
          samples.map((s) => ({ ...s, name: `shadow_${s.name}`, labels: { ...s.labels, shadow: name } })),
        );
      };
      supervisor = new Supervisor(topology, {
        ...this.options.supervisor,
        log: log.child({ shadow: name }),
        // A shadow's thread parks at once: the cores are the live daemon's first.
        spinUs: () => 0,
        rehearseEveryUs: 0,
        standby: false,
        niceness: SHADOW_NICENESS,
        onMetrics: labelled,
      });
      await supervisor.start();
    } catch (err) {
      this.reserved.delete(slot);
      await supervisor?.stop();
      log.error({ err, shadow: name }, "shadow failed to start; nothing attached");
      return { ok: false, status: 500, error: `shadow '${name}' failed to start: ${(err as Error).message}` };
    }
    const shadow: Shadow = {
      name,
      slot,
      config,
      file,
      source,
      thread,
      dir,
      supervisor,
      attachedAt: new Date(),
      droppedBefore: Ring.stats(this.options.slots[slot].ring).dropped,
      equity: new EquityCurve(`${shadowGroupName(name)}-strategy`, this.options.liveEquity),
    };
    this.shadows.set(name, shadow);
    this.reserved.delete(slot);
    Atomics.store(this.states[slot], 0, TapState.warming);
    void supervisor.escalated.then((report) => {
      Atomics.store(this.states[slot], 0, TapState.idle);
      shadow.failure = report;
      log.error({ shadow: name, report }, "shadow passed its restart intensity: stopped, live actors untouched");
    });
    this.startMetrics();
    log.info({ shadow: name, source, thread, slot, dir }, "shadow attached");
    return { ok: true, shadow: this.info(shadow) };
  }

  /** Stops the shadow's group and frees its slot; false when no shadow has that name. */
  async detach(name: string): Promise<boolean> {
    const shadow = this.shadows.get(name);
    if (shadow === undefined) return false;
    Atomics.store(this.states[shadow.slot], 0, TapState.idle);
    this.shadows.delete(name);
    await shadow.supervisor.stop();
    this.options.log.info({ shadow: name }, "shadow detached");
    return true;
  }

  list(): ShadowInfo[] {
    return [...this.shadows.values()].map((s) => this.info(s));
  }

  get(name: string): ShadowInfo | undefined {
    const shadow = this.shadows.get(name);
    return shadow && this.info(shadow);
  }

  /** The shadow's config as a config file (what `shadow promote` writes), or undefined. */
  configFileOf(name: string): string | undefined {
    return this.shadows.get(name)?.file;
  }

  /**
   * The shadow decides as live does: a mirror, or a shadow whose strategy is the live one (it changes only the
   * simulation or risk), so its orders can be paired with the live ones (report.ts, calibration).
   */
  decidesAsLive(name: string): boolean {
    const shadow = this.shadows.get(name);
    if (shadow === undefined) return false;
    return JSON.stringify(shadow.config.strategies) === JSON.stringify(this.options.live.strategies);
  }

  /** The live and the shadow equity since the shadow attached, one point per metrics report of the shadow. */
  equityOf(name: string): readonly EquityPoint[] | undefined {
    return this.shadows.get(name)?.equity.series;
  }

  /** The shadow's resolved config, or undefined. */
  configOf(name: string): Config | undefined {
    return this.shadows.get(name)?.config;
  }

  /** Where the shadow keeps its journal and decisions, or undefined. */
  dirOf(name: string): string | undefined {
    return this.shadows.get(name)?.dir;
  }

  /** What an actor of the shadow's group last published (`role`: strategy, risk, orders, venue). */
  actorStatus(name: string, role: string): unknown {
    return this.shadows.get(name)?.supervisor.actorStatus(`${shadowGroupName(name)}-${role}`);
  }

  /** Fault injection into a shadow's actor; undefined when there is no such shadow or actor. */
  crashActor(name: string, actor: string): boolean | undefined {
    const shadow = this.shadows.get(name);
    if (shadow === undefined || !shadow.supervisor.actors().some((a) => a.name === actor)) return undefined;
    return shadow.supervisor.crashActor(actor);
  }

  async detachAll(): Promise<void> {
    await Promise.all([...this.shadows.keys()].map((n) => this.detach(n)));
  }

  /** Detaches every shadow (the daemon's stop, before the live actors stop); no attach is taken after. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.metricsTimer);
    await this.detachAll();
  }

  private info(s: Shadow): ShadowInfo {
    return {
      name: s.name,
      group: shadowGroupName(s.name),
      state: s.failure === undefined ? "running" : "failed",
      source: s.source,
      thread: s.thread,
      attachedAt: s.attachedAt.toISOString(),
      actors: s.supervisor.actors(),
      tapDroppedFrames: this.dropped(s),
      ...(s.failure ? { failure: s.failure } : {}),
    };
  }

  private dropped(s: Shadow): number {
    return Ring.stats(this.options.slots[s.slot].ring).dropped - s.droppedBefore;
  }

  /** The tap's drops per shadow, as a counter beside the shadows' own metrics. */
  private startMetrics(): void {
    if (this.metricsTimer !== undefined) return;
    const everyMs = this.options.supervisor.metricsEveryMs ?? 1000;
    this.metricsTimer = setInterval(() => {
      this.options.onMetrics(
        [...this.shadows.values()].map((s) => ({
          kind: "counter" as const,
          name: "shadow_tap_dropped_frames_total",
          labels: { shadow: s.name },
          value: this.dropped(s),
        })),
      );
    }, everyMs);
    this.metricsTimer.unref();
  }
}
