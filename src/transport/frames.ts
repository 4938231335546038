import type { AnyMessage, Codec, DecodeFailure } from "../protocol/codec.js";

/** The producer end of a ring as the host uses it. `false` = full (only under the `block` policy). */
export interface FrameWriter {
  tryWrite(frame: Uint8Array): boolean;
}

/** The consumer end: drains up to `max` frames, each a view valid only during the callback. */
export interface FrameReader {
  drain(onFrame: (frame: Uint8Array) => void, max: number): number;
  hasData(): boolean;
}

export type FrameDecodeResult =
  | { ok: true; channel: number; message: AnyMessage }
  | { ok: false; reason: DecodeFailure | "short_frame" | "unknown_channel" };

/**
 * A frame on a ring between threads: `u16 channel index (LE) | msgpack message`. Several channels share
 * one ring per (thread pair, backpressure policy), so the index routes the message on arrival.
 */
export class ChannelFrames {
  private scratch = new Uint8Array(4096);

  constructor(
    private readonly codec: Codec,
    private readonly channelCount = 65_536,
  ) {}

  /** The returned view is valid until the next `encode`. */
  encode(channel: number, message: AnyMessage): Uint8Array {
    const body = this.codec.encode(message);
    const length = body.length + 2;
    if (length > this.scratch.length) this.scratch = new Uint8Array(Math.max(length, this.scratch.length * 2));
    this.scratch[0] = channel & 0xff;
    this.scratch[1] = channel >>> 8;
    this.scratch.set(body, 2);
    return this.scratch.subarray(0, length);
  }

  decode(frame: Uint8Array): FrameDecodeResult {
    if (frame.length < 3) return { ok: false, reason: "short_frame" };
    const channel = frame[0] | (frame[1] << 8);
    if (channel >= this.channelCount) return { ok: false, reason: "unknown_channel" };
    const decoded = this.codec.decode(frame.subarray(2));
    if (!decoded.ok) return { ok: false, reason: decoded.error.reason };
    return { ok: true, channel, message: decoded.message };
  }
}
