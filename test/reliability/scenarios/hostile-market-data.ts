/**
 * The hostile market-data mix: 20,000 random, malformed, oversized, out-of-order, duplicated and badly framed
 * frames, published in the marketstream wire format by the runner on the very sockets the daemon
 * subscribes to, between the legitimate messages of the synthetic market. No actor may restart, memory must
 * stay flat, every symbol must keep flowing and `/health` must answer throughout.
 */
import { probeHealth } from "../harness/http.js";
import { hostileFrames, seededRandom, type HostileKind } from "../harness/hostile-frames.js";
import { coins, feedFlow, marketRig } from "../harness/market-daemon.js";
import { metricsOf, settledRss, totalRestarts } from "../harness/observe.js";
import { sumBy } from "../prometheus.js";
import { sleep } from "../harness/wait.js";
import type { Scenario, ScenarioContext, ScenarioReport } from "../scenario.js";

const FRAMES = 20_000;
const BATCH = 200;
const PAUSE_MS = 50;
/** Flat: RSS after the storm (and a settling pause) at most this much above before it. */
const RSS_GROWTH_LIMIT = 1.15;
const HEALTH_WITHIN_MS = 2000;

export const hostileMarketData: Scenario = {
  name: "hostile-market-data",
  budgetS: 240,
  async run({ scope, progress }: ScenarioContext, report: ScenarioReport) {
    const rig = await marketRig(scope);
    const daemon = rig.start("daemon");
    await daemon.waitHealthy(90_000);
    // Books become valid at their first checkpoint, the embedded database loads: the baseline waits for both.
    const rssBefore = await settledRss(daemon);
    const restartsBefore = await totalRestarts(daemon);
    const dropsBefore = sumBy(await metricsOf(daemon), "leadlag_feed_drops_total", "reason");
    progress(`publishing ${FRAMES} hostile frames`);

    const random = seededRandom(13);
    const byKind = new Map<HostileKind, number>();
    let bytes = 0;
    let healthWorst = 0;
    const healthFailures: string[] = [];
    let storming = true;
    const healthPoller = (async () => {
      while (storming) {
        const h = await probeHealth(rig.health, HEALTH_WITHIN_MS);
        healthWorst = Math.max(healthWorst, h.ms);
        if (h.status === undefined) healthFailures.push(h.error ?? "no answer");
        await sleep(250);
      }
    })();
    const legitBefore = rig.publisher.stats().legit;
    for (let sent = 0; sent < FRAMES; sent += BATCH) {
      const batch = hostileFrames(rig.publisher.recent(), Math.min(BATCH, FRAMES - sent), random, sent);
      for (const [k, n] of batch.byKind) byKind.set(k, (byKind.get(k) ?? 0) + n);
      bytes += batch.bytes;
      await rig.publisher.inject(batch.frames);
      await sleep(PAUSE_MS);
      if (!daemon.alive) break;
    }
    storming = false;
    await healthPoller;
    const legitDuring = rig.publisher.stats().legit - legitBefore;
    report.badInputs = `${FRAMES.toLocaleString("en")} frames of ${byKind.size} kinds, ${(bytes / 1e6).toFixed(0)} MB`;
    if (!report.check(daemon.alive, "the daemon exited during the storm", daemon)) return;

    const rssAfter = await settledRss(daemon, 30_000);
    const restarts = (await totalRestarts(daemon)) - restartsBefore;
    report.check(restarts === 0, `${restarts} actor restarts during the storm`, daemon);
    report.check(
      healthFailures.length === 0,
      `/health did not answer ${healthFailures.length} times during the storm (${healthFailures[0]})`,
      daemon,
    );
    report.check(
      healthWorst <= HEALTH_WITHIN_MS,
      `/health took up to ${healthWorst.toFixed(0)} ms during the storm`,
      daemon,
    );
    report.check(
      rssAfter <= rssBefore * RSS_GROWTH_LIMIT,
      `RSS grew from ${rssBefore.toFixed(0)} to ${rssAfter.toFixed(0)} MB`,
      daemon,
    );

    const flowA = await feedFlow(daemon);
    await sleep(3000);
    const flowB = await feedFlow(daemon);
    for (const coin of coins(rig.config)) {
      const a = flowA.get(coin)?.accepted ?? 0;
      const b = flowB.get(coin);
      report.check(
        b !== undefined && b.accepted > a,
        `${coin} stopped flowing after the storm (${a} → ${b?.accepted ?? 0} messages in 3 s)`,
        daemon,
      );
      report.check(b?.stale === false, `${coin} stale after the storm`, daemon);
    }
    const dropsAfter = sumBy(await metricsOf(daemon), "leadlag_feed_drops_total", "reason");
    const drops = [...dropsAfter]
      .map(([reason, n]) => [reason, n - (dropsBefore.get(reason) ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1]);
    const dropped = drops.reduce((s, [, n]) => s + n, 0);
    const stopped = await daemon.stop("SIGINT", 20_000);
    report.check(
      stopped.code === 0 && !stopped.forced,
      `SIGINT after the storm: exit ${stopped.code ?? stopped.signal}`,
      daemon,
    );

    report.load = `runner-published synthetic market, ${legitDuring} legitimate messages during the storm`;
    report.note(
      `${dropped} counted drops (${drops
        .slice(0, 4)
        .map(([r, n]) => `${r} ${n}`)
        .join(", ")}, …)`,
    );
    report.note(`RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MB; /health worst ${healthWorst.toFixed(0)} ms`);
  },
};
