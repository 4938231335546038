import { defineActor } from "../../../runtime/actor.js";
import { Channels } from "../../../protocol/channels.js";
import type { CancelOrder, PlaceOrder } from "../../../protocol/orders.js";
import { EngineAdapter } from "../engine-adapter.js";
import { perpSettings } from "../perp-settings.js";
import { InstrumentRegistry } from "../../../model/instruments.js";
import type { EngineVenueSection } from "../section.js";
import { EngineLiveness } from "../engine-liveness.js";
import { elapsedMs } from "../../../model/time.js";

const STATUS_EVERY_MS = 1000;

/**
 * The latentspeed trading engine bridge (`execution.provider: zmq`), on the main thread: PUSH orders to
 * `orders_port`, SUB reports and fills on `events_port`, normalised into venue events.
 */
export default defineActor<EngineVenueSection>({
  kind: "venue",
  reads: [Channels.venueCommands],
  writes: [Channels.venueEvents],
  async init(ctx) {
    const section = ctx.config;
    const registry = new InstrumentRegistry(section.instruments);
    const liveness = new EngineLiveness(section.ackTimeoutGtcMs);
    const nowMs = () => elapsedMs(0n, ctx.now());
    const adapter = new EngineAdapter(
      {
        host: section.host,
        ordersPort: section.ordersPort,
        eventsPort: section.eventsPort,
        venue: "hyperliquid",
        instrument: (id) => {
          const inst = registry.byId(id);
          return inst && { engineSymbol: inst.engineSymbol, lotSize: inst.lotSize, priceRules: inst.priceRules };
        },
        perp: perpSettings(section.perp),
      },
      ctx.log,
      {
        onEvent: (event) => {
          liveness.received(nowMs());
          ctx.send(Channels.venueEvents, event);
        },
        onDrop: (kind, reason) => ctx.metrics.count("venue_drops_total", { kind, reason }),
        onSent: () => liveness.sent(nowMs()),
        onLink: (connected) => liveness.linked(connected),
      },
    );
    adapter.start();
    ctx.setInterval("status", STATUS_EVERY_MS);
    return {
      handle: {
        PlaceOrder: (o: PlaceOrder) => adapter.place(o),
        CancelOrder: (c: CancelOrder) => adapter.cancel(c),
      },
      onTimer: () => ctx.publishStatus(liveness.status(nowMs())),
      onStop: () => adapter.stop(),
      // What `place` would put on the wire, computed and thrown away: the host rehearses the last order.
      decide: { PlaceOrder: (o: PlaceOrder) => adapter.rehearsePlace(o) },
    };
  },
});
