import { defineActor } from "../../../runtime/actor.js";
import { Channels } from "../../../protocol/channels.js";
import type { Config } from "../../../config/index.js";
import type { CancelOrder, PlaceOrder } from "../../../protocol/orders.js";
import { EngineAdapter } from "../engine-adapter.js";
import { perpSettings } from "../perp-settings.js";
import { instrumentNamed } from "../../../model/instruments.js";
import { loadRegistry } from "../../../config/index.js";

/**
 * The latentspeed trading engine bridge (`execution.provider: zmq`), on the main thread: PUSH orders to
 * `orders_port`, SUB reports and fills on `events_port`, normalised into venue events.
 */
export default defineActor<Config>({
  kind: "venue",
  reads: [Channels.venueCommands],
  writes: [Channels.venueEvents],
  async init(ctx) {
    const config = ctx.config;
    const registry = await loadRegistry(config);
    const exec = config.execution;
    const adapter = new EngineAdapter(
      {
        host: exec.host,
        ordersPort: exec.orders_port,
        eventsPort: exec.events_port,
        venue: "hyperliquid",
        instrument: (symbol) => {
          const inst = instrumentNamed(registry, symbol);
          return inst && { engineSymbol: inst.engineSymbol, lotSize: inst.lotSize, priceRules: inst.priceRules };
        },
        perp: perpSettings(config),
      },
      ctx.log,
      {
        onEvent: (event) => ctx.send(Channels.venueEvents, event),
        onDrop: (kind, reason) => ctx.metrics.count("venue_drops_total", { kind, reason }),
      },
    );
    adapter.start();
    let lastPlace: PlaceOrder | undefined;
    return {
      handle: {
        PlaceOrder: (o: PlaceOrder) => {
          lastPlace = o;
          adapter.place(o);
        },
        CancelOrder: (c: CancelOrder) => adapter.cancel(c),
      },
      onStop: () => adapter.stop(),
      rehearse: () => {
        if (lastPlace !== undefined) adapter.rehearsePlace(lastPlace);
      },
    };
  },
});
