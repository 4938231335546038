import type { Logger } from "pino";
import type { AnyMessage, Codec } from "../protocol/codec.js";
import type { BackpressurePolicy, HostToSupervisor } from "../protocol/host.js";
import type { Doorbell } from "../transport/doorbell.js";
import { ChannelFrames, type FrameReader, type FrameWriter } from "../transport/frames.js";
import { Mailbox } from "../transport/mailbox.js";
import type { ActorMetrics } from "./metrics.js";

export interface Outbound {
  readonly peer: string;
  readonly policy: BackpressurePolicy;
  readonly writer: FrameWriter;
  readonly peerBell: Doorbell;
}

export interface Inbound {
  readonly peer: string;
  readonly reader: FrameReader;
}

export interface RouterOptions {
  readonly thread: string;
  readonly channels: readonly { name: string; policy: BackpressurePolicy }[];
  /** Per channel index: threads other than this one that read it. */
  readonly remoteReaders: readonly (readonly string[])[];
  readonly outbound: readonly Outbound[];
  readonly blockDeadlineMs: number;
  readonly codec: Codec;
  readonly log: Logger;
  readonly emit: (event: HostToSupervisor) => void;
  /** Where undecodable frames are counted (the thread's own metrics). */
  readonly threadMetrics: ActorMetrics;
}

/**
 * Where a message goes: the in-thread mailbox of each local reader, and one frame per ring to another
 * thread that reads the channel. A full `drop-oldest` ring drops (the consumer counts the gap); a full
 * `block` ring holds the frame back, in order with the later ones for that ring, and past the block
 * deadline raises a host fault. `Target` is what the mailbox delivers to (the host's slot).
 */
export class Router<Target> {
  readonly mailbox = new Mailbox<Target>();
  private readonly channelIndex = new Map<string, number>();
  /** Per channel index, the local targets that read it. */
  private readonly localReaders: Target[][];
  /** Per channel index, the outbound rings that carry it. */
  private readonly remoteOut: Outbound[][];
  private readonly frames: ChannelFrames;
  /** Frames a `block` channel could not place yet, oldest first, with the wall ms they were queued. */
  private readonly overflow: { out: Outbound; frame: Uint8Array; sinceMs: number }[] = [];
  private faulted = false;
  private decodeErrors = 0;
  private lastDecodeLogMs = 0;

  constructor(private readonly options: RouterOptions) {
    options.channels.forEach((c, i) => this.channelIndex.set(c.name, i));
    this.localReaders = options.channels.map(() => []);
    this.remoteOut = options.channels.map((c, i) =>
      options.remoteReaders[i]
        .map((peer) => options.outbound.find((o) => o.peer === peer && o.policy === c.policy))
        .filter((o): o is Outbound => {
          if (o === undefined) throw new Error(`no ${c.policy} ring from ${options.thread} for channel ${c.name}`);
          return true;
        }),
    );
    this.frames = new ChannelFrames(options.codec, options.channels.length);
  }

  /** The index of a channel of the topology, or undefined. */
  indexOf(channel: string): number | undefined {
    return this.channelIndex.get(channel);
  }

  channelName(index: number): string {
    return this.options.channels[index].name;
  }

  addLocalReader(channel: number, target: Target): void {
    this.localReaders[channel].push(target);
  }

  /** Queues the message for the channel's local readers and writes it to the rings of its remote ones. */
  publish(channel: number, message: AnyMessage): void {
    for (const reader of this.localReaders[channel]) this.mailbox.push(reader, channel, message);
    const outs = this.remoteOut[channel];
    if (outs.length > 0) {
      const frame = this.frames.encode(channel, message);
      for (const out of outs) this.writeFrame(out, frame);
    }
  }

  private writeFrame(out: Outbound, frame: Uint8Array): void {
    if (this.overflow.length > 0 && out.policy === "block" && this.overflow.some((o) => o.out === out)) {
      this.overflow.push({ out, frame: frame.slice(), sinceMs: Date.now() });
      return;
    }
    if (out.writer.tryWrite(frame)) {
      out.peerBell.ring();
    } else if (out.policy === "block") {
      this.overflow.push({ out, frame: frame.slice(), sinceMs: Date.now() });
    }
  }

  /** True while frames wait for a full `block` ring. */
  get holdsFrames(): boolean {
    return this.overflow.length > 0;
  }

  /** Retries frames held back by full `block` rings, in order; past the deadline raises a host fault. */
  retryOverflow(): number {
    let moved = 0;
    while (this.overflow.length > 0) {
      const head = this.overflow[0];
      if (!head.out.writer.tryWrite(head.frame)) {
        if (!this.faulted && Date.now() - head.sinceMs > this.options.blockDeadlineMs) {
          this.faulted = true;
          this.options.emit({
            type: "HostFault",
            thread: this.options.thread,
            reason:
              `ring to ${head.out.peer} full for more than ${this.options.blockDeadlineMs} ms ` +
              `(${this.overflow.length} frames waiting)`,
          });
        }
        break;
      }
      head.out.peerBell.ring();
      this.overflow.shift();
      moved++;
    }
    if (this.overflow.length === 0) this.faulted = false;
    return moved;
  }

  /** Decodes a frame from another thread and queues it for the channel's local readers; garbage is counted. */
  readonly onFrame = (frame: Uint8Array): void => {
    const decoded = this.frames.decode(frame);
    if (!decoded.ok) {
      this.decodeErrors++;
      this.options.threadMetrics.count("frames_undecodable_total", { reason: decoded.reason });
      const now = Date.now();
      if (now - this.lastDecodeLogMs > 10_000) {
        this.lastDecodeLogMs = now;
        this.options.log.warn(
          { thread: this.options.thread, reason: decoded.reason, total: this.decodeErrors },
          "dropped undecodable frame",
        );
      }
      return;
    }
    for (const reader of this.localReaders[decoded.channel])
      this.mailbox.push(reader, decoded.channel, decoded.message);
  };
}
