import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as zmq from "zeromq";
import { pino } from "pino";
import type { Bench } from "./bench.js";
import { percentile, round, sortedCopy } from "./bench.js";
import { startPeer } from "./peer.js";
import { syscallCost } from "./syscall-cost.js";
import { recordEngineHandoffs } from "./engine-standin.js";
import type { EngineArrival, EnginePeerData } from "./workers/engine-peer.js";
import { freePort } from "./ports.js";
import { compiledUrl } from "../src/runtime/paths.js";
import { startSystem } from "../src/supervisor/system.js";
import { actorModule, hotThreadOf, spinPlan } from "../src/supervisor/children.js";
import { actorSections } from "../src/supervisor/sections.js";
import { parseConfig } from "../src/config/index.js";
import { wallClockNs } from "../src/runtime/clock.js";

/** Keys of the bare frames' send stamps: before the daemon starts, and while it works. */
const QUIET_FLOOR = "floor_ns";
const LOADED_FLOOR = "loaded_floor_ns";
const floorStamp = (key: string): RegExp => new RegExp(`^\\{"${key}":"(\\d+)"\\}$`);
const INTENT_STAMP = /"intent_id":"b\d+-(\d+)"/;

/**
 * The floor: bare PUSH frames from this thread to the engine stand-in's PULL on its thread, one every
 * millisecond (the proposals' pace, so each travels alone and wakes the receiver as an order does).
 */
async function sendFloorFrames(port: number, n: number, key: string): Promise<void> {
  const push = new zmq.Push({ linger: 1000 });
  push.connect(`tcp://127.0.0.1:${port}`);
  for (let i = 0; i < n; i++) {
    await push.send(`{"${key}":"${wallClockNs()}"}`);
    await new Promise((r) => setTimeout(r, 1));
  }
  push.close();
}

/** µs from each stamp (epoch ns inside the frame, matched by `stamp`) to the frame's arrival. */
function arrivalLatencies(arrivals: readonly EngineArrival[], stamp: RegExp): number[] {
  const out: number[] = [];
  for (const a of arrivals) {
    const m = stamp.exec(a.frame);
    if (m) out.push(Number(a.arrivedNs - BigInt(m[1])) / 1000);
  }
  return out;
}

function benchConfig(dir: string, ordersPort: number, eventsPort: number) {
  return parseConfig(
    `
mode: live
runtime:
  account_id: bench-${process.pid}
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")} }
  placement: ${process.env.LEADLAG_BENCH_PLACEMENT ?? "{}"}
  spin: ${process.env.LEADLAG_BENCH_SPIN ?? "{}"}
market_data: { provider: zmq }
execution: { provider: zmq, mode: paper, host: 127.0.0.1, orders_port: ${ordersPort}, events_port: ${eventsPort} }
initial_balance: { USDC: 1000000000000 }
strategies: [{ name: bench, type: leadlag, config: { symbols: [BTC-USDT-PERP, ETH-USDT-PERP] } }]
risk:
  global:
    max_notional_per_order: 1000000000
    max_ord_rate_per_sec: 1000000
    max_open_orders: 100000000
    reject_on_stale_data_ms: 600000
  portfolio: { max_gross_usd: 1000000000000 }
  perps: { max_order_notional_usd: 1000000000 }
`,
    { env: {} },
  );
}

/**
 * A proposed order's way out, placed as in the daemon (`runtime.placement`; `LEADLAG_BENCH_PLACEMENT`
 * tries others): proposals are made on the hot thread beside risk → order manager with its journal
 * (default fsync policy) → engine adapter → ZeroMQ PUSH → an engine stand-in's PULL socket on a thread of
 * its own, which acks and fills every order so open-order state stays realistic. Time from the proposal
 * entering risk's mailbox to the frame arriving (the two threads' wall clocks agree to a few µs:
 * docs/benchmarks.md), against a bare PUSH → PULL hop in the same run. One proposal per
 * `LEADLAG_BENCH_PACE_MS` (default 1): at a slower pace every hop runs cold and costs more (see
 * `syscall_after_idle_us`, docs/benchmarks.md). `handoff_*`: the same proposals until the engine venue
 * hands their frame to ZeroMQ, the daemon's own part of the path.
 */
export const orderPathBench: Bench = {
  name: "order-path",
  summary: "proposed order through risk, order manager + journal and engine adapter to a PULL socket",
  async run({ quick }) {
    const n = quick ? 2000 : 10_000;
    const paceMs = Number(process.env.LEADLAG_BENCH_PACE_MS ?? 1);
    const syscall = await syscallCost();
    const [ordersPort, eventsPort] = [await freePort(), await freePort()];
    const engineData: EnginePeerData = { ordersPort, eventsPort, expectPlaces: n };
    const engine = await startPeer<EngineArrival[]>(new URL("./workers/engine-peer.ts", import.meta.url), engineData);
    await sendFloorFrames(ordersPort, quick ? 2000 : 5000, QUIET_FLOOR);
    let arrivals: EngineArrival[] = [];
    const handoffs = recordEngineHandoffs();
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-order-path-"));
    const config = benchConfig(dir, ordersPort, eventsPort);
    const hot = hotThreadOf(config);
    const sections = actorSections(config);
    const supervisor = await startSystem(
      [
        { name: "venue", module: actorModule("venues/engine"), thread: "main", config: sections.engineVenue() },
        { name: "orders", module: actorModule("orders"), thread: hot, config: sections.orders() },
        { name: "risk", module: actorModule("risk"), thread: hot, config: sections.risk() },
        // PGlite, on its own thread, takes a few seconds to open; proposals start after it.
        {
          name: "proposer",
          module: compiledUrl(new URL("./actors/proposer.ts", import.meta.url)).href,
          thread: hot,
          config: { count: n, everyMs: paceMs, startAfterMs: 8000 },
        },
      ],
      {
        log: pino({ level: "warn" }),
        logLevel: "warn",
        spinUs: spinPlan(config),
        rehearseEveryUs: config.runtime.spin.rehearse_every_us,
      },
    );
    // The same bare hop while the daemon works, between its proposals: what the transport alone costs under this load.
    const loadedFloor = new Promise((r) => setTimeout(r, 8500)).then(() =>
      sendFloorFrames(ordersPort, n / 2, LOADED_FLOOR),
    );
    try {
      const deadline = new Promise((r) => setTimeout(r, 8000 + n * 5 + 30_000).unref());
      await Promise.race([engine.done, deadline]);
      await loadedFloor;
    } finally {
      await supervisor.stop();
      arrivals = await engine.stop();
      handoffs.restore();
    }
    const latencies = arrivalLatencies(arrivals, INTENT_STAMP);
    const floor = sortedCopy(arrivalLatencies(arrivals, floorStamp(QUIET_FLOOR)));
    const loaded = sortedCopy(arrivalLatencies(arrivals, floorStamp(LOADED_FLOOR)));
    const warmUp = Math.min(200, n / 10);
    const sorted = sortedCopy(latencies.slice(warmUp));
    const ownPart = sortedCopy(arrivalLatencies(handoffs.handoffs, INTENT_STAMP).slice(warmUp));
    const p50 = percentile(sorted, 50);
    const floorP50 = percentile(floor, 50);
    return {
      bench: "order_path",
      n: latencies.length,
      p50_us: round(p50, 1),
      p99_us: round(percentile(sorted, 99), 1),
      zmq_hop_p50_us: round(floorP50, 1),
      zmq_hop_p99_us: round(percentile(floor, 99), 1),
      ratio_to_zmq_hop: round(p50 / floorP50, 2),
      loaded_hop_p50_us: round(percentile(loaded, 50), 1),
      loaded_hop_p99_us: round(percentile(loaded, 99), 1),
      handoff_p50_us: round(percentile(ownPart, 50), 1),
      handoff_p99_us: round(percentile(ownPart, 99), 1),
      pace_ms: paceMs,
      syscall_hot_us: round(syscall.hotUs, 1),
      syscall_after_idle_us: round(syscall.afterIdleUs, 1),
    };
  },
};
