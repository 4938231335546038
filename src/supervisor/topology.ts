import type { WorkerLogOutput } from "../runtime/logger.js";
import type { BackpressurePolicy, HostStartup, HostedActor } from "../protocol/host.js";
import { channelPolicy } from "../protocol/channels.js";
import { createRing } from "../transport/ring-layout.js";
import type { ActorDef } from "../runtime/actor.js";
import { createDoorbell } from "../transport/doorbell.js";
import { createMetricsBlock } from "../runtime/metrics.js";
import { ChildSpecError, type ResolvedChildSpec } from "./child-spec.js";

/** Bytes per ring: ~40k trade frames, enough to ride out a consumer's GC pause without dropping. */
export const DEFAULT_RING_BYTES = 1 << 22;

const CONTROL_RING_BYTES = 1 << 16;

export interface Ring {
  readonly from: string;
  readonly to: string;
  readonly policy: BackpressurePolicy;
  readonly buffer: SharedArrayBuffer;
}

/** Everything the supervisor wires before starting a thread: computed once, then only read. */
export interface Topology {
  readonly children: readonly ResolvedChildSpec[];
  readonly defs: ReadonlyMap<string, ActorDef>;
  /** Threads in start order: the order in which their first child appears. */
  readonly threads: readonly string[];
  readonly channels: readonly { name: string; policy: BackpressurePolicy }[];
  readonly rings: readonly Ring[];
  readonly doorbells: Readonly<Record<string, SharedArrayBuffer>>;
  /** Supervisor → worker command rings, one per worker thread. */
  readonly controlRings: Readonly<Record<string, SharedArrayBuffer>>;
  readonly metricsBlock: SharedArrayBuffer;
  startupFor(thread: string, options: StartupOptions): HostStartup;
}

export interface StartupOptions {
  readonly spinUs: number;
  readonly rehearseEveryUs: number;
  readonly blockDeadlineMs: number;
  readonly faultInjection: boolean;
  readonly logLevel: string;
  readonly logOutput?: WorkerLogOutput;
  readonly metricsEveryMs?: number;
  /** Worker threads only: their nice value (Linux). */
  readonly niceness?: number;
}

/**
 * Channels a child group reads that are written outside it (a shadow group: the live daemon's shadow tap).
 * They come first in the topology, in this order, so the outside writer knows their indices; every one
 * arrives on the one `drop-oldest` ring `ring`, read by the group's single thread, whose doorbell is `bell`.
 */
export interface ExternalInput {
  readonly peer: string;
  readonly channels: readonly string[];
  /** Channels the group's children read that nobody writes in it (no message ever comes on them). */
  readonly silent: readonly string[];
  readonly ring: SharedArrayBuffer;
  readonly bell: SharedArrayBuffer;
}

/**
 * Builds the wiring: which channels exist, which threads read which, and one ring per (writer thread,
 * reader thread, policy). Refuses a channel that some child reads and no child writes (nor `external`).
 */
export function buildTopology(
  children: readonly ResolvedChildSpec[],
  defs: ReadonlyMap<string, ActorDef>,
  ringBytes = DEFAULT_RING_BYTES,
  external?: ExternalInput,
): Topology {
  const writers = new Map<string, Set<string>>();
  const readers = new Map<string, Set<string>>();
  const names: string[] = [...(external?.channels ?? [])];
  const writtenOutside = new Set([...(external?.channels ?? []), ...(external?.silent ?? [])]);
  const note = (map: Map<string, Set<string>>, channel: string, thread: string) => {
    if (!map.has(channel)) map.set(channel, new Set());
    map.get(channel)!.add(thread);
    if (!names.includes(channel)) names.push(channel);
  };
  for (const child of children) {
    const def = defs.get(child.name)!;
    for (const c of def.writes) note(writers, c, child.thread);
    for (const c of def.reads) note(readers, c, child.thread);
  }
  for (const [channel, readingThreads] of readers) {
    if (!writers.has(channel) && !writtenOutside.has(channel)) {
      const reader = children.find((c) => defs.get(c.name)!.reads.includes(channel))!;
      throw new ChildSpecError(
        "unread_channel_writer_missing",
        reader.name,
        `child '${reader.name}' reads '${channel}' but no child writes it (threads ${[...readingThreads].join(", ")})`,
      );
    }
  }
  const channels = names.map((name) => ({ name, policy: channelPolicy(name) }));
  const threads = [...new Set(children.map((c) => c.thread))];

  const rings: Ring[] = [];
  for (const { name, policy } of channels) {
    for (const from of writers.get(name) ?? []) {
      for (const to of readers.get(name) ?? []) {
        if (from === to || rings.some((r) => r.from === from && r.to === to && r.policy === policy)) continue;
        rings.push({ from, to, policy, buffer: createRing(ringBytes, policy).buffer });
      }
    }
  }
  if (external !== undefined) {
    if (threads.length !== 1) throw new Error(`an external input feeds one thread, not ${threads.join(", ")}`);
    rings.push({ from: external.peer, to: threads[0], policy: "drop-oldest", buffer: external.ring });
  }
  const doorbells = Object.fromEntries(
    threads.map((t) => [t, external !== undefined ? external.bell : createDoorbell()]),
  );
  const metricsBlock = createMetricsBlock(children.length);
  const controlRings = Object.fromEntries(
    threads.filter((t) => t !== "main").map((t) => [t, createRing(CONTROL_RING_BYTES, "block").buffer]),
  );

  const startupFor = (thread: string, options: StartupOptions): HostStartup => {
    const actors: HostedActor[] = children
      .map((c, index) => ({ index, name: c.name, kind: defs.get(c.name)!.kind, moduleUrl: c.module, config: c.config }))
      .filter((a) => children[a.index].thread === thread);
    return {
      type: "HostStartup",
      thread,
      actors,
      channels,
      remoteReaders: channels.map((c) =>
        writers.get(c.name)?.has(thread) ? [...(readers.get(c.name) ?? [])].filter((t) => t !== thread) : [],
      ),
      inbound: rings.filter((r) => r.to === thread).map((r) => ({ buffer: r.buffer, peer: r.from, policy: r.policy })),
      outbound: rings.filter((r) => r.from === thread).map((r) => ({ buffer: r.buffer, peer: r.to, policy: r.policy })),
      doorbells,
      control: controlRings[thread],
      metricsBlock,
      ...options,
    };
  };

  return { children, defs, threads, channels, rings, doorbells, controlRings, metricsBlock, startupFor };
}
