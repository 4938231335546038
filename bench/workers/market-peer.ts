/**
 * The outside world of the decision benchmarks, on a thread of its own as in production (a marketstream
 * publisher and a trading engine are other processes): the synthetic market published every millisecond
 * in marketstream format, and a PULL socket standing in for the engine's order port. Records when each
 * trade was handed to ZeroMQ and when each order frame arrived (epoch ns); on "stop" closes its sockets
 * first (zeromq.js aborts the process when a worker exits with sockets open) and posts the records back.
 */
import { parentPort, workerData } from "node:worker_threads";
import * as zmq from "zeromq";
import { SyntheticMarket, type SyntheticMessage } from "../../src/actors/market-synth/generator.js";
import type { SyntheticMarketSpec } from "../../src/actors/market-synth/spec.js";
import type { EngineArrival } from "./engine-peer.js";
import { tradeKey } from "../bench.js";
import { wallClockNs } from "../../src/runtime/clock.js";

export interface MarketPeerData {
  readonly spec: SyntheticMarketSpec;
  readonly tradesPort: number;
  readonly booksPort: number;
  readonly ordersPort: number;
}

export interface MarketPeerRecords {
  /** [`tradeKey` of a trade, epoch ns it was handed to ZeroMQ]. */
  readonly published: [string, bigint][];
  readonly arrivals: EngineArrival[];
}

const { spec, tradesPort, booksPort, ordersPort } = workerData as MarketPeerData;
const endpoint = (port: number) => `tcp://127.0.0.1:${port}`;
const trades = new zmq.Publisher({ linger: 0 });
const books = new zmq.Publisher({ linger: 0 });
const orders = new zmq.Pull({ linger: 0 });
await trades.bind(endpoint(tradesPort));
await books.bind(endpoint(booksPort));
await orders.bind(endpoint(ordersPort));

const published: [string, bigint][] = [];
const arrivals: EngineArrival[] = [];
const market = new SyntheticMarket(spec, wallClockNs());
const pending: SyntheticMessage[] = [];
let sending = false;

// zeromq.js allows one send in flight per socket: messages go out one after another, in order.
async function drain(): Promise<void> {
  sending = true;
  for (let m = pending.shift(); m !== undefined; m = pending.shift()) {
    // Stamped as handed over: the send's promise settles on a later turn of this thread's event loop,
    // which once put the stamp after the daemon had received the trade (docs/benchmarks.md).
    if (m.socket === "trades") published.push([tradeKey(m.tsNs, m.seq), wallClockNs()]);
    await (m.socket === "trades" ? trades : books).send([m.topic, m.payload]);
  }
  sending = false;
}

const publishing = setInterval(() => {
  market.advance(wallClockNs(), (m) => pending.push(m));
  if (!sending && pending.length > 0) void drain().catch(() => undefined);
}, 1);

const receiving = (async () => {
  for await (const [frame] of orders) arrivals.push({ frame: frame.toString(), arrivedNs: wallClockNs() });
})().catch(() => undefined);

parentPort!.postMessage("ready");
parentPort!.once("message", async () => {
  // "stop": sockets first, then the records.
  clearInterval(publishing);
  for (const socket of [trades, books, orders]) socket.close();
  await receiving;
  const records: MarketPeerRecords = { published, arrivals };
  parentPort!.postMessage({ records });
  parentPort!.close();
});
