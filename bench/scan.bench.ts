import { BENCH_SYMBOLS, benchBacktestConfig } from "./backtest-config.js";
import { existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { CsvRecordSink } from "../src/backtest/recorder/csv-sink.js";
import { planBacktest } from "../src/backtest/runner/plan.js";
import { defaultWorkers } from "../src/backtest/scan/hy-pool.js";
import { runScan } from "../src/backtest/scan/scan.js";
import { writeColumnarFile } from "../src/backtest/sources/columnar.js";
import { CsvDirectorySource } from "../src/backtest/sources/csv.js";
import { WHOLE_WINDOW } from "../src/backtest/sources/open.js";
import type { Bench } from "./bench.js";
import { round } from "./bench.js";
import { recordSynthetic } from "./backtest-recording.js";

const SYMBOLS = BENCH_SYMBOLS;
/** The hold-out is small so that the scan itself reads exactly `scanSeconds` of the recording. */
const HOLDOUT = 0.05;
const silent = pino({ level: "silent" });

/**
 * The synthetic market's defaults (market_data.synthetic: BTC leader, ETH and SOL laggers, 20 book updates and
 * 5 trades a second per symbol), recorded with one book level (the scan reads the top of the book) into a replay
 * file cached in the temp directory: a day takes minutes to generate.
 */
async function cachedRecording(seconds: number): Promise<{ file: string; cached: boolean }> {
  const file = path.join(tmpdir(), `leadlag-bench-scan-${seconds}s-seed42-l1.arrow`);
  if (existsSync(file)) return { file, cached: true };
  const dir = mkdtempSync(path.join(tmpdir(), "leadlag-bench-scan-rec-"));
  try {
    await recordSynthetic(seconds, new CsvRecordSink(path.join(dir, "rec"), 1), 1);
    const partial = `${file}.${process.pid}.partial`;
    await writeColumnarFile(
      await CsvDirectorySource.open(path.join(dir, "rec"), { window: WHOLE_WINDOW, batchSize: 20000 }),
      partial,
    );
    renameSync(partial, file);
    return { file, cached: false };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function configFor(dir: string, seconds: number, file: string) {
  const unused = { trades: "unused_trades", books: "unused_books" };
  return benchBacktestConfig(dir, seconds, unused, {
    artifactsPath: path.join(dir, "latest"),
    dataSource: `{ type: file, connection: ${file} }`,
  });
}

/**
 * `leadlag scan` of 24 h of the default synthetic market's three symbols (`--quick`: 1 h): the default lag grid
 * (481 lags), features trade and mid, every core; then the same scan's HY on one worker for the pool's speedup.
 * `scan_s` is reading + HY + baselines (the target: ≤ 60 s on 2 cores), `validate_s` the hold-out backtest.
 */
export const scanBench: Bench = {
  name: "scan",
  summary: "leadlag scan of 24 h x 3 symbols: wall seconds, pairs per second, HY pool speedup",
  async run({ quick }) {
    const scanSeconds = quick ? 3600 : 86_400;
    const seconds = Math.round(scanSeconds / (1 - HOLDOUT));
    const t0 = performance.now();
    const recording = await cachedRecording(seconds);
    const recordingS = (performance.now() - t0) / 1000;
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-bench-scan-"));
    try {
      const config = configFor(dir, seconds, recording.file);
      const plan = await planBacktest(config, {});
      const workers = defaultWorkers();
      const scan = (n: number, minDecisions: number) =>
        runScan({
          config,
          plan,
          holdout: HOLDOUT,
          outDir: dir,
          keep: 2,
          workers: n,
          grid: {},
          minDecisions,
          log: silent,
          nowMs: Date.now(),
        });
      const wall0 = performance.now();
      const all = await scan(workers, 1);
      const wallS = (performance.now() - wall0) / 1000;
      const rssMb = process.memoryUsage().rss / 2 ** 20;
      const one = await scan(1, 0);
      return {
        bench: "scan",
        scan_hours: scanSeconds / 3600,
        symbols: SYMBOLS.length,
        events: all.events,
        ordered_pairs: all.orderedPairs,
        features: 2,
        lags: 481,
        workers,
        scan_s: round(all.timings.scanSeconds, 2),
        read_s: round(all.timings.readSeconds, 2),
        hy_s: round(all.timings.hySeconds, 2),
        pairs_per_s: round(all.orderedPairs / all.timings.scanSeconds, 3),
        hy_1_worker_s: round(one.timings.hySeconds, 2),
        hy_speedup: round(one.timings.hySeconds / all.timings.hySeconds, 2),
        validate_s: round(all.timings.validateSeconds, 2),
        wall_s: round(wallS, 2),
        rss_mb: round(rssMb, 0),
        accepted: all.accepted,
        ranked_pairs: all.rankedPairs,
        recording_cached: recording.cached,
        recording_s: round(recordingS, 1),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
