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

describe("estimator shard warm restart", () => {
  it("answers a scan with the same lead-lag right after a crash, from the feed's history replay", async () => {
    const answers: PairsScanned[] = [];
    let scan: (id: number) => void = () => undefined;
    running = await startSystem(
      [
        {
          name: "driver",
          module: compiledUrl(new URL("../fixtures/actors/scan-driver.ts", import.meta.url)).href,
          thread: "main",
          config: {
            leader: "BTC-USDC-PERP",
            lagger: "ETH-USDC-PERP",
            leaderId: 0,
            lagMs: 1000,
            seconds: 100,
            startNs: 1_763_000_000_000_000_000n,
            onAnswer: (a: PairsScanned) => answers.push(a),
            register: (fn: (id: number) => void) => (scan = fn),
          },
        },
        { name: "feed", module: actorModule("feed"), thread: "worker-feed", config: sections.feed() },
        {
          name: "estimator-0",
          module: actorModule("estimator"),
          thread: "worker-estimator",
          config: sections.estimator(0, 1),
        },
      ],
      { log: pino({ level: "silent" }), logLevel: "silent", faultInjection: true },
    );
    await new Promise((r) => setTimeout(r, 500));
    scan(1);
    await waitFor(() => answers.length === 1);
    const before = answers[0].results.find((r) => r.lagger === 1)!;
    expect(before.status).toBe("ok");
    // The lagger prints 3 ms after the leader's grid, so the HY plateau ends one 50 ms step later.
    expect([1, 1.05]).toContain(before.tauStarS);
    expect(before.rhoStar).toBeGreaterThan(0.8);

    // The crash fires on the shard's next message: a scan, retried by the restarted shard.
    expect(running.crashActor("estimator-0")).toBe(true);
    await new Promise((r) => setTimeout(r, 100)); // the command lands before the scan that trips it
    scan(2);
    await waitFor(
      () => answers.length === 2 && running!.actors().find((a) => a.name === "estimator-0")!.restarts === 1,
    );
    // That scan is answered by the restarted shard once the feed's replay is in: no market data came since.
    const after = answers[1].results.find((r) => r.lagger === 1)!;
    expect(after).toMatchObject({ status: "ok", nLeader: before.nLeader, nLagger: before.nLagger });
    expect(after.tauStarS).toBeCloseTo(before.tauStarS, 9);
    expect(after.rhoStar).toBeCloseTo(before.rhoStar, 9);
  });
});
