/**
 * One backtest window from a replay file in a process of its own (bench/backtest-memory.ts starts it with the heap
 * setting under test and `--expose-gc`), then one JSON line: RSS at the end and at its peak, and the heap still in
 * use after a forced collection (the state the run retains, as against garbage V8 has not collected yet).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { planBacktest } from "../src/backtest/runner/plan.js";
import { openReplay, runBacktest } from "../src/backtest/runner/run.js";
import { benchBacktestConfig } from "./backtest-config.js";
import { peakRssMb } from "./peak-rss.js";

const MB = 2 ** 20;

async function main(file: string, seconds: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("start this child with --expose-gc");
  const dir = mkdtempSync(path.join(tmpdir(), "leadlag-bench-memory-"));
  try {
    const config = benchBacktestConfig(dir, seconds, { trades: "unused_trades", books: "unused_books" });
    const plan = await planBacktest(config, { from: file });
    const source = await openReplay(plan, pino({ level: "silent" }));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    // The record stays referenced through the collection: a report is built from it after the replay.
    const record = await runBacktest(config, plan, source, { log: pino({ level: "silent" }) }).finally(() =>
      source.close(),
    );
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const rss = process.memoryUsage().rss;
    gc();
    process.stdout.write(
      `${JSON.stringify({
        events: record.meta.eventsReplayed,
        trades: record.trades.length,
        wall_s: wall,
        cpu_s: (cpu.user + cpu.system) / 1e6,
        rss_mb: rss / MB,
        max_rss_mb: peakRssMb(),
        heap_used_after_gc_mb: process.memoryUsage().heapUsed / MB,
        heap_limit_mb: (await import("node:v8")).getHeapStatistics().heap_size_limit / MB,
      })}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [file, seconds] = process.argv.slice(2);
main(file, Number(seconds)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
