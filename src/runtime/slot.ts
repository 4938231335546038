import type { Logger } from "pino";
import type { AnyMessage } from "../protocol/codec.js";
import { messagesOn } from "../protocol/channel-messages.js";
import type { HostedActor } from "../protocol/host.js";
import type { ActorDef, ActorInstance, Handler } from "./actor.js";
import type { Incarnation } from "./incarnation.js";
import { nextLifecycleState, type ActorState, type LifecycleTrigger } from "./lifecycle.js";
import type { ActorCounters } from "./metrics.js";

/** Handlers and decisions as the host looks them up: by the type string of the message in hand. */
export type HandlerTable = Readonly<Record<string, Handler | undefined>>;
export type DecisionTable = Readonly<Record<string, ((message: AnyMessage) => unknown) | undefined>>;

const NONE: HandlerTable = {};

/** One hosted actor: its definition, its current incarnation and what the host keeps for it between them. */
export interface HostedSlot {
  readonly spec: HostedActor;
  readonly def: ActorDef;
  readonly log: Logger;
  readonly counters: ActorCounters;
  readonly reads: ReadonlySet<number>;
  /** Declared output channels and their indices: one lookup per send. */
  readonly writes: ReadonlyMap<string, number>;
  /** The running instance (undefined unless `state` is "running"). */
  instance: ActorInstance | undefined;
  handlers: HandlerTable;
  /** The running instance's decisions (`ActorInstance.decide`), undefined if it has none. */
  decisions: DecisionTable | undefined;
  /** The latest input that has a decision: what a rehearsal decides on again. */
  lastDecided: AnyMessage | undefined;
  /** Changed only by `advance`, through the lifecycle table. */
  state: ActorState;
  pending: { channel: number; message: AnyMessage }[];
  crashNext: boolean;
  /** A fault point (`ctx.faultPoint`) at which the actor is to crash. */
  crashAt: string | undefined;
  /** Fault injection: the next handler or timer call spins forever. */
  stallNext: boolean;
  /** State handed over by a graceful restart. */
  restored: unknown;
  /** The message being retried after it crashed the previous incarnation. */
  retried: AnyMessage | undefined;
  /** The latest incarnation, running or ended; an ended one is released before the next starts. */
  current: Incarnation | undefined;
  incarnations: number;
  /** The `init` in progress, which a restart or a stop waits for. */
  initializing: Promise<void> | undefined;
  /** Restarts run one after the other: a crash during a restart's `init` queues the next one. */
  restarting: Promise<void>;
  /** Set by `stop`: a restart still waiting (its backoff, a release) starts nothing. */
  stopRequested: boolean;
  /** Inputs the actor asked to have held (`ctx.holdInputs`): they wait in `pending`. */
  keep: ((message: AnyMessage) => boolean) | undefined;
  /** `pending` is being delivered after `ctx.releaseInputs`. */
  releasing: boolean;
  /** Set when a rehearsal of the instance threw or sent: it is not rehearsed again. */
  rehearsalFailed: boolean;
}

export function createSlot(
  spec: HostedActor,
  def: ActorDef,
  log: Logger,
  counters: ActorCounters,
  channelIndex: (channel: string) => number | undefined,
): HostedSlot {
  const unknown = [...def.reads, ...def.writes].filter((c) => channelIndex(c) === undefined);
  if (unknown.length > 0) throw new Error(`actor ${spec.name}: channels not in the topology: ${unknown.join(", ")}`);
  return {
    spec,
    def,
    log,
    counters,
    reads: new Set(def.reads.map((c) => channelIndex(c)!)),
    writes: new Map(def.writes.map((c) => [c, channelIndex(c)!])),
    instance: undefined,
    handlers: NONE,
    decisions: undefined,
    lastDecided: undefined,
    state: "starting",
    pending: [],
    crashNext: false,
    crashAt: undefined,
    stallNext: false,
    restored: undefined,
    retried: undefined,
    current: undefined,
    incarnations: 0,
    initializing: undefined,
    restarting: Promise.resolve(),
    stopRequested: false,
    keep: undefined,
    releasing: false,
    rehearsalFailed: false,
  };
}

/** Moves the slot through the lifecycle table; an illegal step is a bug in the host and throws. */
export function advance(slot: HostedSlot, trigger: LifecycleTrigger): void {
  slot.state = nextLifecycleState(slot.spec.name, slot.state, trigger);
}

/** Sets the running instance's handlers and decisions, or clears them (an ended incarnation). */
export function attach(slot: HostedSlot, instance: ActorInstance | undefined): void {
  slot.instance = instance;
  slot.handlers = (instance?.handle as HandlerTable | undefined) ?? NONE;
  slot.decisions = instance?.decide as DecisionTable | undefined;
  slot.lastDecided = undefined;
}

/**
 * Why the instance's handlers or decisions cannot all be reached: one for a message type that no channel
 * the actor reads carries, undefined if none. A channel outside the protocol catalogue (tests,
 * extensions) may carry any message.
 */
export function unreachableHandlers(
  actor: string,
  reads: readonly string[],
  instance: ActorInstance,
): Error | undefined {
  const carried = reads.map(messagesOn);
  if (carried.some((types) => types === undefined)) return undefined;
  const types = new Set(carried.flat());
  for (const [hook, table] of [
    ["handler", instance.handle],
    ["decision", instance.decide ?? {}],
  ] as const) {
    const stray = Object.keys(table).filter((type) => !types.has(type as never));
    if (stray.length === 0) continue;
    return new Error(
      `actor ${actor}: ${hook} for ${stray.join(", ")} refused: no channel it reads ` +
        `(${reads.join(", ") || "none"}) carries ${stray.length === 1 ? "that message" : "those messages"}`,
    );
  }
  return undefined;
}
