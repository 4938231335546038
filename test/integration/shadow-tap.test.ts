import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { compiledUrl } from "../../src/runtime/paths.js";
import { actorModule } from "../../src/supervisor/children.js";
import { startSystem } from "../../src/supervisor/system.js";
import { createTapSlots } from "../../src/supervisor/shadows/groups.js";
import { TapState } from "../../src/protocol/shadow-tap.js";
import { createCodec } from "../../src/protocol/catalog.js";
import { ChannelFrames } from "../../src/transport/frames.js";
import { Ring, RingConsumer } from "../../src/transport/ring.js";
import type { Trade } from "../../src/protocol/market-data.js";
import { waitFor } from "../fixtures/wait.js";

const BURST = 2000;

describe("shadow tap: live is never held back by a shadow", () => {
  it("copies into each active slot, drops the oldest in a full one without waiting, replays its history on attach", async () => {
    // Slot 0: a ring of 4 KiB nobody reads (a stuck shadow). Slot 1: room for everything. Slot 2: idle. Slot 3: attaches later.
    const [stuck] = createTapSlots(1, 1 << 12);
    const [reader, idle, late] = createTapSlots(3, 1 << 20);
    Atomics.store(new Int32Array(stuck.state), 0, TapState.live);
    Atomics.store(new Int32Array(reader.state), 0, TapState.live);
    let bursts = 0;
    let again: () => void = () => undefined;
    const supervisor = await startSystem(
      [
        {
          name: "source",
          module: compiledUrl(new URL("../fixtures/actors/tap-source.ts", import.meta.url)).href,
          thread: "main",
          config: { count: BURST, sent: (next: () => void) => ((again = next), bursts++) },
        },
        {
          name: "shadow-tap",
          module: actorModule("shadow-tap"),
          thread: "main",
          config: { slots: [stuck, reader, idle, late], historyNs: 60_000_000_000n },
        },
      ],
      { log: pino({ level: "silent" }) },
    );
    try {
      await waitFor(() => bursts === 1 && Ring.stats(reader.ring).written === BURST, 10_000);
      // The stuck slot lost its oldest frames, counted; the burst went through all the same.
      expect(Ring.stats(stuck.ring).dropped).toBeGreaterThan(0);
      expect(Ring.stats(stuck.ring).written).toBe(BURST);
      expect(Ring.stats(idle.ring).written).toBe(0);
      const frames = new ChannelFrames(createCodec(), 4);
      const seqs: number[] = [];
      const consumer = new RingConsumer(reader.ring);
      consumer.drain((bytes, start, end) => {
        const decoded = frames.decode(bytes.subarray(start, end));
        if (decoded.ok && decoded.channel === 0) seqs.push((decoded.message as Trade).seq);
      });
      expect(seqs).toEqual(Array.from({ length: BURST }, (_, i) => i));

      // A shadow attaching now gets the history first, then what comes after.
      Atomics.store(new Int32Array(late.state), 0, TapState.warming);
      again();
      await waitFor(() => bursts === 2 && Ring.stats(late.ring).written === 2 * BURST, 10_000);
      expect(Atomics.load(new Int32Array(late.state), 0)).toBe(TapState.live);
      const lateSeqs: number[] = [];
      new RingConsumer(late.ring).drain((bytes, start, end) => {
        const decoded = frames.decode(bytes.subarray(start, end));
        if (decoded.ok) lateSeqs.push((decoded.message as Trade).seq);
      });
      expect(lateSeqs).toEqual(Array.from({ length: 2 * BURST }, (_, i) => i));
    } finally {
      await supervisor.stop();
    }
  }, 30_000);
});
