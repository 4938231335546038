/**
 * Stop/start and `kill -9` mid-trade against an external venue: the engine stand-in runs as its own
 * process and keeps the record of every fill while the daemon dies. After each restart trading must resume;
 * at the end the daemon's positions, realised PnL and fees must equal what the venue's fills make, no order
 * may have been sent twice, and a restart from the journal alone must give the same positions again.
 *
 * Each restart happens mid-trade: with a position open, the venue starts holding its answers, and the
 * daemon is stopped once one of its orders waits there unanswered. The held answers go to the next
 * incarnation once it listens, seconds after their ack deadline. (The engine wire has no replay: a fill
 * published while no client listens is lost to any client; wire doc, "What latentspeed does not provide".)
 */
import { Daemon, describeExit, type ExitInfo } from "../harness/daemon.js";
import { tradingConfig, writeConfig } from "../harness/configs.js";
import { OrderWatch, openPositions, positionDifferences, positionsOf } from "../harness/observe.js";
import { freePorts } from "../harness/ports.js";
import { VenueProcess } from "../harness/venue.js";
import { poll, sleep } from "../harness/wait.js";
import { seconds, type Scenario, type ScenarioContext, type ScenarioReport } from "../scenario.js";

const ENTRIES_TO_RESUME = 2;
const RESUME_WITHIN_MS = 90_000;
/** IOC ack timeout (3 s) + the hold across a restart + slack: an order open longer has been forgotten. */
const STUCK_AFTER_MS = 30_000;
/** How long the held venue waits for the daemon's next order before the restart goes ahead without one. */
const IN_FLIGHT_WITHIN_MS = 20_000;

type Restart = "SIGINT" | "kill -9";

export const restartEngine: Scenario = {
  name: "restart-engine",
  budgetS: 300,
  async run(ctx: ScenarioContext, report: ScenarioReport) {
    const { scope, progress } = ctx;
    const dir = scope.tempDir("run");
    const [health, trades, books, ordersPort, eventsPort] = await freePorts(5);
    const venue = new VenueProcess(scope, ordersPort, eventsPort);
    await venue.ready();
    const config = writeConfig(
      dir,
      tradingConfig({
        dir,
        ports: { health, trades, books },
        marketFrom: "embedded",
        venue: { ordersPort, eventsPort },
        trade: true,
      }),
    );
    const watch = new OrderWatch(STUCK_AFTER_MS);
    let incarnation = 1;
    let daemon = Daemon.run(scope, `daemon #${incarnation}`, config, health);
    report.faults = "SIGINT + start, kill -9 + start";
    await daemon.waitHealthy();
    progress("healthy; waiting for trades");

    const tradingSince = async (sinceMs: number) =>
      poll(
        async () => {
          await watch.sample(daemon);
          return venue.entriesSince(sinceMs).length >= ENTRIES_TO_RESUME ? true : undefined;
        },
        RESUME_WITHIN_MS,
        1000,
      );
    const traded = await tradingSince(0);
    if (!report.check(traded === true, `no trading within ${RESUME_WITHIN_MS / 1000} s of the start`, daemon)) return;

    for (const how of ["SIGINT", "kill -9"] as Restart[]) {
      const open = await poll(
        () => ([...venue.positions().values()].some((p) => p.qty !== 0) ? true : undefined),
        30_000,
        200,
      );
      // Mid-trade: a position open and an order of the daemon's on its way, unanswered, when it goes.
      await venue.hold();
      await poll(() => (venue.held > 0 ? true : undefined), IN_FLIGHT_WITHIN_MS, 100);
      const exit: ExitInfo & { forced?: boolean } =
        how === "SIGINT" ? await daemon.stop("SIGINT", 20_000) : await daemon.kill9();
      // An order the venue holds unanswered stays open past the stop's deadline: exit 75 says so (docs/orders.md).
      if (how === "SIGINT")
        report.check(
          (exit.code === 0 || exit.code === 75) && exit.forced !== true,
          `SIGINT: the daemon ended with ${describeExit(exit)}${exit.forced ? " after 20 s (killed)" : ""}, not 0 or 75`,
          daemon,
        );
      progress(`${how}: ${open ? "mid-trade" : "no position open"}, ${describeExit(exit)}; starting again`);
      daemon = Daemon.run(scope, `daemon #${++incarnation}`, config, health);
      await daemon.waitStarted();
      // The new incarnation's SUB socket must be subscribed before the held answers are published.
      await sleep(1000);
      const released = await venue.release();
      await daemon.waitHealthy();
      const restartedAt = Date.now();
      const resumed = await tradingSince(restartedAt);
      const entries = venue.entriesSince(restartedAt).length;
      report.check(
        resumed === true,
        `${how}: trading did not resume: ${entries} new entries within ${RESUME_WITHIN_MS / 1000} s of the restart`,
        daemon,
      );
      report.note(
        `${how} ${open ? "with a position open" : "while flat"}, ${released} order(s) in flight across it, ` +
          `${entries} entries in the next ${seconds(Date.now() - restartedAt)}`,
      );
    }

    await venue.hold();
    await sleep(1500);
    const live = await positionsOf(daemon);
    const venuePositions = venue.positions();
    const diffs = positionDifferences(live, venuePositions);
    report.check(diffs.length === 0, `positions differ from the venue's fills: ${diffs.join("; ")}`, daemon);
    report.check(
      venue.duplicates.length === 0,
      `orders sent twice (same cl_id): ${venue.duplicates.slice(0, 5).join(", ")}`,
      daemon,
    );
    const doubled = venue.doubledEntries();
    report.check(doubled.length === 0, `entries sent twice for one intent: ${doubled.slice(0, 5).join(", ")}`, daemon);
    await watch.sample(daemon);
    report.check(
      watch.stuck.size === 0,
      `orders never resolved: ${[...watch.stuck.values()].slice(0, 3).join("; ")}`,
      daemon,
    );

    // The journal alone must rebuild the same account.
    const stopped = await daemon.stop("SIGINT", 20_000);
    // The venue holds its answers, so an order sent just before may still be open at the stop's deadline: exit 75.
    report.check(
      (stopped.code === 0 || stopped.code === 75) && !stopped.forced,
      `final SIGINT ended with ${describeExit(stopped)}, not 0 or 75`,
      daemon,
    );
    // The venue still holds: orders sent since stay unanswered, and the rebuilt daemon may say so in /health.
    daemon = Daemon.run(scope, `daemon #${++incarnation} (journal replay)`, config, health);
    await daemon.waitStarted();
    const rebuilt = await poll(async () => {
      const p = await positionsOf(daemon);
      return p.length > 0 || live.length === 0 ? p : undefined;
    }, 15_000);
    const replayDiffs = positionDifferences(rebuilt ?? [], venuePositions);
    report.check(
      replayDiffs.length === 0,
      `positions rebuilt from the journal differ from the venue's fills: ${replayDiffs.join("; ")}`,
      daemon,
    );
    await daemon.stop("SIGINT", 20_000);
    venue.stop();

    const tally = `${venue.orders.length} orders, ${venue.fills.length} fills at the venue`;
    report.load = `synthetic market, 3 symbols; ${tally}`;
    report.note(`end: ${openPositions(live)}, realised ${sumRealised(venuePositions).toFixed(2)} USD at the venue`);
  },
};

function sumRealised(positions: ReadonlyMap<string, { realizedPnl: number }>): number {
  return [...positions.values()].reduce((s, p) => s + p.realizedPnl, 0);
}
