import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import {
  ConfigError,
  configFileWith,
  parseConfig,
  SHADOW_NAME,
  type Config,
  type Environment,
} from "../../config/index.js";
import { Channels } from "../../protocol/channels.js";
import type { MetricsReport } from "../../protocol/host.js";
import { TAPPED_CHANNELS, TapState, type TapSlot } from "../../protocol/shadow-tap.js";
import { createDoorbell } from "../../transport/doorbell.js";
import { createRing } from "../../transport/ring-layout.js";
import { Ring } from "../../transport/ring.js";
import { resolveChildSpecs } from "../child-spec.js";
import type { StartResolution } from "../sections.js";
import { Supervisor, type ActorStatus, type SupervisorOptions, type SupervisorReport } from "../supervisor.js";
import { loadDefs } from "../system.js";
import { buildTopology } from "../topology.js";
import { shadowChildSpecs, shadowGroupName } from "./children.js";
import { setPathIssues, shadowConfigIssues, type ShadowConfigIssue } from "./config.js";

/** How many shadows can be attached at once: the tap has this many slots, each with its own ring. */
export const TAP_SLOTS = 4;
/** Bytes per tap ring: ~40k frames, the tap's history replay included (docs/shadow.md). */
export const TAP_RING_BYTES = 1 << 22;
/** The tap as the shadow group's topology names it. */
const TAP_PEER = "live-tap";

/** The first issue of each path (a `--set` path and the difference it makes say the same). */
function onePerPath(issues: readonly ShadowConfigIssue[]): ShadowConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(i.path) && seen.add(i.path));
}

function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function createTapSlots(count = TAP_SLOTS, ringBytes = TAP_RING_BYTES): TapSlot[] {
  return Array.from({ length: count }, () => ({
    ring: createRing(ringBytes, "drop-oldest").buffer,
    bell: createDoorbell(),
    state: new SharedArrayBuffer(4),
  }));
}

/** What `POST /control/shadows` takes: exactly one of `config` (a config file's text), `set` or `mirror`. */
export interface AttachRequest {
  readonly name: string;
  readonly config?: string;
  readonly set?: Readonly<Record<string, unknown>>;
  readonly mirror?: boolean;
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
  readonly source: "config" | "set" | "mirror";
  readonly attachedAt: string;
  readonly actors: ActorStatus[];
  /** Frames the tap overwrote before the shadow read them (a slow shadow), since it attached. */
  readonly tapDroppedFrames: number;
  readonly failure?: SupervisorReport;
}

/** One point of the live and the shadow equity (realized + unrealized PnL since the attach, USD). */
export interface EquityPoint {
  readonly t_ms: number;
  readonly live_usd: number;
  readonly shadow_usd: number;
}

/** Points kept per shadow: past this, every other one is dropped (the series keeps its whole span). */
const MAX_EQUITY_POINTS = 2000;

interface Shadow {
  readonly name: string;
  readonly slot: number;
  readonly config: Config;
  /** The shadow's config as a config file (`shadow promote`): `${VAR}` references kept, no secret expanded. */
  readonly file: string;
  readonly source: ShadowInfo["source"];
  readonly dir: string;
  readonly supervisor: Supervisor;
  readonly attachedAt: Date;
  readonly droppedBefore: number;
  /** The live equity when the shadow attached: both curves start at 0 there. */
  readonly liveEquityAtAttach: number;
  readonly equity: EquityPoint[];
  pnl: { realized: number; unrealized: number };
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
  readonly supervisor: Omit<SupervisorOptions, "spinUs" | "rehearseEveryUs" | "onStopping" | "onMetrics" | "standby">;
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
    if (this.shadows.has(name) || this.pending.has(name))
      return { ok: false, status: 409, error: `a shadow named '${name}' is already attached` };
    const resolved = this.resolveConfig(request);
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
      return await this.startGroup(name, slot, resolved);
    } finally {
      this.pending.delete(name);
    }
  }

  private resolveConfig(
    request: AttachRequest,
  ):
    | { ok: true; config: Config; file: string; source: ShadowInfo["source"] }
    | { ok: false; errors: ShadowConfigIssue[] } {
    const given = [request.config !== undefined, request.set !== undefined, request.mirror === true].filter(Boolean);
    if (given.length !== 1)
      return { ok: false, errors: [{ path: "", message: "exactly one of config, set or mirror: true" }] };
    const source = request.mirror === true ? "mirror" : request.config !== undefined ? "config" : "set";
    const pathIssues = source === "set" && isMapping(request.set) ? setPathIssues(request.set) : [];
    let config: Config;
    try {
      if (source === "mirror") config = this.options.live;
      else if (source === "config") {
        if (typeof request.config !== "string")
          return { ok: false, errors: [{ path: "config", message: "a config file's text (YAML or JSON)" }] };
        config = parseConfig(request.config, { env: this.options.env, sourceName: `shadow ${request.name}` });
      } else {
        if (!isMapping(request.set))
          return { ok: false, errors: [{ path: "set", message: "a mapping of dotted config paths to values" }] };
        config = parseConfig(this.options.liveText, {
          profile: this.options.profile,
          env: this.options.env,
          overrides: request.set,
          sourceName: `shadow ${request.name}`,
        });
      }
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      const schemaIssues = err.issues.map((i) => ({
        path: i.path,
        message:
          i.value === undefined ? `expected ${i.expected}` : `expected ${i.expected}, got ${JSON.stringify(i.value)}`,
      }));
      return { ok: false, errors: [...pathIssues, ...schemaIssues] };
    }
    const issues = onePerPath([...pathIssues, ...shadowConfigIssues(this.options.live, config, source !== "config")]);
    if (issues.length > 0) return { ok: false, errors: issues };
    const { liveText, profile } = this.options;
    const file =
      source === "config"
        ? (request.config as string)
        : configFileWith(liveText, { profile, overrides: source === "set" ? request.set : undefined });
    return { ok: true, config, file, source };
  }

  private freeSlot(): number | undefined {
    const used = new Set([...this.shadows.values()].map((s) => s.slot));
    const free = this.options.slots.findIndex((_, i) => !used.has(i) && !this.reserved.has(i));
    return free < 0 ? undefined : free;
  }

  private async startGroup(
    name: string,
    slot: number,
    { config, file, source }: { config: Config; file: string; source: ShadowInfo["source"] },
  ): Promise<AttachResult> {
    const { log } = this.options;
    this.reserved.add(slot);
    const dir = path.join(this.options.dir, name);
    let supervisor: Supervisor | undefined;
    try {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const group = shadowChildSpecs(name, config, this.options.start, dir);
      const children = resolveChildSpecs(group.specs);
      const { ring, bell } = this.options.slots[slot];
      // Whatever a previous shadow of this slot left unread is not this one's.
      Ring.reset(ring, "discard");
      const topology = buildTopology(children, await loadDefs(children), undefined, {
        peer: TAP_PEER,
        channels: TAPPED_CHANNELS,
        silent: [Channels.accountSnapshots],
        ring,
        bell,
      });
      const labelled = (samples: MetricsReport["samples"]) => {
        this.noteEquity(name, samples);
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
      dir,
      supervisor,
      attachedAt: new Date(),
      droppedBefore: Ring.stats(this.options.slots[slot].ring).dropped,
      liveEquityAtAttach: this.options.liveEquity(),
      equity: [],
      pnl: { realized: 0, unrealized: 0 },
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
    log.info({ shadow: name, source, slot, dir }, "shadow attached");
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
    return this.shadows.get(name)?.equity;
  }

  private noteEquity(name: string, samples: MetricsReport["samples"]): void {
    const shadow = this.shadows.get(name);
    if (shadow === undefined) return;
    for (const s of samples) {
      if (s.labels.actor !== `${shadowGroupName(name)}-strategy`) continue;
      if (s.name === "realized_pnl_usd") shadow.pnl.realized = s.value;
      else if (s.name === "unrealized_pnl_usd") shadow.pnl.unrealized = s.value;
    }
    const point = {
      t_ms: Date.now(),
      live_usd: this.options.liveEquity() - shadow.liveEquityAtAttach,
      shadow_usd: shadow.pnl.realized + shadow.pnl.unrealized,
    };
    const last = shadow.equity.at(-1);
    if (last !== undefined && point.t_ms - last.t_ms < 1000) return;
    shadow.equity.push(point);
    if (shadow.equity.length > MAX_EQUITY_POINTS) {
      const kept = shadow.equity.filter((_, i) => i % 2 === 0);
      shadow.equity.splice(0, shadow.equity.length, ...kept);
    }
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
