import { pino } from "pino";
import type { Bench } from "./bench.js";
import { percentile, round, sortedCopy } from "./bench.js";
import { compiledUrl } from "../src/runtime/paths.js";
import { startSystem } from "../src/supervisor/system.js";
import type { Pong } from "../src/protocol/control.js";

const fixture = (name: string) => compiledUrl(new URL(`./actors/${name}.ts`, import.meta.url)).href;

/**
 * How long a crashed actor is out of service. In place: a handler throws on ping k once; the time from the
 * pong of k-1 to the pong of k (retried after the restart) is the crash, the supervisor's decision, the
 * re-init and one hop. With
 * its worker: from `terminate()` to the first pong the new worker produces (a standby worker takes over).
 */
export const restartBench: Bench = {
  name: "restart",
  summary: "crash an actor's handler 20 times, kill its worker 20 times: time until it handles a message again",
  async run({ quick }) {
    const n = 20;
    const arrivals: { id: number; at: number }[] = [];
    const crashOn = Array.from({ length: n }, (_, i) => 1000 + i * 400);
    const supervisor = await startSystem(
      [
        {
          name: "collector",
          module: fixture("collector"),
          thread: "main",
          config: { collect: (p: Pong) => arrivals.push({ id: p.id / 2, at: performance.now() }) },
        },
        { name: "doubler", module: fixture("doubler"), thread: "worker-doubler", config: { crashOn, crashOnce: true } },
        {
          name: "source",
          module: fixture("counter-source"),
          thread: "worker-source",
          config: { count: 1e9, perTick: 20, everyMs: 1 },
        },
      ],
      {
        log: pino({ level: "silent" }),
        logLevel: "silent",
        faultInjection: true,
        // A 10 ms period makes every crash the first of its window: no backoff, the mechanism alone is timed.
        policy: { strategy: "one_for_one", intensity: 1000, periodMs: 10, backoffInitialMs: 1, backoffMaxMs: 1 },
      },
    );
    const waitUntil = async (cond: () => boolean) => {
      while (!cond()) await new Promise((r) => setTimeout(r, 1));
    };
    try {
      await waitUntil(() => arrivals.some((a) => a.id > crashOn[n - 1] + 1));
      const inPlace = crashOn.map((k) => {
        const before = arrivals.find((a) => a.id === k - 1)!;
        const after = arrivals.find((a) => a.id === k)!;
        return after.at - before.at;
      });
      const worker: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await supervisor.killWorkerOf("doubler");
        const seen = arrivals.length;
        await waitUntil(() => arrivals.length > seen);
        worker.push(arrivals[seen].at - t0);
        // Leave time for the next standby worker to load, as a real crash would.
        await new Promise((r) => setTimeout(r, quick ? 400 : 600));
      }
      const a = sortedCopy(inPlace);
      const w = sortedCopy(worker);
      return {
        bench: "restart",
        n,
        actor_p50_ms: round(percentile(a, 50)),
        actor_p99_ms: round(percentile(a, 99)),
        worker_p50_ms: round(percentile(w, 50)),
        worker_p99_ms: round(percentile(w, 99)),
      };
    } finally {
      await supervisor.stop();
    }
  },
};
