import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as zmq from "zeromq";
import { pino } from "pino";
import type { Bench } from "./bench.js";
import { percentile, round, sortedCopy } from "./bench.js";
import { compiledUrl } from "../src/runtime/paths.js";
import { startSystem } from "../src/supervisor/system.js";
import { actorModule } from "../src/supervisor/children.js";
import { parseConfig } from "../src/supervisor/config/index.js";
import { freePort } from "../test/fixtures/ports.js";


/** The floor: one bare PUSH → PULL hop over loopback TCP, one message in flight at a time. */
async function zmqHopUs(n: number): Promise<Float64Array> {
  const port = await freePort();
  const pull = new zmq.Pull();
  await pull.bind(`tcp://127.0.0.1:${port}`);
  const push = new zmq.Push();
  push.connect(`tcp://127.0.0.1:${port}`);
  const samples: number[] = [];
  for (let i = 0; i < n + 200; i++) {
    const t0 = performance.now();
    await push.send(`{"seq":${i}}`);
    await pull.receive();
    if (i >= 200) samples.push((performance.now() - t0) * 1000);
  }
  push.close();
  pull.close();
  return sortedCopy(samples);
}

function benchConfig(dir: string, ordersPort: number, eventsPort: number) {
  return parseConfig(
    `
mode: live
runtime:
  account_id: bench-${process.pid}
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")} }
market_data: { provider: zmq }
execution: { provider: zmq, mode: paper, host: 127.0.0.1, orders_port: ${ordersPort}, events_port: ${eventsPort} }
initial_balance: { USDC: 1000000000000 }
strategies: [{ name: bench, type: leadlag, config: { symbols: [BTC-USDT-PERP, ETH-USDT-PERP] } }]
risk:
  global: { max_notional_per_order: 1000000000, max_ord_rate_per_sec: 1000000, max_open_orders: 100000000, reject_on_stale_data_ms: 600000 }
  portfolio: { max_gross_usd: 1000000000000 }
  perps: { max_order_notional_usd: 1000000000 }
`,
    { env: {} },
  );
}

/**
 * A proposed order's way out: risk (hot worker) → order manager with its journal (hot worker, default
 * fsync policy) → engine adapter (main thread) → ZeroMQ PUSH → a PULL socket here. Time from the
 * proposal entering risk's ring to the frame arriving, against a bare PUSH → PULL hop in the same run.
 */
export const orderPathBench: Bench = {
  name: "order-path",
  summary: "proposed order through risk, order manager + journal and engine adapter to a PULL socket",
  async run({ quick }) {
    const n = quick ? 2000 : 10_000;
    const floor = await zmqHopUs(quick ? 2000 : 5000);
    const [ordersPort, eventsPort] = [await freePort(), await freePort()];
    const pull = new zmq.Pull();
    await pull.bind(`tcp://127.0.0.1:${ordersPort}`);
    const sentAt = new Float64Array(n);
    const latencies: number[] = [];
    let ready = false;
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-order-path-"));
    const config = benchConfig(dir, ordersPort, eventsPort);
    const supervisor = await startSystem(
      [
        { name: "venue", module: actorModule("venues/engine"), thread: "main", config },
        { name: "orders", module: actorModule("orders"), thread: "hot", config },
        { name: "risk", module: actorModule("risk"), thread: "hot", config },
        {
          name: "proposer",
          module: compiledUrl(new URL("./actors/proposer.ts", import.meta.url)).href,
          thread: "main",
          config: { count: n, everyMs: 1, onPropose: (seq: number) => (sentAt[seq] = performance.now()), ready: () => ready },
        },
      ],
      { log: pino({ level: process.env.BENCH_LOG ?? "silent" }), logLevel: process.env.BENCH_LOG ?? "silent" },
    );
    try {
      while (supervisor.actorStatus("orders") === undefined) await new Promise((r) => setTimeout(r, 10));
      ready = true;
      const intent = /"intent_id":"b(\d+)"/;
      while (latencies.length < n) {
        const [frame] = await pull.receive();
        const arrived = performance.now();
        const m = intent.exec(frame.toString());
        if (m) latencies.push((arrived - sentAt[Number(m[1])]) * 1000);
      }
    } finally {
      await supervisor.stop();
      pull.close();
    }
    const sorted = sortedCopy(latencies.slice(Math.min(200, n / 10)));
    const p50 = percentile(sorted, 50);
    const floorP50 = percentile(floor, 50);
    return {
      bench: "order_path",
      n,
      p50_us: round(p50, 1),
      p99_us: round(percentile(sorted, 99), 1),
      zmq_hop_p50_us: round(floorP50, 1),
      ratio_to_zmq_hop: round(p50 / floorP50, 2),
    };
  },
};
