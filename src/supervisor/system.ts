import type { Logger } from "pino";
import type { ActorDef } from "../runtime/actor.js";
import { loadActorDef } from "../runtime/host-factory.js";
import { resolveChildSpecs, type ChildSpec, type ResolvedChildSpec } from "./child-spec.js";
import { DEFAULT_RESTART_POLICY } from "./restart.js";
import { Supervisor, type SupervisorOptions } from "./supervisor.js";
import { buildTopology } from "./topology.js";

export async function loadDefs(children: readonly ResolvedChildSpec[]): Promise<Map<string, ActorDef>> {
  const defs = new Map<string, ActorDef>();
  for (const c of children) defs.set(c.name, await loadActorDef(c.module));
  return defs;
}

export type SystemOptions = Partial<Omit<SupervisorOptions, "log">> & { log: Logger; ringBytes?: number };

/** Validates the child list, wires the topology and starts the supervisor; resolves once every actor runs. */
export async function startSystem(specs: readonly ChildSpec[], options: SystemOptions): Promise<Supervisor> {
  const children = resolveChildSpecs(specs);
  const defs = await loadDefs(children);
  const topology = buildTopology(children, defs, options.ringBytes);
  const supervisor = new Supervisor(topology, {
    policy: DEFAULT_RESTART_POLICY,
    heartbeatTimeoutMs: 3000,
    spinUs: (thread) => (thread === "main" ? 0 : 50),
    rehearseEveryUs: 0,
    blockDeadlineMs: 5000,
    faultInjection: false,
    logLevel: "info",
    startTimeoutMs: 10_000,
    ...options,
  });
  try {
    await supervisor.start();
  } catch (err) {
    await supervisor.stop();
    throw err;
  }
  return supervisor;
}
