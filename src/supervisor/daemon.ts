import { startStatusLine, tradingStatus } from "./status-line.js";
import type { Logger } from "pino";
import { setTimeout as sleep } from "node:timers/promises";
import path from "node:path";
import { loadConfig, readConfigText, ConfigError, configHash, type Config } from "../config/index.js";
import { assertReportWritable, runReport, writeRunReport } from "./run-report.js";
import { shadowTapSection } from "../actors/shadow-tap/section.js";
import type { OrdersStatus } from "../protocol/status.js";
import { createTapSlots, ShadowGroups } from "./shadows/groups.js";
import { registerShadowRoutes } from "./shadows/routes.js";
import { attachConfiguredShadows } from "./shadows/at-start.js";
import { preClose, preCloseOptions, type PreCloseOptions } from "./pre-close.js";
import { createLogger } from "../runtime/logger.js";
import { childSpecsFor, spinPlan } from "./children.js";
import { ControlServer } from "./http.js";
import { DaemonMetrics } from "./metrics.js";
import { resolveChildSpecs, type ResolvedChildSpec } from "./child-spec.js";
import { resolveStart, StartResolutionError, type StartResolution } from "./sections.js";
import { loadDefs } from "./system.js";
import { buildTopology } from "./topology.js";
import { Supervisor } from "./supervisor.js";
import { registerControlRoutes } from "./control-routes.js";
import { LocalJournal } from "../actors/orders/journal/local-log.js";
import { registerFaultRoutes } from "./fault-routes.js";
import { NotifyUnavailable, systemdNotifier, type ServiceNotifier } from "./sd-notify.js";
import { MainThreadWatchdog } from "./watchdog.js";
import { EventLoopLag } from "./event-loop-lag.js";

export interface RunOptions {
  readonly profile?: string;
  /** The operator's confirmation that real money may be traded (`--live`). */
  readonly confirmLive: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** `--log-level`, already a pino level name: overrides `observability.logging.level`. */
  readonly logLevel?: string;
  /** `--structured-logging`: JSON lines whatever `observability.logging.structured` says. */
  readonly structuredLogging?: boolean;
  /** `--report-json FILE`: the run report written when the daemon stops (supervisor/run-report.ts). */
  readonly reportJson?: string;
}

/**
 * Exit codes: 0 clean stop, 2 bad config or refused start, 70 supervisor escalation, 75 (EX_TEMPFAIL) a stop
 * that left orders or positions open past `runtime.shutdown.timeout_ms`.
 */
export const EXIT_ESCALATED = 70;
export const EXIT_LEFT_OPEN = 75;

export const LIVE_CONFIRM_ENV = "LEADLAG_CONFIRM_LIVE";

/** Real money: a live engine venue with live execution mode. */
export function tradesRealMoney(config: Config): boolean {
  return config.mode === "live" && config.execution.provider === "zmq" && config.execution.mode === "live";
}

/**
 * Runs the daemon until SIGTERM/SIGINT (exit 0) or a supervisor escalation (exit 70). Bad config and
 * refused starts return 2 before anything is started.
 */
export async function runDaemon(configPath: string, options: RunOptions): Promise<number> {
  const env = options.env ?? process.env;
  let config: Config;
  let configText: string;
  try {
    config = await loadConfig(configPath, { profile: options.profile, env });
    // Kept for shadows: a `set` shadow is this file with its values written over (docs/shadow.md).
    configText = await readConfigText(configPath);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(err.message + "\n");
    return 2;
  }
  if (config.mode === "backtest") {
    process.stderr.write(`leadlag: ${configPath} has mode: backtest; run it with leadlag backtest ${configPath}\n`);
    return 2;
  }
  if (tradesRealMoney(config) && !options.confirmLive && env[LIVE_CONFIRM_ENV] !== "yes") {
    process.stderr.write(
      `leadlag: ${configPath} trades real money (execution.mode: live); confirm with --live or ` +
        `${LIVE_CONFIRM_ENV}=yes\n`,
    );
    return 2;
  }
  if (options.reportJson !== undefined) {
    try {
      assertReportWritable(options.reportJson);
    } catch (err) {
      process.stderr.write(`leadlag: ${(err as Error).message}\n`);
      return 2;
    }
  }
  try {
    // One daemon per data directory: a second one would write the same journal.
    LocalJournal.assertFree(config.runtime.journal.path);
  } catch (err) {
    process.stderr.write(`leadlag: ${(err as Error).message}\n`);
    return 2;
  }
  let start: StartResolution;
  try {
    // The symbol rules and artifacts are read here, once; a file that cannot be used stops the start.
    start = resolveStart(config);
  } catch (err) {
    if (!(err instanceof StartResolutionError)) throw err;
    process.stderr.write(`leadlag: ${err.message}\n`);
    return 2;
  }
  const closing = preCloseOptions(config, start.registry);
  const logging = {
    ...config.observability.logging,
    level: options.logLevel ?? config.observability.logging.level,
    structured: options.structuredLogging === true || config.observability.logging.structured,
  };
  const log = createLogger({
    level: logging.level,
    structured: logging.structured,
    file:
      logging.file === null
        ? null
        : { path: logging.file, maxSizeMb: logging.max_size_mb, maxFiles: logging.max_files },
  });
  const logOutput = { structured: logging.structured, toFile: logging.file !== null };
  const startedAt = Date.now();
  let notifier: ServiceNotifier;
  try {
    notifier = systemdNotifier(env, log);
  } catch (err) {
    if (!(err instanceof NotifyUnavailable)) throw err;
    process.stderr.write(`leadlag: ${err.message}\n`);
    return 2;
  }
  let children: ResolvedChildSpec[];
  const tapSlots = createTapSlots();
  try {
    children = resolveChildSpecs(childSpecsFor(config, undefined, start, shadowTapSection(config, tapSlots)));
  } catch (err) {
    if (!(err instanceof StartResolutionError)) throw err;
    process.stderr.write(`leadlag: ${err.message}\n`);
    return 2;
  }
  const topology = buildTopology(children, await loadDefs(children));
  let supervisor: Supervisor | undefined;
  const metrics = new DaemonMetrics(topology, () => supervisor, log);
  const sup = config.runtime.supervisor;
  const watchdogConfig = config.runtime.watchdog;
  const watchdog = watchdogConfig.enabled
    ? new MainThreadWatchdog({
        stallMs: watchdogConfig.stall_ms,
        mainDoorbell: topology.doorbells.main,
        actors: topology.children.map((c) => c.name),
        logLevel: logging.level,
        logOutput,
        log,
      })
    : undefined;
  if (watchdog && notifier.watchdogMs !== undefined && notifier.watchdogMs / 2 <= watchdogConfig.stall_ms) {
    log.warn(
      { watchdogSecMs: notifier.watchdogMs, stallMs: watchdogConfig.stall_ms },
      "systemd's WatchdogSec is under twice runtime.watchdog.stall_ms: " +
        "systemd may kill a stalled daemon before the watchdog names the actor",
    );
  }
  // What the live supervisor and each shadow group's own supervisor share.
  const supervision = {
    policy: {
      strategy: sup.strategy,
      intensity: sup.intensity,
      periodMs: sup.period_s * 1000,
      backoffInitialMs: sup.backoff_initial_ms,
      backoffMaxMs: sup.backoff_max_ms,
    },
    heartbeatTimeoutMs: sup.heartbeat_timeout_ms,
    blockDeadlineMs: 5000,
    faultInjection: config.runtime.control.fault_injection,
    logLevel: logging.level,
    logOutput,
    metricsEveryMs: config.observability.metrics_aggregator.poll_interval_sec * 1000,
    startTimeoutMs: 15_000,
    log,
  };
  supervisor = new Supervisor(topology, {
    ...supervision,
    spinUs: spinPlan(config),
    rehearseEveryUs: config.runtime.spin.rehearse_every_us,
    // Every stop (a signal, an escalation, a failed start) stands the watchdog down first: a stop is no stall.
    onStopping: () => {
      watchdog?.stop();
      notifier.stopping();
    },
    onMetrics: (samples) => metrics.ingest(samples),
  });
  const shadows = new ShadowGroups({
    live: config,
    liveText: configText,
    profile: options.profile,
    env,
    start,
    slots: tapSlots,
    dir: path.join(path.dirname(config.runtime.journal.path), "shadows"),
    supervisor: supervision,
    onMetrics: (samples) => metrics.ingest(samples),
    liveEquity: () =>
      metrics.total("realized_pnl_usd", { actor: "strategy" }) +
      metrics.total("unrealized_pnl_usd", { actor: "strategy" }),
    log,
  });

  const health = config.observability.health_server;
  let server: ControlServer | undefined;
  if (health.enabled) {
    try {
      server = new ControlServer({ host: health.host, port: health.port, token: config.runtime.control.token, log });
      const lag = new EventLoopLag();
      lag.start();
      const maxEventLoopLagMs = health.max_event_loop_lag_ms;
      const eventLoopLag = () => lag.lastWindow();
      registerControlRoutes(server, supervisor, metrics, { startedAt, maxEventLoopLagMs, eventLoopLag });
      registerFaultRoutes(server, supervisor);
      registerShadowRoutes(server, shadows, {
        faultInjection: config.runtime.control.fault_injection,
        total: (name, where) => metrics.total(name, where),
        liveDecisionsCsv: config.strategies[0].config.decision_scores_csv_path,
        liveOrders: () => supervisor?.actorStatus("orders") as OrdersStatus | undefined,
      });
      await server.listen();
    } catch (err) {
      notifier.close();
      process.stderr.write(`leadlag: ${(err as Error).message}\n`);
      return 2;
    }
  }
  try {
    const healthUrl = server ? `http://${health.host}:${health.port}` : undefined;
    const metricsAggregator = config.observability.metrics_aggregator;
    const report =
      options.reportJson === undefined
        ? undefined
        : {
            file: options.reportJson,
            mode: config.mode,
            configHash: configHash(config),
            metricsEveryMs: config.observability.metrics_aggregator.poll_interval_sec * 1000,
          };
    const info = { configPath, startedAt, healthUrl, closing, metricsAggregator, report, shadows: config.shadows };
    return await supervise(supervisor, server, { log, watchdog, notifier, metrics, shadows }, info);
  } finally {
    notifier.close();
  }
}

interface ReportOptions {
  readonly file: string;
  readonly mode: string;
  readonly configHash: string;
  readonly metricsEveryMs: number;
}

interface Guards {
  readonly log: Logger;
  readonly watchdog: MainThreadWatchdog | undefined;
  readonly notifier: ServiceNotifier;
  readonly metrics: DaemonMetrics;
  readonly shadows: ShadowGroups;
}

async function supervise(
  supervisor: Supervisor,
  server: ControlServer | undefined,
  { log, watchdog, notifier, metrics, shadows }: Guards,
  info: {
    configPath: string;
    startedAt: number;
    healthUrl: string | undefined;
    closing: PreCloseOptions;
    metricsAggregator: Config["observability"]["metrics_aggregator"];
    report: ReportOptions | undefined;
    shadows: Config["shadows"];
  },
): Promise<number> {
  let signalled: (signal: string) => void = () => undefined;
  const signal = new Promise<string>((resolve) => (signalled = resolve));
  const onSignal = (s: NodeJS.Signals) => signalled(s);
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  try {
    await supervisor.start();
  } catch (err) {
    log.fatal({ err }, "daemon failed to start");
    await shadows.close();
    await supervisor.stop();
    await server?.close();
    return 1;
  }
  // Armed only now: loading and warm-up are not stalls; a start-up that hangs is systemd's to kill
  // (TimeoutStartSec: READY=1 is only sent here).
  watchdog?.arm();
  notifier.ready(`running: ${supervisor.actors().length} actors`);
  log.info(
    {
      config: info.configPath,
      startMs: Date.now() - info.startedAt,
      health: info.healthUrl,
      actors: supervisor.actors().map((a) => `${a.name}@${a.thread}`),
    },
    "leadlag running",
  );
  // After the live actors run: a shadow that cannot attach is logged and left out; live goes on.
  await attachConfiguredShadows(shadows, info.shadows, log);
  const aggregator = info.metricsAggregator;
  const stopStatusLine = aggregator.enabled
    ? startStatusLine(aggregator.log_interval_sec * 1000, log, () => tradingStatus((n, w) => metrics.total(n, w)))
    : () => undefined;
  const outcome = await Promise.race([
    signal.then((s) => ({ signal: s })),
    supervisor.escalated.then((report) => ({ report })),
  ]);
  stopStatusLine();
  const writeReport = async (stoppedBy: string, exitCode: number) => {
    if (info.report === undefined) return;
    const facts = { ...info.report, configPath: info.configPath, startedAt: info.startedAt, stoppedBy, exitCode };
    try {
      const body = await runReport(
        { ...facts, endedAt: Date.now() },
        {
          actors: supervisor.actors(),
          statusOf: (name) => supervisor.actorStatus(name),
          series: (name) => metrics.series(name),
        },
      );
      writeRunReport(info.report.file, body);
      log.info({ file: info.report.file }, "run report written");
    } catch (err) {
      log.error({ err, file: info.report.file }, "run report not written");
    }
  };
  await shadows.close();
  if ("report" in outcome) {
    await server?.close();
    await writeReport("escalated", EXIT_ESCALATED);
    return EXIT_ESCALATED;
  }
  log.info({ signal: outcome.signal }, "graceful shutdown");
  const t0 = Date.now();
  // A second signal while this runs ends the process at once (the handlers were `once`).
  const closed = await preClose(supervisor, info.closing, log);
  if (!closed.complete) {
    metrics.countLeftOpen(closed.orders.length, closed.positions.length);
    log.error(
      { timeoutMs: info.closing.timeoutMs, openOrders: closed.orders, openPositions: closed.positions },
      `shutdown left open: ${describeLeftOpen(closed)}`,
    );
  }
  // The actors ship metrics every poll interval: one more lets the report count what the stop itself did.
  if (info.report !== undefined) await sleep(info.report.metricsEveryMs + 250);
  const exitCode = closed.complete ? 0 : EXIT_LEFT_OPEN;
  await writeReport(outcome.signal, exitCode);
  const reports = await supervisor.stop();
  await server?.close();
  log.info(
    { stopMs: Date.now() - t0, shutdownErrors: reports.length, preCloseMs: closed.elapsedMs },
    "leadlag stopped",
  );
  return exitCode;
}

function describeLeftOpen(open: {
  orders: readonly { clId: string; symbol: string; status: string }[];
  positions: readonly { symbol: string; qty: number }[];
}): string {
  const orders = open.orders.map((o) => `order ${o.clId} ${o.symbol} (${o.status})`);
  const positions = open.positions.map((p) => `position ${p.symbol} ${p.qty}`);
  return [...orders, ...positions].join(", ");
}
