import type { Logger } from "pino";
import type { HostStartup, HostToSupervisor, SupervisorToHost } from "../protocol/host.js";
import { createCodec } from "../protocol/catalog.js";
import { RingConsumer, RingProducer } from "../transport/ring.js";
import type { ActorDef } from "./actor.js";
import type { Clock } from "./clock.js";
import { Doorbell } from "../transport/doorbell.js";
import type { FrameReader } from "../transport/frames.js";
import { ThreadHost } from "./host.js";

/** Imports a compiled actor module; its default export is the `ActorDef`. */
export async function loadActorDef(moduleUrl: string): Promise<ActorDef> {
  const mod = (await import(moduleUrl)) as { default?: ActorDef };
  if (mod.default === undefined || typeof mod.default.init !== "function") {
    throw new Error(`module ${moduleUrl} has no default-exported actor definition`);
  }
  return mod.default;
}

function readerOf(consumer: RingConsumer): FrameReader {
  return {
    drain: (onFrame, max) => consumer.drain((bytes, start, end) => onFrame(bytes.subarray(start, end)), max),
    hasData: () => consumer.hasData(),
  };
}

/** Attaches to the startup's rings and builds the host; the same on a worker and on the main thread. */
export function createHost(
  startup: HostStartup,
  clock: Clock,
  log: Logger,
  emit: (event: HostToSupervisor) => void,
  onCommand?: (command: SupervisorToHost) => void,
): { host: ThreadHost; bell: Doorbell; close(): void } {
  const consumers = startup.inbound.map((r) => ({ peer: r.peer, consumer: new RingConsumer(r.buffer) }));
  const controlConsumer = startup.control && onCommand ? new RingConsumer(startup.control) : undefined;
  const host = new ThreadHost({
    thread: startup.thread,
    actors: startup.actors,
    channels: startup.channels,
    remoteReaders: startup.remoteReaders,
    inbound: consumers.map(({ peer, consumer }) => ({ peer, reader: readerOf(consumer) })),
    outbound: startup.outbound.map((r) => ({
      peer: r.peer,
      policy: r.policy,
      writer: new RingProducer(r.buffer),
      peerBell: new Doorbell(startup.doorbells[r.peer]),
    })),
    bell: new Doorbell(startup.doorbells[startup.thread]),
    metricsBlock: new Float64Array(startup.metricsBlock),
    blockDeadlineMs: startup.blockDeadlineMs,
    faultInjection: startup.faultInjection,
    clock,
    codec: createCodec(),
    log,
    emit,
    loadActor: loadActorDef,
    control: controlConsumer && onCommand ? { reader: readerOf(controlConsumer), onCommand } : undefined,
    runInputsAtOnce: true,
  });
  return {
    host,
    bell: new Doorbell(startup.doorbells[startup.thread]),
    close: () => {
      consumers.forEach(({ consumer }) => consumer.close());
      controlConsumer?.close();
    },
  };
}
