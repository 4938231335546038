/**
 * Issue 13's finding 1 as a user meets it: `npm start` (configs/paper.yaml, the embedded paper venue),
 * Ctrl-C, `npm start` — and the same after `kill -9`. The demo is sped up (jumps every ~8 s, 1 s ATR bars,
 * 15 s time limit), nothing else changed. After each restart trading must resume within two minutes:
 * new entries that fill, and no order left open (an IOC whose fill was dropped stays `accepted` forever and
 * its executor blocks every later jump).
 */
import { Daemon, describeExit } from "../harness/daemon.js";
import { fasterPaperDemo, writeConfig } from "../harness/configs.js";
import { OrderWatch, openPositions, positionsOf } from "../harness/observe.js";
import { freePorts } from "../harness/ports.js";
import { poll } from "../harness/wait.js";
import { seconds, type Scenario, type ScenarioContext, type ScenarioReport } from "../scenario.js";

const ENTRIES_TO_RESUME = 2;
const RESUME_WITHIN_MS = 120_000;
/** The IOC ack timeout is 3 s; an order open for 20 s will not be closed by any report. */
const STUCK_AFTER_MS = 20_000;

export const restartPaper: Scenario = {
  name: "restart-paper",
  budgetS: 480,
  async run({ scope, progress }: ScenarioContext, report: ScenarioReport) {
    const dir = scope.tempDir("run");
    const [health, trades, books] = await freePorts(3);
    const config = writeConfig(dir, fasterPaperDemo(dir, { health, trades, books }, false));
    const watch = new OrderWatch(STUCK_AFTER_MS);
    let incarnation = 1;
    let daemon = Daemon.run(scope, `npm start #${incarnation}`, config, health);
    report.faults = "SIGINT (Ctrl-C) + start, kill -9 + start";
    await daemon.waitHealthy(90_000);
    progress("healthy; waiting for filled entries");

    const filledEntriesSince = (sinceMs: number) =>
      poll(
        async () => {
          await watch.sample(daemon);
          return watch.filledEntriesSince(sinceMs).length >= ENTRIES_TO_RESUME ? true : undefined;
        },
        RESUME_WITHIN_MS,
        1000,
      );
    const traded = await filledEntriesSince(0);
    if (!report.check(traded === true, `no filled entries within ${RESUME_WITHIN_MS / 1000} s of the start`, daemon)) {
      return;
    }

    for (const how of ["SIGINT", "kill -9"] as const) {
      const open = await poll(
        async () => ((await positionsOf(daemon)).some((p) => p.qty !== 0) ? true : undefined),
        30_000,
        300,
      );
      const exit =
        how === "SIGINT" ? await daemon.stop("SIGINT", 20_000) : { ...(await daemon.kill9()), forced: false };
      if (how === "SIGINT")
        report.check(
          exit.code === 0 && !exit.forced,
          `Ctrl-C: the daemon ended with ${describeExit(exit)}, not exit 0`,
          daemon,
        );
      progress(`${how}: ${open ? "mid-trade" : "flat"}, ${describeExit(exit)}; npm start again`);
      daemon = Daemon.run(scope, `npm start #${++incarnation}`, config, health);
      await daemon.waitHealthy(90_000);
      const restartedAt = Date.now();
      const resumed = await filledEntriesSince(restartedAt);
      const filled = watch.filledEntriesSince(restartedAt).length;
      const placed = watch.entriesSince(restartedAt).length;
      report.check(
        resumed === true,
        `after ${how}: trading did not resume: ${placed} entries placed, ${filled} filled ` +
          `within ${RESUME_WITHIN_MS / 1000} s` +
          (watch.stuck.size > 0 ? `; stuck: ${[...watch.stuck.values()].slice(0, 2).join("; ")}` : ""),
        daemon,
      );
      report.note(
        `${how} ${open ? "mid-trade" : "while flat"}: ${filled} filled entries in ${seconds(Date.now() - restartedAt)}`,
      );
    }
    await watch.sample(daemon);
    report.check(
      watch.stuck.size === 0,
      `orders never resolved: ${[...watch.stuck.values()].slice(0, 3).join("; ")}`,
      daemon,
    );
    const positions = await positionsOf(daemon);
    const stopped = await daemon.stop("SIGINT", 20_000);
    report.check(stopped.code === 0 && !stopped.forced, `final Ctrl-C ended with ${describeExit(stopped)}`, daemon);
    report.load = `configs/paper.yaml sped up; ${watch.count} orders`;
    report.note(`end: ${openPositions(positions)}`);
  },
};
