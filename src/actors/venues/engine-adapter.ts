import * as zmq from "zeromq";
import type { Logger } from "pino";
import type { CancelOrder, OrderRejected, PlaceOrder } from "../../protocol/orders.js";
import type { InstrumentId } from "../../model/instruments.js";
import type { EngineOrderOptions, SerializeResult, VenueEvent, WireFailure } from "../../protocol/wire/engine.js";
import {
  EXEC_FILL_TOPIC,
  EXEC_REPORT_TOPIC,
  parseEngineEvent,
  serializeCancel,
  serializePlace,
  toVenueEvent,
} from "../../protocol/wire/engine.js";
import { wallClockNs } from "../../runtime/clock.js";
import type { PriceRules } from "../../model/rounding.js";

/**
 * The latentspeed trading engine bridge (wire doc Part 2), on the main thread: PUSH one JSON frame per
 * order to `orders_port`, SUB `exec.report` / `exec.fill` (2 frames: topic, JSON) on `events_port`.
 * Sends go through one queue drained by one loop: zeromq.js allows one send in flight, and at the
 * high-water mark a send fails with EAGAIN, after which the same frame is retried, so frames are never
 * lost or reordered. After an engine restart the sockets reconnect by themselves; orders pending across it
 * are resolved by the order manager from later reports, fills or its ack timeouts.
 */

export interface EngineInstrument {
  /** Symbol as the engine receives it. */
  readonly engineSymbol: string;
  readonly lotSize: number;
  readonly priceRules: PriceRules;
}

export interface EngineAdapterOptions {
  readonly host: string;
  readonly ordersPort: number;
  readonly eventsPort: number;
  readonly venue: string;
  /** The engine's spelling of the instrument an order carries (its registry id). */
  readonly instrument: (id: InstrumentId) => EngineInstrument | undefined;
  /** A strategy's perp margin mode and leverage, sent on its perp orders (`perp_margin_mode`, `perp_leverage`). */
  readonly perp?: (strategy: string) => EngineOrderOptions["perp"];
  readonly sendHighWaterMark?: number;
  /** Pause before retrying a send refused at the high-water mark. */
  readonly retryDelayMs?: number;
  /**
   * A frame still unsent after this long is dropped (and reported): an order the engine receives
   * seconds late would trade on stale prices, and its ack timeout has already marked it `unknown`.
   */
  readonly maxQueueAgeMs?: number;
}

export interface EngineAdapterHandlers {
  /** Every report and fill, normalised; also a local `OrderRejected` for an order that could not be serialised. */
  onEvent(event: VenueEvent): void;
  /**
   * A counted drop: an inbound frame that did not parse, an outbound frame given up, or an order refused before
   * the wire (`refused`: an unsnapped price, a size under one lot, …).
   */
  onDrop?(kind: "inbound" | "outbound" | "refused", reason: string, detail: string): void;
  /** A frame went out on the orders socket. */
  onSent?(): void;
  /** The events socket connected or disconnected. */
  onLink?(connected: boolean): void;
}

export interface AdapterStats {
  sent: number;
  eagainRetries: number;
  received: number;
  inboundDrops: number;
  outboundDrops: number;
  refused: number;
}

interface Outbound {
  readonly frame: string;
  readonly clId: string;
  readonly queuedMs: number;
}

export class EngineAdapter {
  readonly stats: AdapterStats = {
    ...{ sent: 0, eagainRetries: 0, received: 0 },
    ...{ inboundDrops: 0, outboundDrops: 0, refused: 0 },
  };
  private readonly push: zmq.Push;
  private readonly sub: zmq.Subscriber;
  private readonly queue: Outbound[] = [];
  private pumping = false;
  private running = false;
  private receiving: Promise<void> | undefined;

  constructor(
    private readonly options: EngineAdapterOptions,
    private readonly logger: Logger,
    private readonly handlers: EngineAdapterHandlers,
  ) {
    this.push = new zmq.Push({ sendHighWaterMark: options.sendHighWaterMark ?? 1000, sendTimeout: 0, linger: 0 });
    this.sub = new zmq.Subscriber({ linger: 0 });
  }

  start(): void {
    const { host, ordersPort, eventsPort } = this.options;
    // Watched before it connects: a connect that completes first would otherwise never be seen (liveness).
    this.watch(this.sub, "events");
    this.push.connect(`tcp://${host}:${ordersPort}`);
    this.sub.connect(`tcp://${host}:${eventsPort}`);
    this.sub.subscribe(EXEC_REPORT_TOPIC, EXEC_FILL_TOPIC);
    this.running = true;
    this.receiving = this.receiveLoop();
    this.logger.info({ host, ordersPort, eventsPort }, "engine adapter connected");
  }

  /** Serialises and queues a place; an order that cannot be put on the wire is rejected locally. */
  place(order: PlaceOrder): void {
    const r = this.placeFrame(order);
    if (r === undefined)
      this.rejectLocally(order.clId, "unknown_instrument", `no engine instrument for '${order.symbol}'`);
    else if (r.ok) this.enqueue(r.frame, order.clId);
    else this.rejectLocally(order.clId, r.error.reason, r.error.detail);
  }

  /** What `place` would put on the wire, computed and thrown away (`ActorInstance.decide`). */
  rehearsePlace(order: PlaceOrder): void {
    this.placeFrame(order);
  }

  /** The order's ExecutionOrder frame; undefined for a symbol the engine has no instrument for. */
  private placeFrame(order: PlaceOrder): SerializeResult | undefined {
    const inst = this.options.instrument(order.instrument);
    return (
      inst &&
      serializePlace(order, {
        venue: this.options.venue,
        engineSymbol: inst.engineSymbol,
        lotSize: inst.lotSize,
        priceRules: inst.priceRules,
        perp: this.options.perp?.(order.strategy),
      })
    );
  }

  cancel(cancel: CancelOrder): void {
    const engineSymbol = this.options.instrument(cancel.instrument)?.engineSymbol ?? cancel.symbol;
    const r = serializeCancel(cancel, { venue: this.options.venue, engineSymbol });
    if (r.ok) this.enqueue(r.frame, cancel.clId);
    else this.rejectLocally(cancel.clId, r.error.reason, r.error.detail);
  }

  /** Hyperliquid has no modify (§2.8): cancel, then place the new order. */
  replace(cancel: CancelOrder, order: PlaceOrder): void {
    this.cancel(cancel);
    this.place(order);
  }

  get queued(): number {
    return this.queue.length;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.push.close();
    this.sub.close();
    await this.receiving;
  }

  private enqueue(frame: string, clId: string): void {
    this.queue.push({ frame, clId, queuedMs: performance.now() });
    if (!this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    const retryMs = this.options.retryDelayMs ?? 1;
    const maxAgeMs = this.options.maxQueueAgeMs ?? 3000;
    try {
      while (this.running && this.queue.length > 0) {
        const head = this.queue[0];
        if (performance.now() - head.queuedMs > maxAgeMs) {
          this.queue.shift();
          this.stats.outboundDrops++;
          this.handlers.onDrop?.("outbound", "stale", head.clId);
          this.logger.warn({ clId: head.clId, maxAgeMs }, "engine unreachable: order frame dropped unsent");
          continue;
        }
        try {
          await this.push.send(head.frame);
          this.queue.shift();
          this.stats.sent++;
          this.handlers.onSent?.();
        } catch (err) {
          if ((err as { code?: string }).code !== "EAGAIN") throw err;
          this.stats.eagainRetries++;
          await new Promise((resolve) => setTimeout(resolve, retryMs));
        }
      }
    } catch (err) {
      if (this.running) this.logger.error({ err }, "engine adapter send loop failed");
    } finally {
      this.pumping = false;
    }
  }

  private async receiveLoop(): Promise<void> {
    try {
      for await (const frames of this.sub) {
        const recvNs = wallClockNs();
        this.stats.received++;
        if (frames.length !== 2) {
          this.dropInbound("frame_count", `${frames.length} frames`);
          continue;
        }
        const parsed = parseEngineEvent(frames[0].toString("latin1"), frames[1].toString("utf8"));
        if (!parsed.ok) {
          this.dropInbound(parsed.error.reason, parsed.error.detail);
          continue;
        }
        const event = toVenueEvent(parsed.event, recvNs);
        if (event) this.deliver(event);
      }
    } catch (err) {
      if (this.running) this.logger.error({ err }, "engine adapter receive loop failed");
    }
  }

  private dropInbound(reason: string, detail: string): void {
    this.stats.inboundDrops++;
    this.handlers.onDrop?.("inbound", reason, detail);
    this.logger.warn({ reason, detail }, "engine frame dropped");
  }

  private rejectLocally(clId: string, reason: WireFailure | "unknown_instrument", detail: string): void {
    this.stats.refused++;
    this.handlers.onDrop?.("refused", reason, detail);
    this.logger.warn({ clId, reason, detail }, "order refused before the wire");
    const now = wallClockNs();
    const event: OrderRejected = {
      type: "OrderRejected",
      clId,
      exchangeOrderId: "",
      venueTsNs: now,
      venueTsIsTsc: false,
      recvNs: now,
      reasonCode: "invalid_params",
      reasonText: `leadlag ${reason}: ${detail}`,
    };
    this.deliver(event);
  }

  /** A throwing handler is a bug downstream; it must not stop the stream of reports and fills. */
  private deliver(event: VenueEvent): void {
    try {
      this.handlers.onEvent(event);
    } catch (err) {
      this.logger.error({ err, clId: event.clId, type: event.type }, "engine event handler threw");
    }
  }

  /** Logs connects and disconnects so an engine restart is visible; the sockets reconnect by themselves. */
  private watch(socket: zmq.Socket, name: string): void {
    void (async () => {
      try {
        for await (const event of socket.events) {
          if (event.type === "connect" || event.type === "disconnect") {
            this.logger.info({ socket: name, event: event.type }, "engine link");
            this.handlers.onLink?.(event.type === "connect");
          }
        }
      } catch {
        // the observer ends when the socket closes
      }
    })();
  }
}
