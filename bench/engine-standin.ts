import * as zmq from "zeromq";
import {
  fillTags,
  formatExecFill,
  formatExecReport,
  parseExecutionOrder,
  reportTags,
} from "../src/protocol/wire/engine-server.js";
import { EXEC_FILL_TOPIC, EXEC_REPORT_TOPIC } from "../src/protocol/wire/engine.js";
import type { EngineArrival } from "./workers/engine-peer.js";
import { wallClockNs } from "../src/runtime/clock.js";

/**
 * A trading-engine stand-in for the benchmarks: PULL on the orders port, and for every place an
 * `accepted` report and one full fill on the events PUB, in the engine's wire format, so orders complete
 * as an IOC that fills does and the daemon's open-order state stays as small as in production.
 * `onOrder` sees each raw frame the moment it arrives.
 */
export class EngineStandIn {
  private readonly pull = new zmq.Pull();
  private readonly pub = new zmq.Publisher();
  private nextOid = 1;
  private loop: Promise<void> | undefined;

  constructor(private readonly onOrder: (frame: string, arrivedMs: number) => void) {}

  async start(ordersPort: number, eventsPort: number): Promise<void> {
    await this.pull.bind(`tcp://127.0.0.1:${ordersPort}`);
    await this.pub.bind(`tcp://127.0.0.1:${eventsPort}`);
    this.loop = this.serve();
  }

  private async serve(): Promise<void> {
    for await (const [frame] of this.pull) {
      const text = frame.toString();
      this.onOrder(text, performance.now());
      const order = parseExecutionOrder(text);
      if (order?.action !== "place") continue;
      const oid = String(this.nextOid++);
      const tsNs = wallClockNs();
      await this.pub.send([
        EXEC_REPORT_TOPIC,
        formatExecReport({
          clId: order.clId,
          status: "accepted",
          exchangeOrderId: oid,
          reasonCode: "ok",
          reasonText: "ok",
          tsNs,
          tags: reportTags(order.tags, order.venue),
        }),
      ]);
      await this.pub.send([
        EXEC_FILL_TOPIC,
        formatExecFill({
          clId: order.clId,
          exchangeOrderId: oid,
          execId: `x${oid}`,
          symbol: order.symbol,
          side: order.side,
          price: order.price,
          size: order.size,
          feeCurrency: "USDC",
          feeAmount: 0,
          liquidity: "taker",
          tsNs,
          tags: fillTags(order.tags, order.clId, order.venue),
        }),
      ]);
    }
  }

  async stop(): Promise<void> {
    this.pull.close();
    this.pub.close();
    await this.loop?.catch(() => undefined);
  }
}

/**
 * Records when each frame is handed to a PUSH socket on this thread, where the engine venue's socket
 * lives: the daemon's own part of an order's path ends there, and ZeroMQ's transport and the stand-in's
 * thread begin.
 */
export function recordEngineHandoffs(): { readonly handoffs: EngineArrival[]; restore(): void } {
  const send = zmq.Push.prototype.send;
  const handoffs: EngineArrival[] = [];
  // zeromq.js defines `send` read-only on Socket.prototype; Push gets an own, configurable one over it.
  Object.defineProperty(zmq.Push.prototype, "send", {
    configurable: true,
    value(this: zmq.Push, ...args: Parameters<typeof send>) {
      handoffs.push({ frame: String(args[0]), arrivedNs: wallClockNs() });
      return send.apply(this, args);
    },
  });
  return { handoffs, restore: () => delete (zmq.Push.prototype as { send?: unknown }).send };
}
