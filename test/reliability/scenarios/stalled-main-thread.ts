/**
 * A stalled main thread (finding 3: nothing noticed a main thread that never came back). With the
 * out-of-thread watchdog (`runtime.watchdog.stall_ms`) and its fault injection
 * (`POST /control/actors/NAME/stall`: the actor's next call spins forever), the process must end within
 * the stall limit plus slack, after a log line that names the stalled actor, so that systemd restarts it.
 * A build without the watchdog's config key or route reports the scenario as not available, not failed.
 */
import { Daemon, daemonEnv, describeExit } from "../harness/daemon.js";
import { tradingConfig, writeConfig } from "../harness/configs.js";
import { getJson } from "../harness/http.js";
import { freePorts } from "../harness/ports.js";
import type { Scenario, ScenarioContext, ScenarioReport } from "../scenario.js";

const STALL_MS = 2000;
/** The watchdog checks on its own timer; a few seconds more than the limit is still "bounded". */
const EXIT_WITHIN_MS = STALL_MS + 8000;
/** An actor on the main thread in the default placement. */
const ACTOR = "strategy";

export const stalledMainThread: Scenario = {
  name: "stalled-main-thread",
  budgetS: 180,
  async run({ scope, progress }: ScenarioContext, report: ScenarioReport) {
    const dir = scope.tempDir("run");
    const [health, trades, books] = await freePorts(3);
    const config = tradingConfig({
      dir,
      ports: { health, trades, books },
      marketFrom: "embedded",
      venue: "paper",
      trade: false,
      faultInjection: true,
    });
    (config.runtime as Record<string, unknown>).watchdog = { stall_ms: STALL_MS };
    const configPath = writeConfig(dir, config);
    report.load = "synthetic market, no trading";

    const check = new Daemon(scope, "check-config", undefined, ["check-config", configPath], daemonEnv());
    const checked = await check.waitExit(30_000);
    if (checked?.code !== 0) {
      const why = firstError(check.lines());
      report.notApplicable = `not available: this build refuses runtime.watchdog.stall_ms (${why})`;
      return;
    }

    const daemon = Daemon.run(scope, "daemon", configPath, health);
    await daemon.waitHealthy(90_000);
    const t0 = Date.now();
    const answer = await getJson(health, `/control/actors/${ACTOR}/stall`, { method: "POST" });
    if (answer.status === 404 && JSON.stringify(answer.body).includes("not found")) {
      report.notApplicable = "not available: no POST /control/actors/NAME/stall in this build";
      await daemon.stop("SIGINT", 20_000);
      return;
    }
    if (
      !report.check(
        answer.status === 202,
        `POST /control/actors/${ACTOR}/stall answered ${answer.status} ${JSON.stringify(answer.body)}`,
        daemon,
      )
    )
      return;
    report.faults = `main thread stalled in '${ACTOR}' (stall_ms ${STALL_MS})`;
    progress("stall injected; waiting for the watchdog");

    const exit = await daemon.waitExit(EXIT_WITHIN_MS);
    const ms = Date.now() - t0;
    if (exit === undefined) {
      report.check(false, `still running ${EXIT_WITHIN_MS / 1000} s after the main thread stalled`, daemon);
      await daemon.kill9();
      return;
    }
    report.check(exit.code !== 0, `ended with ${describeExit(exit)}, which a supervisor would not restart`, daemon);
    const named = daemon.grep(new RegExp(`stall.*${ACTOR}|${ACTOR}.*stall`, "i"));
    report.check(named.length > 0, `no log line names the stalled actor '${ACTOR}'`, daemon);
    report.note(`ended (${describeExit(exit)}) ${ms} ms after the stall began`);
  },
};

function firstError(lines: readonly string[]): string {
  return (lines.find((l) => /watchdog/.test(l)) ?? lines.find((l) => l.trim() !== "") ?? "no output")
    .trim()
    .slice(0, 120);
}
