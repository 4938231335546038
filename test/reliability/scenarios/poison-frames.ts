/**
 * The single frames of issue 13's findings 3 and 4, one per symbol so that one cannot hide another:
 * a receipt time above 2^64 (SOL trade), a trade with a huge seq stamped a day ahead (ETH), a checkpoint
 * stamped ten years ahead (BTC: the ATR closed bars one by one up to it and the main thread never came back).
 * After each: no restart, `/health` answers within 2 s, the symbol keeps flowing; at the end SIGTERM stops
 * the daemon. A daemon a poison killed or hung is replaced for the next one.
 */
import { type Daemon, describeExit } from "../harness/daemon.js";
import { farAheadTrade, futureCheckpoint, timestampAbove2To64 } from "../harness/hostile-frames.js";
import { probeHealth } from "../harness/http.js";
import { feedFlow, marketRig, type MarketRig } from "../harness/market-daemon.js";
import type { LegitFrame, OutFrame } from "../harness/market-publisher.js";
import { totalRestarts } from "../harness/observe.js";
import { poll, sleep } from "../harness/wait.js";
import type { Scenario, ScenarioContext, ScenarioReport } from "../scenario.js";

const DAY_NS = 86_400_000_000_000n;
const HEALTH_WITHIN_MS = 2000;
const FLOW_WINDOW_MS = 4000;

interface Poison {
  readonly name: string;
  readonly coin: string;
  readonly stream: "preprocessed_trades" | "preprocessed_book_ckpt";
  /** The feed's seq counter the poison lands in: the one that must keep accepting. */
  readonly counter: "trades" | "book_stream";
  readonly make: (latest: LegitFrame) => OutFrame;
}

const POISONS: readonly Poison[] = [
  {
    name: "receipt time above 2^64",
    coin: "SOL",
    stream: "preprocessed_trades",
    counter: "trades",
    make: timestampAbove2To64,
  },
  {
    name: "trade with seq 2^52 a day ahead",
    coin: "ETH",
    stream: "preprocessed_trades",
    counter: "trades",
    make: (f) => farAheadTrade(f, 2 ** 52, DAY_NS),
  },
  {
    name: "checkpoint ten years ahead",
    coin: "BTC",
    stream: "preprocessed_book_ckpt",
    counter: "book_stream",
    make: (f) => futureCheckpoint(f, 3650n * DAY_NS),
  },
];

export const poisonFrames: Scenario = {
  name: "poison-frames",
  budgetS: 300,
  async run({ scope, progress }: ScenarioContext, report: ScenarioReport) {
    const rig = await marketRig(scope);
    report.badInputs = POISONS.map((p) => p.name).join("; ");
    report.load = "runner-published synthetic market, 3 symbols";
    let daemon: Daemon | undefined;
    let incarnation = 0;
    for (const poison of POISONS) {
      if (daemon === undefined || !daemon.alive) {
        daemon = rig.start(`daemon #${++incarnation}`);
        await daemon.waitHealthy(90_000);
        await sleep(6000);
      }
      progress(`${poison.name} on ${poison.coin}`);
      const survived = await tryPoison(rig, daemon, poison, report);
      if (!survived) {
        // Hung or dead: nothing more to learn from this process.
        await daemon.stop("SIGKILL", 5000);
        daemon = undefined;
      }
    }
    if (daemon !== undefined) {
      const t0 = Date.now();
      const stopped = await daemon.stop("SIGTERM", 10_000);
      report.check(
        stopped.code === 0 && !stopped.forced,
        `SIGTERM after the poisons: ${stopped.forced ? "ignored for 10 s (killed)" : describeExit(stopped)}`,
        daemon,
      );
      report.note(`SIGTERM → exit in ${Date.now() - t0} ms`);
    }
    report.note(`${incarnation} daemon${incarnation > 1 ? "s" : ""} for ${POISONS.length} poisons`);
  },
};

/** Sends one poison frame and checks what must hold after it; false when the daemon is dead or hung. */
async function tryPoison(rig: MarketRig, daemon: Daemon, poison: Poison, report: ScenarioReport): Promise<boolean> {
  const topic = `${rig.publisher.exchange}-${poison.stream}-${poison.coin}-USDC-PERP`;
  const latest = await poll(() => rig.publisher.latestOf(topic), 10_000, 100);
  if (!report.check(latest !== undefined, `${poison.name}: no legitimate ${topic} to copy`)) return true;
  const restartsBefore = await totalRestarts(daemon);
  await rig.publisher.inject([poison.make(latest!)]);
  await sleep(1000);
  const health = await probeHealth(daemon.healthPort!, HEALTH_WITHIN_MS);
  const answered = report.check(
    health.status !== undefined,
    `${poison.name}: /health did not answer within ${HEALTH_WITHIN_MS} ms (${health.error})`,
    daemon,
  );
  if (
    !report.check(
      daemon.alive,
      `${poison.name}: the daemon exited (${daemon.exitInfo && describeExit(daemon.exitInfo)})`,
      daemon,
    )
  )
    return false;
  if (!answered) return false;
  const before = (await feedFlow(daemon, poison.counter)).get(poison.coin)?.accepted ?? 0;
  await sleep(FLOW_WINDOW_MS);
  const after = (await feedFlow(daemon, poison.counter)).get(poison.coin);
  const restarts = (await totalRestarts(daemon)) - restartsBefore;
  report.check(restarts === 0, `${poison.name}: ${restarts} actor restart(s)`, daemon);
  report.check(
    after !== undefined && after.accepted > before,
    `${poison.name}: ${poison.coin} ${poison.counter} stopped flowing ` +
      `(${before} → ${after?.accepted ?? 0} accepted in ${FLOW_WINDOW_MS / 1000} s)`,
    daemon,
  );
  report.check(after?.stale === false, `${poison.name}: ${poison.coin} stale`, daemon);
  return true;
}
