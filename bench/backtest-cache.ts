/**
 * Long synthetic recordings for the backtest benchmark's memory windows (a 24-hour replay file is ~2 GB and takes
 * minutes to generate), kept between runs under the OS temporary directory. A file is named by its length, seed and a
 * hash of the market's settings and of the generator's first minute of frames, so a changed generator or market
 * makes a new one instead of reusing a stale one.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { SyntheticConfig } from "../src/backtest/recorder/synthetic.js";
import { CsvRecordSink } from "../src/backtest/recorder/csv-sink.js";
import { writeColumnarFile } from "../src/backtest/sources/columnar.js";
import { CsvDirectorySource } from "../src/backtest/sources/csv.js";
import { WHOLE_WINDOW } from "../src/backtest/sources/open.js";
import { recordSynthetic, symbolRules, syntheticFrames } from "./backtest-recording.js";

export const BENCH_CACHE_DIR = path.join(tmpdir(), "leadlag-bench-cache");
const SEED = 42;
const LEVELS = 10;

function marketKey(market: SyntheticConfig): string {
  const hash = createHash("sha256").update(JSON.stringify(market));
  syntheticFrames(
    60,
    (topic, payload, recvNs) => hash.update(`${topic}\n${payload}\n${recvNs}\n`),
    SEED,
    symbolRules(),
    market,
  );
  return hash.digest("hex").slice(0, 16);
}

/** The replay file of `seconds` of the synthetic market (`market`, seed 42, 10 levels), generated on first use. */
export async function cachedReplayFile(seconds: number, market: SyntheticConfig): Promise<string> {
  const file = path.join(BENCH_CACHE_DIR, `synthetic-${seconds}s-seed${SEED}-${marketKey(market)}.arrow`);
  if (existsSync(file)) return file;
  mkdirSync(BENCH_CACHE_DIR, { recursive: true });
  const work = mkdtempSync(path.join(BENCH_CACHE_DIR, "generating-"));
  try {
    const csvDir = path.join(work, "rec");
    await recordSynthetic(seconds, new CsvRecordSink(csvDir, LEVELS), LEVELS, SEED, market);
    const partial = path.join(work, "replay.arrow");
    await writeColumnarFile(await CsvDirectorySource.open(csvDir, { window: WHOLE_WINDOW, batchSize: 20000 }), partial);
    renameSync(partial, file);
    return file;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
