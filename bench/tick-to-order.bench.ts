import type { Bench } from "./bench.js";
import { percentile, round } from "./bench.js";
import { runDecisionHarness, zmqRoundTripUs } from "./decision-harness.js";

/**
 * Marketstream trade published → the engine adapter's order frame received, with a bare ZeroMQ round trip as the floor.
 */
export const tickToOrderBench: Bench = {
  name: "tick-to-order",
  summary:
    "trade published in marketstream format → order received on the engine's PULL socket, vs a bare ZeroMQ round trip",
  async run({ quick }) {
    const floor = await zmqRoundTripUs(quick ? 2000 : 5000);
    const s = await runDecisionHarness(quick ? 45_000 : 150_000);
    const p50 = percentile(s.tickToOrderUs, 50);
    const floorP50 = percentile(floor, 50);
    return {
      bench: "tick_to_order",
      n: s.tickToOrderUs.length,
      p50_us: round(p50, 1),
      p99_us: round(percentile(s.tickToOrderUs, 99), 1),
      zmq_roundtrip_p50_us: round(floorP50, 1),
      ratio_to_zmq_roundtrip: round(p50 / floorP50, 2),
      // The same run's decision (trade received → order out of the strategy): the rest is the hop in, risk,
      // the order manager with its journal, the engine adapter and the hop out.
      decision_p50_us: round(percentile(s.decisionUs, 50), 1),
      // Trade received by the bridge → order handed to ZeroMQ: the daemon's own part, without either transport hop.
      daemon_p50_us: round(percentile(s.daemonUs, 50), 1),
      daemon_p99_us: round(percentile(s.daemonUs, 99), 1),
    };
  },
};
