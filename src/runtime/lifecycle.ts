/**
 * The actor lifecycle as one table, shared by the thread host (which runs the incarnations) and the
 * supervisor (which decides restarts and reports states). Both walk the same states; each sees a part of
 * the triggers: only the supervisor gives an actor up (`give_up`), and a host's `restarting` lasts while
 * a graceful restart stops the incarnation, the supervisor's until the host reports the actor started.
 *
 *   starting ─started→ running ─crash→ crashed ─restart→ restarting ─init→ starting
 *                         │               └─give_up→ failed ─restart→ restarting (its worker restarted)
 *                         └─restart→ restarting (graceful: an operator, or a sibling under rest_for_one)
 *   any but stopped ─stop→ stopping ─stopped→ stopped (terminal)
 */

export type ActorState = "starting" | "running" | "crashed" | "restarting" | "stopping" | "stopped" | "failed";

export type LifecycleTrigger =
  /** An incarnation's `init` begins. */
  | "init"
  /** `init` returned: the actor handles messages. */
  | "started"
  /** A handler, timer, `init` or fault point threw; or the actor's worker died or stalled. */
  | "crash"
  /** A restart is decided (after a crash, by an operator, for a sibling, or with a restarted worker). */
  | "restart"
  /** The restart policy does not restart a crashed actor (`temporary`, or `transient` after a crash). */
  | "give_up"
  /** A stop is asked for. */
  | "stop"
  /** The stop is over (its `onStop` and releases ran or overran), or the actor's thread is gone. */
  | "stopped";

export const ACTOR_STATES: readonly ActorState[] = [
  "starting",
  "running",
  "crashed",
  "restarting",
  "stopping",
  "stopped",
  "failed",
];
export const LIFECYCLE_TRIGGERS: readonly LifecycleTrigger[] = [
  "init",
  "started",
  "crash",
  "restart",
  "give_up",
  "stop",
  "stopped",
];

/** Every state but `stopped` may be asked to stop, and a stop may end at once (its thread is gone). */
const STOPPABLE: Partial<Record<LifecycleTrigger, ActorState>> = { stop: "stopping", stopped: "stopped" };

/**
 * `(state, trigger) → next`; a missing pair is illegal. A pair mapping a state to itself is legal: a
 * restart asked for again before the first began, a stop asked for twice, the first incarnation's `init`.
 */
export const LIFECYCLE: Readonly<Record<ActorState, Partial<Record<LifecycleTrigger, ActorState>>>> = {
  starting: { init: "starting", started: "running", crash: "crashed", restart: "restarting", ...STOPPABLE },
  running: { crash: "crashed", restart: "restarting", ...STOPPABLE },
  crashed: { init: "starting", restart: "restarting", give_up: "failed", ...STOPPABLE },
  // The host's `restarting` still has a live incarnation (its onStop runs), which may crash meanwhile.
  restarting: { init: "starting", started: "running", crash: "crashed", restart: "restarting", ...STOPPABLE },
  // A stopping incarnation's onStop may still crash it. A start the supervisor hears after it asked for the
  // stop (a restart that was under way) leaves the actor stopping.
  stopping: { crash: "crashed", started: "stopping", ...STOPPABLE },
  stopped: {},
  // A worker that dies takes a given-up actor with it; its restart starts every actor it hosted again.
  failed: { crash: "crashed", restart: "restarting", ...STOPPABLE },
};

export type LifecycleStep =
  | { readonly ok: true; readonly from: ActorState; readonly to: ActorState }
  | { readonly ok: false; readonly state: ActorState; readonly trigger: LifecycleTrigger };

export function lifecycleStep(state: ActorState, trigger: LifecycleTrigger): LifecycleStep {
  const next = LIFECYCLE[state][trigger];
  return next === undefined ? { ok: false, state, trigger } : { ok: true, from: state, to: next };
}

export class IllegalLifecycleTransition extends Error {
  constructor(
    readonly actor: string,
    readonly state: ActorState,
    readonly trigger: LifecycleTrigger,
  ) {
    super(`actor ${actor}: no lifecycle transition from ${state} on ${trigger}`);
    this.name = "IllegalLifecycleTransition";
  }
}

/** The next state, or throws: for the host, whose own sequence of triggers an illegal pair would be a bug in. */
export function nextLifecycleState(actor: string, state: ActorState, trigger: LifecycleTrigger): ActorState {
  const next = LIFECYCLE[state][trigger];
  if (next === undefined) throw new IllegalLifecycleTransition(actor, state, trigger);
  return next;
}
