import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { compiledUrl } from "../../src/runtime/paths.js";
import { startSystem } from "../../src/supervisor/system.js";
import type { Supervisor } from "../../src/supervisor/supervisor.js";
import { parseConfig } from "../../src/config/index.js";
import { actorModule } from "../../src/supervisor/children.js";
import { actorSections } from "../../src/supervisor/sections.js";
import type { PairsScanned } from "../../src/protocol/signals.js";
import { waitFor } from "../fixtures/wait.js";

const config = parseConfig(
  `
mode: live
market_data: { provider: zmq }
execution: { provider: paper, mode: paper }
strategies:
  - name: s
    type: leadlag
    config: { symbols: [BTC-USDT-PERP, ETH-USDT-PERP], features: [trade], inference_lookback_seconds: 120 }
`,
  { env: {} },
);
const sections = actorSections(config);

let running: Supervisor | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const LEADER_ID = 0;

/** A shard that restarts and its twin that never stops, each holding every pair (shard 0 of 1). */
const shard = (name: string) => ({
  name,
  module: actorModule("estimator"),
  thread: `worker-${name}`,
  config: sections.estimator(0, 1),
});

describe("estimator shard warm restart", () => {
  it(
    "says not_warm while it replays the feed's history, then scans the next jump exactly as a shard that never " +
      "stopped",
    async () => {
      const answers: PairsScanned[] = [];
      let jump: (k: number) => bigint = () => 0n;
      running = await startSystem(
        [
          {
            name: "driver",
            module: compiledUrl(new URL("../fixtures/actors/scan-driver.ts", import.meta.url)).href,
            thread: "main",
            config: {
              leader: "BTC-USDC-PERP",
              lagger: "ETH-USDC-PERP",
              lagMs: 1000,
              seconds: 100,
              startNs: 1_763_000_000_000_000_000n,
              onAnswer: (a: PairsScanned) => answers.push(a),
              register: (fn: (k: number) => bigint) => (jump = fn),
            },
          },
          { name: "feed", module: actorModule("feed"), thread: "worker-feed", config: sections.feed() },
          shard("estimator-0"),
          shard("estimator-twin"),
        ],
        { log: pino({ level: "silent" }), logLevel: "silent", faultInjection: true },
      );
      const of = (jumpTsNs: bigint) => answers.filter((a) => a.leader === LEADER_ID && a.jumpTsNs === jumpTsNs);
      const warmth = (name: string) => running!.actorStatus(name) as { warm: boolean; incarnation: number } | undefined;
      await waitFor(() => warmth("estimator-0")?.warm === true && warmth("estimator-twin")?.warm === true);
      const incarnation = warmth("estimator-0")!.incarnation;
      const first = jump(1);
      await waitFor(() => of(first).length === 2);
      const [before, twinBefore] = of(first).map((a) => a.results.find((r) => r.lagger === 1)!);
      expect(before.status).toBe("ok");
      // The lagger prints 3 ms after the leader's grid, so the HY plateau ends one 50 ms step later.
      expect([1, 1.05]).toContain(before.tauStarS);
      expect(before.rhoStar).toBeGreaterThan(0.8);
      expect(twinBefore).toEqual(before);

      // The restarted shard's replica detectors see the first jump again in the replay, before it is warm.
      expect(running.restartActor("estimator-0")).toBe(true);
      await waitFor(() => of(first).length === 3);
      expect(of(first)[2].results).toEqual([
        {
          lagger: 1,
          feature: "trade",
          status: "not_warm",
          tauStarS: 0,
          rhoStar: 0,
          lls: 0,
          nLeader: 0,
          nLagger: 0,
          passes: false,
        },
      ]);
      await waitFor(() => warmth("estimator-0")!.incarnation > incarnation && warmth("estimator-0")!.warm);
      const second = jump(2);
      await waitFor(() => of(second).length === 2);
      const [after, twinAfter] = of(second).map((a) => a.results.find((r) => r.lagger === 1)!);
      expect(after.status).toBe("ok");
      expect(after.nLeader).toBeGreaterThan(before.nLeader);
      expect(after).toEqual(twinAfter);
    },
  );
});
