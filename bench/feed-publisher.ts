/**
 * Child process of the feed benchmark: publishes a file of marketstream messages (one
 * `socket\ttopic\tpayload` line each) as fast as ZeroMQ takes them, so the feed in the parent process
 * is measured on its own core. Protocol on stdio: prints `ready` once bound, waits for `go`, prints
 * `sent N FIRST_NS LAST_NS` (epoch ns of the first and last send) when done, exits when stdin closes.
 * The fallback of bench/native/marketstream-pub.c (bench/feed-publishers.ts).
 */
import { readFileSync } from "node:fs";
import { Publisher } from "zeromq";
import { wallClockNs } from "../src/runtime/clock.js";

const [file, tradesPort, booksPort] = process.argv.slice(2);
const lines = readFileSync(file, "utf8")
  .split("\n")
  .filter((l) => l.length > 0);
const messages = lines.map((line) => {
  const [socket, topic, payload] = line.split("\t");
  return { books: socket === "books", topic: Buffer.from(topic), payload: Buffer.from(payload) };
});
// Unbounded queues: the benchmark measures the feed's throughput, not ZeroMQ's drop policy.
const trades = new Publisher({ sendHighWaterMark: 0, linger: 0 });
const books = new Publisher({ sendHighWaterMark: 0, linger: 0 });
await trades.bind(`tcp://127.0.0.1:${tradesPort}`);
await books.bind(`tcp://127.0.0.1:${booksPort}`);
process.stdout.write("ready\n");

process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  if (chunk.includes("go")) void publishAll();
});
process.stdin.on("end", () => {
  trades.close();
  books.close();
  process.exit(0);
});

async function publishAll(): Promise<void> {
  const first = wallClockNs();
  for (const m of messages) await (m.books ? books : trades).send([m.topic, m.payload]);
  process.stdout.write(`sent ${messages.length} ${first} ${wallClockNs()}\n`);
}
