import type { Command } from "../command.js";
import { UsageError } from "../command.js";
import { numberOption, parseCommandArgs } from "../args.js";
import { marketDataSubscription } from "../../actors/feed/subscription.js";
import { MarketDataBridge } from "../../actors/feed/zmq-bridge.js";
import { FEATURE_DEPTH_LEVELS } from "../../actors/feed/book.js";
import { CsvRecordSink } from "../../backtest/recorder/csv-sink.js";
import { PostgresRecordSink } from "../../backtest/recorder/postgres-sink.js";
import { Recorder } from "../../backtest/recorder/recorder.js";
import type { RecordSink } from "../../backtest/recorder/rows.js";
import { msToNs } from "../../model/time.js";
import { createLogger } from "../../runtime/logger.js";
import { DEFAULT_CONFIG, loadMarketDataSetup, untilSignal } from "./market-data-setup.js";
import { recordSyntheticMarket } from "../../backtest/recorder/synthetic.js";

/** Where `--synthetic` event times start by default: a fixed day, so a recording's window is known in advance. */
const SYNTHETIC_START = "2025-01-01T00:00:00Z";

export const recordCommand: Command = {
  name: "record",
  summary: "record market data (live, or the synthetic market offline) to CSV files or PostgreSQL",
  usage: [
    "usage: leadlag record --config F --out DIR|postgresql://… [--duration S]",
    "       leadlag record --synthetic --duration S --out DIR|postgresql://… [--config F] [--seed N] [--start ISO]",
    "",
    "  --config F      YAML config: market_data (host, ports, exchanges, deltas.enabled, deltas.lob_top_n), symbols, symbol rules",
    "  --out DIR       write DIR/trades.csv and DIR/books.csv",
    "  --out URL       append to PostgreSQL tables trades and ob_snapshots (created if missing)",
    "  --duration S    stop after S seconds (default: until SIGINT/SIGTERM)",
    "  --synthetic     record S seconds of the embedded synthetic market (market_data.synthetic of the config,",
    `                  default ${DEFAULT_CONFIG}) offline, as fast as possible, event times from --start`,
    `                  (default ${SYNTHETIC_START}); --seed overrides market_data.synthetic.seed`,
    "",
    "Prints one JSON line with the counts when it stops. Formats: docs/market-data.md.",
  ].join("\n"),
  async run(argv) {
    const { values } = parseCommandArgs(
      argv,
      {
        config: { type: "string" },
        out: { type: "string" },
        duration: { type: "string" },
        synthetic: { type: "boolean", default: false },
        seed: { type: "string" },
        start: { type: "string" },
      },
      false,
    );
    const synthetic = values.synthetic ?? false;
    if (!values.config && !synthetic) throw new UsageError("--config is required");
    if (!values.out) throw new UsageError("--out is required");
    const durationS = values.duration === undefined ? undefined : numberOption("duration", values.duration, 0);
    if (durationS !== undefined && !(durationS > 0))
      throw new UsageError(`--duration must be > 0, got '${values.duration}'`);
    if (!synthetic && (values.seed !== undefined || values.start !== undefined))
      throw new UsageError("--seed and --start apply to --synthetic only");
    const setup = await loadMarketDataSetup(values.config);
    if (!setup.ok) return setup.exitCode;
    const { config, registry } = setup;
    const md = config.market_data;
    const log = createLogger({
      level: config.observability.logging.level,
      structured: config.observability.logging.structured,
    }).child({ component: "recorder" });
    // At least the levels the book features read, so a replay computes the features the live feed did.
    const levels = Math.max(md.deltas.lob_top_n, FEATURE_DEPTH_LEVELS);

    let sink: RecordSink;
    try {
      sink = /^postgres(ql)?:\/\//.test(values.out)
        ? await PostgresRecordSink.open({ url: values.out, logger: log })
        : new CsvRecordSink(values.out, levels);
    } catch (err) {
      process.stderr.write(`leadlag record: ${(err as Error).message}\n`);
      return 1;
    }
    if (synthetic) {
      if (durationS === undefined) throw new UsageError("--synthetic needs --duration S");
      const seed = values.seed === undefined ? undefined : numberOption("seed", values.seed, 0);
      if (seed !== undefined && !Number.isInteger(seed))
        throw new UsageError(`--seed must be an integer, got '${values.seed}'`);
      const startMs = Date.parse(values.start ?? SYNTHETIC_START);
      if (!Number.isFinite(startMs)) throw new UsageError(`--start must be an ISO date, got '${values.start}'`);
      const recording = { seconds: durationS, startNs: msToNs(startMs), synthetic: md.synthetic, registry, seed };
      const counts = await recordSyntheticMarket(recording, sink, {
        levels,
        maxSkewNs: msToNs(md.max_clock_skew_ms),
      });
      const out = values.out.startsWith("postgres") ? "postgresql" : values.out;
      const end = new Date(startMs + durationS * 1000).toISOString();
      process.stdout.write(
        `${JSON.stringify({ synthetic: true, start: new Date(startMs).toISOString(), end, out, ...counts })}\n`,
      );
      return 0;
    }
    const subscription = marketDataSubscription(config, registry);
    const recorder = new Recorder(registry, levels, msToNs(md.max_clock_skew_ms), sink);
    const dropsByReason = new Map<string, number>();
    const bridge = new MarketDataBridge(
      { host: md.host, tradesPort: md.port, booksPort: md.books_port, topics: subscription.topics, logger: log },
      (topic, payload, recvNs) => {
        const drop = recorder.onFrame(topic, payload, recvNs);
        if (!drop || drop.reason === "awaiting_checkpoint") return;
        const count = (dropsByReason.get(drop.reason) ?? 0) + 1;
        dropsByReason.set(drop.reason, count);
        // Log the 1st, 2nd, 4th, 8th… drop of each reason: a flood of bad frames cannot flood the log.
        if ((count & (count - 1)) === 0) log.warn({ topic, ...drop, count }, "market data dropped");
      },
    );
    bridge.start();
    const startedAt = Date.now();
    const stop = await Promise.race([
      untilSignal(),
      ...(durationS ? [new Promise<string>((r) => setTimeout(() => r("duration"), durationS * 1000).unref())] : []),
    ]);
    await bridge.close();
    await recorder.close();
    const stats = recorder.feedStats();
    const drops = Object.fromEntries(Object.entries(stats.drops).filter(([, n]) => n > 0));
    const gaps = stats.streams.reduce((sum, s) => sum + s.gaps, 0);
    process.stdout.write(
      JSON.stringify({
        stopped_by: stop,
        seconds: (Date.now() - startedAt) / 1000,
        out: values.out.startsWith("postgres") ? "postgresql" : values.out,
        ...recorder.counts(),
        frames: stats.frames,
        gaps,
        drops,
      }) + "\n",
    );
    return 0;
  },
};
