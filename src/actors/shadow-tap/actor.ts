import { defineActor } from "../../runtime/actor.js";
import type { AnyMessage } from "../../protocol/codec.js";
import { createCodec } from "../../protocol/catalog.js";
import type { Book, Trade } from "../../protocol/market-data.js";
import { TAPPED_CHANNELS, TapState } from "../../protocol/shadow-tap.js";
import { Channels } from "../../protocol/channels.js";
import { ChannelFrames } from "../../transport/frames.js";
import { Doorbell } from "../../transport/doorbell.js";
import { RingProducer } from "../../transport/ring.js";
import { TickHistory } from "../feed/history.js";
import type { ShadowTapSection } from "./section.js";

const STATS_EVERY_MS = 1000;
/** Trades and books, the history's messages, are the first two tapped channels (indices 0 and 1). */
const TRADES = TAPPED_CHANNELS.indexOf(Channels.trades);
const BOOKS = TAPPED_CHANNELS.indexOf(Channels.books);
/**
 * The copies wait this long, so they are made after the live cascade a message started (the strategy's
 * decision, risk, the order) rather than inside it, and each shadow's thread is rung once per batch: at most
 * 100 wake-ups a second per shadow, which on a 2-core machine take cores from the live threads
 * (docs/benchmarks.md, `shadow`).
 */
const FLUSH_AFTER_MS = 10;

/**
 * The live side of shadow mode (docs/shadow.md): copies the feed's trades and books, the jumps and the
 * estimator shards' pushed scans into each attached shadow's drop-oldest ring, and rings that shadow's
 * thread. It never waits: a full ring overwrites its oldest frames (the shadow sees the gap, the ring counts
 * it), so a slow or dead shadow cannot hold the live feed back. An attaching shadow first gets the tap's
 * history (as an estimator shard gets the feed's), so it is warm at its first jump.
 */
export default defineActor<ShadowTapSection>({
  kind: "shadow-tap",
  reads: [...TAPPED_CHANNELS],
  writes: [],
  async init(ctx) {
    const frames = new ChannelFrames(createCodec(), TAPPED_CHANNELS.length);
    const slots = ctx.config.slots.map((s) => ({
      ring: new RingProducer(s.ring),
      bell: new Doorbell(s.bell),
      state: new Int32Array(s.state),
      written: 0,
    }));
    const history = new TickHistory(ctx.config.historyNs);
    const channelIndex = new Map<string, number>(TAPPED_CHANNELS.map((c, i) => [c, i]));
    let pending: { channel: number; message: AnyMessage }[] = [];
    let reported = slots.map(() => 0);

    const warm = (slot: (typeof slots)[number]) => {
      const write = (channel: number, m: AnyMessage) => {
        slot.ring.tryWrite(frames.encode(channel, m));
        slot.written++;
      };
      const n = history.replay({ trade: (t) => write(TRADES, t), book: (b) => write(BOOKS, b) });
      // The supervisor may have detached the slot meanwhile: only a still-warming slot goes live.
      Atomics.compareExchange(slot.state, 0, TapState.warming, TapState.live);
      ctx.log.info({ messages: n }, "shadow tap: history replayed to an attaching shadow");
    };

    const flush = () => {
      const batch = pending;
      pending = [];
      const live: (typeof slots)[number][] = [];
      // Warmed now: the history already holds the batch's trades and books (pushed as they came).
      const warmed: (typeof slots)[number][] = [];
      for (const slot of slots) {
        const state = Atomics.load(slot.state, 0);
        if (state === TapState.warming) {
          warm(slot);
          warmed.push(slot);
        } else if (state === TapState.live) live.push(slot);
      }
      if (live.length + warmed.length === 0) return;
      for (const { channel, message } of batch) {
        const frame = frames.encode(channel, message);
        for (const slot of live) slot.ring.tryWrite(frame);
        if (channel <= BOOKS) continue;
        for (const slot of warmed) {
          slot.ring.tryWrite(frame);
          slot.written++;
        }
      }
      for (const slot of live) slot.written += batch.length;
      for (const slot of [...live, ...warmed]) slot.bell.ring();
    };

    const tap = (message: AnyMessage, channel: string) => {
      if (!slots.some((slot) => Atomics.load(slot.state, 0) !== TapState.idle)) return;
      if (pending.length === 0) ctx.setTimer("flush", FLUSH_AFTER_MS);
      pending.push({ channel: channelIndex.get(channel)!, message });
    };

    ctx.setInterval("stats", STATS_EVERY_MS);
    return {
      handle: {
        Trade: (t: Trade, channel) => {
          history.push(t.instrument, t);
          tap(t, channel);
        },
        Book: (b: Book, channel) => {
          history.push(b.instrument, b);
          tap(b, channel);
        },
        JumpDetected: tap,
        PairsScanned: tap,
      },
      onTimer: (name) => {
        if (name === "flush") return flush();
        slots.forEach((slot, i) =>
          ctx.metrics.count("shadow_tap_frames_total", { slot: String(i) }, slot.written - reported[i]),
        );
        reported = slots.map((s) => s.written);
      },
    };
  },
});
