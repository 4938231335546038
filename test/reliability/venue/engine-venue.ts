/**
 * A trading-engine stand-in as a process of its own, so that the venue's record of fills outlives the
 * daemon's crashes and restarts: PULL orders on `--orders-port`, PUB `exec.report` / `exec.fill` on
 * `--events-port`, in the engine's wire format (the same writers as bench/engine-standin.ts).
 *
 * Every place is acked and filled at once at its limit price, taker fee 4.5 bps in USDC; reduce-only orders
 * are checked against the position this venue's own fills built, as Hyperliquid checks them (rejected when
 * they would not reduce, capped at the position with the rest canceled). A repeated `cl_id` is ignored, as
 * the engine ignores a place whose id it still holds. Exec ids carry a random session prefix, so they are
 * unique across this process' restarts.
 *
 * Control on stdin, one word a line: `hold` queues orders unanswered (an engine that is slow, while the
 * runner kills the daemon), `release` answers the queue in arrival order. Every order, fill and report is
 * printed on stdout as one JSON line for the runner, which keeps the record.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import * as zmq from "zeromq";
import { wallClockNs } from "../../../src/runtime/clock.js";
import {
  fillTags,
  formatExecFill,
  formatExecReport,
  parseExecutionOrder,
  reportTags,
  type InboundCancel,
  type InboundPlace,
} from "../../../src/protocol/wire/engine-server.js";
import { EXEC_FILL_TOPIC, EXEC_REPORT_TOPIC } from "../../../src/protocol/wire/engine.js";

const TAKER_FEE_BPS = 4.5;
const VENUE = "hyperliquid";

const { values } = parseArgs({ options: { "orders-port": { type: "string" }, "events-port": { type: "string" } } });
const ordersPort = Number(values["orders-port"]);
const eventsPort = Number(values["events-port"]);

const pull = new zmq.Pull({ linger: 0 });
const pub = new zmq.Publisher({ linger: 0, sendHighWaterMark: 100_000 });
const session = randomBytes(4).toString("hex");
const seen = new Set<string>();
const positions = new Map<string, number>();
const held: string[] = [];
let holding = false;
let nextOid = 1;
let nextExec = 1;

function emit(record: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify({ ...record, atMs: Date.now() }) + "\n");
}

async function report(
  clId: string,
  status: "accepted" | "rejected" | "canceled",
  oid: string,
  reasonCode: "ok" | "invalid_params",
  reasonText: string,
  tags: Record<string, string>,
): Promise<void> {
  await pub.send([
    EXEC_REPORT_TOPIC,
    formatExecReport({ clId, status, exchangeOrderId: oid, reasonCode, reasonText, tsNs: wallClockNs(), tags }),
  ]);
  emit({ event: "report", clId, status, reason: reasonText });
}

/** What a reduce-only order may fill: up to the position, on its closing side; everything otherwise. */
function fillableSize(order: InboundPlace): number {
  if (!order.reduceOnly) return order.size;
  const position = positions.get(order.symbol) ?? 0;
  const closes = (order.side === "sell" && position > 0) || (order.side === "buy" && position < 0);
  return closes ? Math.min(order.size, Math.abs(position)) : 0;
}

async function place(order: InboundPlace): Promise<void> {
  if (seen.has(order.clId)) {
    emit({ event: "duplicate", clId: order.clId, symbol: order.symbol, side: order.side, size: order.size });
    return;
  }
  seen.add(order.clId);
  const intent = order.tags.intent_id ?? "";
  const role = order.tags.role ?? "";
  emit({
    event: "order",
    clId: order.clId,
    intent,
    role,
    symbol: order.symbol,
    side: order.side,
    size: order.size,
    price: order.price,
    reduceOnly: order.reduceOnly,
    tif: order.tif,
  });
  const tags = reportTags(order.tags, VENUE);
  const size = fillableSize(order);
  if (size <= 0) {
    await report(order.clId, "rejected", "", "invalid_params", "reduceOnlyRejected", tags);
    return;
  }
  const oid = String(nextOid++);
  await report(order.clId, "accepted", oid, "ok", "ok", tags);
  const execId = `${session}-${nextExec++}`;
  const fee = (order.price * size * TAKER_FEE_BPS) / 10_000;
  const fill = {
    clId: order.clId,
    exchangeOrderId: oid,
    execId,
    symbol: order.symbol,
    side: order.side,
    price: order.price,
    size,
    feeCurrency: "USDC",
    feeAmount: fee,
    liquidity: "taker" as const,
    tsNs: wallClockNs(),
    tags: fillTags(order.tags, order.clId, VENUE),
  };
  await pub.send([EXEC_FILL_TOPIC, formatExecFill(fill)]);
  positions.set(order.symbol, (positions.get(order.symbol) ?? 0) + (order.side === "buy" ? size : -size));
  emit({
    event: "fill",
    clId: order.clId,
    intent,
    role,
    execId,
    symbol: order.symbol,
    side: order.side,
    price: order.price,
    size,
    fee,
  });
  if (size < order.size) await report(order.clId, "canceled", oid, "ok", "Order cancelled", tags);
}

/** Every order here fills at once, so a cancel finds nothing: the engine's idempotent answer (§2.7). */
async function cancel(order: InboundCancel): Promise<void> {
  emit({ event: "cancel", clId: order.clId, target: order.clIdToCancel });
  await report(order.clId, "accepted", "", "ok", "Cancel request sent", reportTags(order.tags, VENUE));
  await report(
    order.clIdToCancel,
    "canceled",
    "",
    "ok",
    "Cancel idempotent: order missing",
    order.tags as Record<string, string>,
  );
}

async function answer(frame: string): Promise<void> {
  const order = parseExecutionOrder(frame);
  if (order === undefined) emit({ event: "unparsable", frame: frame.slice(0, 200) });
  else if (order.action === "place") await place(order);
  else if (order.action === "cancel") await cancel(order);
  else
    await report(order.clId, "rejected", "", "invalid_params", order.reasonText, order.tags as Record<string, string>);
}

let work = Promise.resolve();
/** One answer at a time, in arrival order, whether it comes from the socket or from a release. */
function enqueue(frame: string): void {
  work = work.then(() => answer(frame)).catch((err: Error) => emit({ event: "error", message: err.message }));
}

function control(line: string): void {
  const command = line.trim();
  if (command === "hold") {
    holding = true;
    emit({ event: "holding" });
  } else if (command === "release") {
    holding = false;
    const queued = held.splice(0);
    for (const frame of queued) enqueue(frame);
    work = work.then(() => emit({ event: "released", count: queued.length }));
  } else if (command !== "") {
    emit({ event: "error", message: `unknown command '${command}'` });
  }
}

async function main(): Promise<void> {
  await pull.bind(`tcp://127.0.0.1:${ordersPort}`);
  await pub.bind(`tcp://127.0.0.1:${eventsPort}`);
  let input = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk: string) => {
    input += chunk;
    const lines = input.split("\n");
    input = lines.pop()!;
    for (const line of lines) control(line);
  });
  // The runner's end of stdin closing means the runner is gone: so is the venue.
  process.stdin.on("end", () => process.exit(0));
  emit({ event: "ready", session });
  for await (const [frame] of pull) {
    const text = frame.toString();
    if (holding) {
      held.push(text);
      emit({ event: "queued", held: held.length });
    } else {
      enqueue(text);
    }
  }
}

main().catch((err: Error) => {
  emit({ event: "error", message: err.message });
  process.exit(1);
});
