import { defineActor } from "../../../runtime/actor.js";
import { Channels } from "../../../protocol/channels.js";
import type { Config } from "../../../config/index.js";
import type { CancelOrder, PlaceOrder } from "../../../protocol/orders.js";
import { EngineAdapter } from "../engine-adapter.js";
import { perpSettings } from "../perp-settings.js";
import { instrumentNamed } from "../../../model/instruments.js";
import { loadRegistry } from "../../../config/index.js";
import { EngineLiveness } from "../engine-liveness.js";
import { elapsedMs } from "../../../model/time.js";

const STATUS_EVERY_MS = 1000;

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
    const liveness = new EngineLiveness(config.runtime.order_manager.ack_timeout_ms.gtc);
    const nowMs = () => elapsedMs(0n, ctx.now());
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
