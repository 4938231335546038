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
import { loadConfig } from "../src/config/index.js";
import { fromRoot } from "../src/runtime/paths.js";
import type { Bench } from "./bench.js";
import { round } from "./bench.js";
import { cachedReplayFile } from "./backtest-cache.js";
import { dataOnly, decodeOnly, type Rate } from "./backtest-data-only.js";
import { FanOutSink, recordSynthetic } from "./backtest-recording.js";
import { BENCH_SYMBOLS, benchBacktestConfig } from "./backtest-config.js";
import { BACKTEST_HEAP_MB, windowMemory } from "./backtest-memory.js";
import { directActorLoop } from "./direct-actors.js";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const silent = pino({ level: "silent" });

/**
 * The full backtest (every trading actor on the inline runtime) on one recording of configs/paper.yaml's
 * synthetic market (three symbols; one hour, `--quick` five minutes) from each source; the same replay with the actors'
 * handlers called in a plain loop (`cores_alone_events_per_s`, bench/direct-actors.ts) and the ratio
 * (`runtime_overhead`); decode + book rebuild + simulated venue (`data_only_events_per_s`) and decode alone
 * (`decode_only_events_per_s`, bench/backtest-data-only.ts); event time replayed per wall second
 * (`speed_vs_real_time`); memory of the one-hour window and of a 24-hour one (`--quick`: 5 minutes and 2 hours, the
 * same 24x; the long one from a cached replay file, bench/backtest-cache.ts), each replayed in a child process of
 * its own under the heap cap docs/backtest.md gives users (bench/backtest-memory.ts). Wall-clock rates: on a shared
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
      const config = benchBacktestConfig(dir, seconds, tables);

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
      // Both windows the same way: a fresh process each, the same heap setting, nothing else running in it.
      const short = await windowMemory(file, seconds);
      const long = await windowMemory(await cachedReplayFile(longSeconds, market), longSeconds);
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
        symbols: BENCH_SYMBOLS.length,
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
        // Each window in its own process under --max-old-space-size (`rss_heap_cap_mb`): RSS at the end of the
        // replay, its peak, and the heap in use after a forced collection (the state the run retains).
        rss_windows_s: [seconds, longSeconds],
        rss_heap_cap_mb: BACKTEST_HEAP_MB,
        rss_1h_mb: round(short.rss_mb, 0),
        rss_24h_mb: round(long.rss_mb, 0),
        rss_growth_ratio: round(long.rss_mb / short.rss_mb, 3),
        max_rss_1h_mb: round(short.max_rss_mb, 0),
        max_rss_24h_mb: round(long.max_rss_mb, 0),
        heap_used_after_gc_1h_mb: round(short.heap_used_after_gc_mb, 1),
        heap_used_after_gc_24h_mb: round(long.heap_used_after_gc_mb, 1),
        long_window_events: long.events,
        long_window_trades: long.trades,
        long_window_events_per_s: round(long.events / long.wall_s, 0),
        cpu_long_window_events_per_s: round(long.events / long.cpu_s, 0),
        ...(quick ? { windows_scaled: "--quick: 5 min and 2 h windows stand for 1 h and 24 h" } : {}),
      };
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${tables.trades}, ${tables.books}`).catch(() => undefined);
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
