import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as zmq from "zeromq";
import { pino } from "pino";
import type { Bench } from "./bench.js";
import { percentile, round, sortedCopy } from "./bench.js";
import { EngineStandIn } from "./engine-standin.js";
import { freePort } from "../test/fixtures/ports.js";
import { compiledUrl } from "../src/runtime/paths.js";
import { startSystem } from "../src/supervisor/system.js";
import { actorModule } from "../src/supervisor/children.js";
import { parseConfig } from "../src/supervisor/config/index.js";
import { wallClockNs } from "../src/protocol/time.js";

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
 * A proposed order's way out, placed as in the daemon: proposals are made on the hot worker beside risk
 * → order manager with its journal (default fsync policy) → engine adapter on the main thread → ZeroMQ
 * PUSH → an engine stand-in's PULL socket, which acks and fills every order so open-order state stays
 * realistic. Time from the proposal entering risk's mailbox to the frame arriving (wall clocks of the two
 * threads agree to ~3 µs), against a bare PUSH → PULL hop in the same run.
 */
export const orderPathBench: Bench = {
  name: "order-path",
  summary: "proposed order through risk, order manager + journal and engine adapter to a PULL socket",
  async run({ quick }) {
    const n = quick ? 2000 : 10_000;
    const floor = await zmqHopUs(quick ? 2000 : 5000);
    const [ordersPort, eventsPort] = [await freePort(), await freePort()];
    const latencies: number[] = [];
    const intent = /"intent_id":"b\d+-(\d+)"/;
    const engine = new EngineStandIn((frame) => {
      const m = intent.exec(frame);
      if (m) latencies.push(Number(wallClockNs() - BigInt(m[1])) / 1000);
    });
    await engine.start(ordersPort, eventsPort);
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-order-path-"));
    const config = benchConfig(dir, ordersPort, eventsPort);
    const supervisor = await startSystem(
      [
        { name: "venue", module: actorModule("venues/engine"), thread: "main", config },
        { name: "orders", module: actorModule("orders"), thread: "hot", config },
        { name: "risk", module: actorModule("risk"), thread: "hot", config },
        // PGlite, on its own thread, takes a few seconds to open; proposals start after it.
        { name: "proposer", module: compiledUrl(new URL("./actors/proposer.ts", import.meta.url)).href, thread: "hot", config: { count: n, everyMs: 1, startAfterMs: 8000 } },
      ],
      { log: pino({ level: "warn" }), logLevel: "warn" },
    );
    try {
      const deadline = performance.now() + 8000 + n * 5 + 30_000;
      while (latencies.length < n && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await supervisor.stop();
      await engine.stop();
    }
    const sorted = sortedCopy(latencies.slice(Math.min(200, n / 10)));
    const p50 = percentile(sorted, 50);
    const floorP50 = percentile(floor, 50);
    return {
      bench: "order_path",
      n: latencies.length,
      p50_us: round(p50, 1),
      p99_us: round(percentile(sorted, 99), 1),
      zmq_hop_p50_us: round(floorP50, 1),
      ratio_to_zmq_hop: round(p50 / floorP50, 2),
    };
  },
};
