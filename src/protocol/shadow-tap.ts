import { Channels } from "./channels.js";

/**
 * The contract between the live daemon's shadow tap (actors/shadow-tap) and a shadow group's thread
 * (supervisor/shadows): the tap copies these live channels, in this order, into a shadow's ring; in the
 * shadow's topology they are the first channels, so a frame's channel index (transport/frames.ts) is its
 * index in this list on both sides.
 */
export const TAPPED_CHANNELS = [Channels.trades, Channels.books, Channels.jumps, Channels.scanResults] as const;

/** What a tap slot holds in its `state` word (`Int32Array` over `TapSlot.state`). */
export const TapState = {
  /** No shadow: the tap writes nothing for this slot. */
  idle: 0,
  /** A shadow just attached: the tap first replays its history into the ring, then goes `live`. */
  warming: 1,
  live: 2,
} as const;

/** One shadow's end of the tap: a drop-oldest ring, the shadow thread's doorbell and the slot's state word. */
export interface TapSlot {
  readonly ring: SharedArrayBuffer;
  readonly bell: SharedArrayBuffer;
  /** One Int32: `TapState`. Written by the supervisor, read by the tap. */
  readonly state: SharedArrayBuffer;
}
