/** `execution:` — where orders go: the external trading engine over ZeroMQ, or the embedded paper simulator. */
import { z } from "zod";
import { expected } from "../messages.js";
import { host, nonNegativeNumber, port, reportRule } from "./fields.js";

export const executionSchema = z
  .strictObject({
    provider: z.enum(["zmq", "paper"]).default("paper"), // zmq = trading engine, paper = leadlag's simulator
    mode: z.enum(["paper", "live"]).default("paper"), // live = real orders
    host: host().default("127.0.0.1"),
    orders_port: port().default(5601), // PUSH orders to the engine
    events_port: port().default(5602), // SUB exec.report / exec.fill from the engine
    paper: z.strictObject({ latency_ms: nonNegativeNumber().default(1) }).prefault({}),
  })
  .superRefine((ex, ctx) => {
    if (ex.orders_port === ex.events_port)
      reportRule(ctx, ["events_port"], ex.events_port, expected.differentPorts("execution.orders_port"));
    if (ex.provider === "paper" && ex.mode === "live")
      reportRule(ctx, ["mode"], ex.mode, expected.paperVenueTradesPaper);
  });
