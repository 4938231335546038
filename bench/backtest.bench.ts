import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import pg from "pg";
import { CsvRecordSink } from "../src/backtest/recorder/csv-sink.js";
import { PostgresRecordSink } from "../src/backtest/recorder/postgres-sink.js";
import { planBacktest } from "../src/backtest/runner/plan.js";
import { type ActorLoopFactory, openReplay, runBacktest } from "../src/backtest/runner/run.js";
import { writeColumnarFile } from "../src/backtest/sources/columnar.js";
import { CsvDirectorySource } from "../src/backtest/sources/csv.js";
import { WHOLE_WINDOW } from "../src/backtest/sources/open.js";
import { loadConfig, parseConfig } from "../src/config/index.js";
import { fromRoot } from "../src/runtime/paths.js";
import { NS_PER_S } from "../src/model/time.js";
import type { Bench } from "./bench.js";
import { round } from "./bench.js";
import { cachedReplayFile } from "./backtest-cache.js";
import { dataOnly, decodeOnly, type Rate } from "./backtest-data-only.js";
import { FanOutSink, RECORDING_START_NS, recordSynthetic } from "./backtest-recording.js";
import { directActorLoop } from "./direct-actors.js";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const SYMBOLS = ["BTC-USDC-PERP", "ETH-USDC-PERP", "SOL-USDC-PERP"];
const silent = pino({ level: "silent" });

/** configs/backtest.yaml's strategy (defaults) on the synthetic market's three symbols, over the recording. */
function configFor(dir: string, seconds: number, tables: { trades: string; books: string }) {
  const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();
  return parseConfig(
    `
mode: backtest
execution: { provider: paper, mode: paper }
initial_balance: { USDC: 100000 }
strategies:
  - name: bench
    type: leadlag
    config: { symbols: [${SYMBOLS.join(", ")}], artifacts_path: ${path.join(dir, "no-artifacts")} }
backtest:
  start_date: ${iso(RECORDING_START_NS)}
  end_date: ${iso(RECORDING_START_NS + BigInt(seconds) * NS_PER_S)}
  symbols: [${SYMBOLS.join(", ")}]
  data_source: { trade_table: ${tables.trades}, book_table: ${tables.books} }
`,
    { env: {} },
  );
}

/**
 * The full backtest (every trading actor on the inline runtime) on one recording of configs/paper.yaml's
 * synthetic market (three symbols; one hour, `--quick` five minutes) from each source; the same replay with the actors'
 * handlers called in a plain loop (`cores_alone_events_per_s`, bench/direct-actors.ts) and the ratio
 * (`runtime_overhead`); decode + book rebuild + simulated venue (`data_only_events_per_s`) and decode alone
 * (`decode_only_events_per_s`, bench/backtest-data-only.ts); event time replayed per wall second
 * (`speed_vs_real_time`); RSS after the one-hour window and after a 24-hour one (`--quick`: 5 minutes and 2 hours,
 * the same 24x), replayed from a cached replay file (bench/backtest-cache.ts). Wall-clock rates: on a shared
 * machine, `cpu_*` gives the process CPU time of the same runs.
 */
export const backtestBench: Bench = {
  name: "backtest",
  summary: "full backtest: events/s from each source, runtime overhead, data-only events/s, speed vs real time",
  async run({ quick }) {
    const seconds = quick ? 300 : 3600;
    const longSeconds = 24 * seconds;
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-bench-backtest-"));
    const suffix = `${process.pid}_${Date.now()}`;
    const tables = { trades: `bench_bt_trades_${suffix}`, books: `bench_bt_books_${suffix}` };
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    try {
      const pgSink = await PostgresRecordSink.open({ url: DATABASE_URL, logger: silent, tables, batchRows: 20000 });
      const csvDir = path.join(dir, "rec");
      // configs/paper.yaml's market: BTC jumps 3 times a minute, so the strategy trades within the hour.
      const market = (await loadConfig(fromRoot("configs/paper.yaml"), { env: {} })).market_data.synthetic;
      await recordSynthetic(seconds, new FanOutSink([new CsvRecordSink(csvDir, 10), pgSink]), 10, 42, market);
      await admin.query(`ANALYZE ${tables.trades}; ANALYZE ${tables.books}`);
      const file = path.join(dir, "replay.arrow");
      await writeColumnarFile(await CsvDirectorySource.open(csvDir, { window: WHOLE_WINDOW, batchSize: 20000 }), file);
      const config = configFor(dir, seconds, tables);

      const backtest = async (from: string, actorLoop?: ActorLoopFactory, runConfig = config) => {
        const plan = await planBacktest(runConfig, { from });
        const source = await openReplay(plan, silent);
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        try {
          const record = await runBacktest(runConfig, plan, source, { log: silent, actorLoop });
          const wall = (performance.now() - t0) / 1000;
          const cpu = process.cpuUsage(cpu0);
          return { record, wall, cpu: (cpu.user + cpu.system) / 1e6, rate: record.meta.eventsReplayed / wall };
        } finally {
          await source.close();
        }
      };
      const columnar = await backtest(file);
      const rssShortMb = process.memoryUsage().rss / 2 ** 20;
      // The long window right after the short one, before the other sources' runs add their own buffers.
      const longFile = await cachedReplayFile(longSeconds, market);
      const long = await backtest(longFile, undefined, configFor(dir, longSeconds, tables));
      const rssLongMb = process.memoryUsage().rss / 2 ** 20;
      const direct = await backtest(file, directActorLoop);
      const csv = await backtest(csvDir);
      const postgres = await backtest(DATABASE_URL);
      const data = await dataOnly(file, config);
      const decode = await decodeOnly(file);
      const wallRate = (r: Rate) => round(r.events / r.wallSeconds, 0);
      const cpuRate = (r: Rate) => round(r.events / r.cpuSeconds, 0);
      return {
        bench: "backtest",
        recording_s: seconds,
        symbols: SYMBOLS.length,
        events: columnar.record.meta.eventsReplayed,
        trades: columnar.record.trades.length,
        decisions: columnar.record.decisions.length,
        columnar_events_per_s: round(columnar.rate, 0),
        csv_events_per_s: round(csv.rate, 0),
        postgresql_events_per_s: round(postgres.rate, 0),
        cpu_columnar_events_per_s: round(columnar.record.meta.eventsReplayed / columnar.cpu, 0),
        cores_alone_events_per_s: round(direct.rate, 0),
        runtime_overhead: round(direct.rate / columnar.rate, 3),
        direct_same_trades: direct.record.trades.length === columnar.record.trades.length,
        data_only_events_per_s: wallRate(data),
        cpu_data_only_events_per_s: cpuRate(data),
        decode_only_events_per_s: wallRate(decode),
        cpu_decode_only_events_per_s: cpuRate(decode),
        speed_vs_real_time: round(seconds / columnar.wall, 1),
        cpu_speed_vs_real_time: round(seconds / columnar.cpu, 1),
        // RSS after the short window's replay-file run, and after the long window's (24x longer) in the same process.
        rss_windows_s: [seconds, longSeconds],
        rss_1h_mb: round(rssShortMb, 0),
        rss_24h_mb: round(rssLongMb, 0),
        rss_growth_ratio: round(rssLongMb / rssShortMb, 3),
        long_window_events: long.record.meta.eventsReplayed,
        long_window_events_per_s: round(long.rate, 0),
        cpu_long_window_events_per_s: round(long.record.meta.eventsReplayed / long.cpu, 0),
        ...(quick ? { windows_scaled: "--quick: 5 min and 2 h windows stand for 1 h and 24 h" } : {}),
      };
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${tables.trades}, ${tables.books}`).catch(() => undefined);
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
