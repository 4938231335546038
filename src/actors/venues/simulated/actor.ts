import { defineActor } from "../../../runtime/actor.js";
import { Channels } from "../../../protocol/channels.js";
import type { Trade } from "../../../protocol/market-data.js";
import { parseEngineEvent, toVenueEvent } from "../../../protocol/wire/engine.js";
import { InstrumentRegistry, instrumentNamed } from "../../../model/instruments.js";
import { nsToMs } from "../../../model/time.js";
import { incarnationIdPrefix, type EngineFrame } from "../matching/core.js";
import { venueHandlers } from "../matching/shell.js";
import { SimulatedVenueCore } from "./core.js";
import { simulationModels } from "./models.js";
import { SeededRandom } from "../../../model/random.js";
import type { SimulatedVenueSection } from "../section.js";

function seededBytes(seed: number): Uint8Array {
  const random = new SeededRandom(seed);
  return Uint8Array.from({ length: 8 }, () => Math.floor(random.next() * 256));
}

/**
 * The simulated venue (`backtest.simulation`): a drop-in for the paper venue under the backtest runner. Same
 * channels, same messages, plus the feed's trades (they move queue positions). Orders reach the core
 * `order_latency_ms` after they are sent and are matched against the book as it stands then; every report and
 * fill reaches the order manager `response_latency_ms` after the venue produced it. Both delays are timers on the
 * runtime clock: event time under the inline runtime.
 */
export default defineActor<SimulatedVenueSection>({
  kind: "venue",
  reads: [Channels.venueCommands, Channels.books, Channels.trades, Channels.orderEvents, Channels.accountEvents],
  writes: [Channels.venueEvents, Channels.accountStateRequests],
  async init(ctx) {
    const sim = ctx.config.simulation;
    if (sim === undefined) throw new Error("the simulated venue needs a backtest.simulation section (mode: backtest)");
    const registry = new InstrumentRegistry(ctx.config.instruments);
    const instrument = (symbol: string) => instrumentNamed(registry, symbol);
    const models = simulationModels(sim, (symbol) => instrument(symbol)?.lotSize ?? 0);
    // Responses in flight, by due time (then in the order they were produced).
    const inFlight: { readonly dueNs: bigint; readonly frame: EngineFrame }[] = [];
    let sent = 0;
    const deliver = (frame: EngineFrame) => {
      const parsed = parseEngineEvent(frame.topic, frame.payload);
      if (!parsed.ok) return ctx.log.error({ error: parsed.error }, "simulated venue produced an unparsable event");
      const event = toVenueEvent(parsed.event, ctx.now());
      if (event) ctx.send(Channels.venueEvents, event);
    };
    const core = new SimulatedVenueCore(
      {
        venue: "hyperliquid",
        feeCurrency: (symbol) => {
          const inst = instrument(symbol);
          return (sim.fee_mode === "base" ? inst?.base : inst?.quote) ?? "USDC";
        },
        tscReportTimestamps: true,
        duplicateCancelReports: true,
        // From the seed, not from entropy: the same backtest prints the same ids (and a restart numbers apart).
        idPrefix: incarnationIdPrefix(seededBytes(sim.seed * 1000 + ctx.incarnation)),
      },
      models,
      (frame) => {
        const delayNs = models.responseLatency.delayNs(ctx.now());
        if (delayNs === 0n) return deliver(frame);
        const dueNs = ctx.now() + delayNs;
        let i = inFlight.length;
        while (i > 0 && inFlight[i - 1].dueNs > dueNs) i--;
        inFlight.splice(i, 0, { dueNs, frame });
        ctx.setTimer(`respond-${sent++}`, nsToMs(delayNs));
      },
    );
    const shell = venueHandlers(ctx, registry, core, {
      label: "simulated",
      arrivalDelayMs: sim.order_latency_ms,
      bookTime: () => ctx.now(),
    });
    return {
      handle: {
        ...shell.handle,
        Trade: (t: Trade) => {
          const inst = registry.byId(t.instrument);
          const aggressor = t.side === 1 ? "buy" : "sell";
          if (inst) core.onTrade(inst.engineSymbol, { price: t.price, size: t.amount, aggressor }, ctx.now());
        },
      },
      onTimer: (name) => {
        shell.onTimer(name);
        while (inFlight.length > 0 && inFlight[0].dueNs <= ctx.now()) {
          const due = inFlight.shift() as { frame: EngineFrame };
          deliver(due.frame);
        }
      },
    };
  },
});
