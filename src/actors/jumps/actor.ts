import { defineActor } from "../../runtime/actor.js";
import { Channels } from "../../protocol/channels.js";
import type { Book, Trade } from "../../protocol/market-data.js";
import type { JumpDetected } from "../../protocol/signals.js";
import { JumpsCore } from "./core.js";
import { spellingsById } from "../../model/universe.js";
import type { JumpsSection } from "./config.js";

/** Lee-Mykland on every configured symbol's trades, with the co-jump filter across all of them. */
export default defineActor<JumpsSection>({
  kind: "jumps",
  reads: [Channels.trades, Channels.books],
  writes: [Channels.jumps],
  async init(ctx) {
    const detectors = ctx.config.detectors;
    const nameOf = spellingsById(detectors.symbols);
    const core = new JumpsCore(detectors);
    const debug = ctx.log.isLevelEnabled("debug");
    const emit = (jump: JumpDetected | null) => {
      if (jump === null) return;
      const symbol = nameOf.get(jump.instrument) ?? String(jump.instrument);
      ctx.metrics.count("jumps_detected_total", { symbol, systematic: String(jump.systematic) });
      ctx.send(Channels.jumps, jump);
      if (debug) ctx.log.debug({ symbol, jumpBps: jump.jumpBps, systematic: jump.systematic }, "jump");
    };
    const rehearse = () => {
      const rehearsal = core.rehearse();
      if (rehearsal !== null) ctx.rehearseCodec(rehearsal);
    };
    return {
      handle: {
        Trade: (t: Trade) => emit(core.onTrade(t)),
        Book: (b: Book) => emit(core.onBook(b)),
      },
      // After a tick, the host rehearses: the newest tick tested (the core keeps which) classified again, its
      // message built and round-tripped, kept warm.
      decide: { Trade: rehearse, Book: rehearse },
    };
  },
});
