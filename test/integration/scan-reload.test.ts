import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planBacktest } from "../../src/backtest/runner/plan.js";
import { openReplay, runBacktest } from "../../src/backtest/runner/run.js";
import { accept, freshVersion, stagingDir } from "../../src/backtest/scan/versions.js";
import { parseConfig } from "../../src/config/index.js";
import { NS_PER_S } from "../../src/model/time.js";
import { RECORDING_START_NS } from "../../bench/backtest-recording.js";
import { backtestConfigYaml, recordJumpyMarket } from "../fixtures/backtest.js";

const SECONDS = 240;
const REFRESH_S = 10;
const silent = pino({ level: "silent" });
let dir: string;
let art: string;
let arrow: string;

/** A scan's accept step for a set whose top_pairs.json lists `laggers` of BTC. */
async function deploy(laggers: string[], atMs: number): Promise<string> {
  const version = await freshVersion(art, atMs);
  const staging = await stagingDir(art, version);
  const pairs = laggers.map((lagger) => ({ leader: "BTC-USDC-PERP", lagger, weight: 1 }));
  writeFileSync(path.join(staging, "top_pairs.json"), JSON.stringify({ version: 1, pairs }));
  await accept(art, staging, version, 5);
  return version;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "leadlag-scan-reload-"));
  art = path.join(dir, "artifacts");
  ({ arrow } = await recordJumpyMarket(dir, SECONDS));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("artifacts_auto_reload after a scan moves latest", () => {
  it("a running strategy trades the new set's pairs within one refresh interval, the old ones before", async () => {
    await deploy(["ETH-USDC-PERP", "SOL-USDC-PERP"], Date.parse("2026-12-06T10:00:00Z"));
    const yaml = backtestConfigYaml(dir, arrow, SECONDS)
      .replace(`artifacts_path: ${path.join(dir, "no-artifacts")}`, `artifacts_path: ${path.join(art, "latest")}`)
      .replace(
        "time_limit_seconds: 15",
        `time_limit_seconds: 15\n      artifacts_auto_reload: true\n      artifacts_refresh_interval_seconds: ${REFRESH_S}`,
      )
      .replace(`connection: ${arrow} }`, `connection: ${arrow}, batch_size: 200 }\n  speed_multiplier: 50`);
    const config = parseConfig(yaml, { env: {} });
    const plan = await planBacktest(config, {});
    const source = await openReplay(plan, silent);
    const swapAfterNs = RECORDING_START_NS + 120n * NS_PER_S;
    // Event time when the swap began and when latest had moved: the replay is paced (50x) so the scan's
    // asynchronous file work runs while the strategy's refresh timer does.
    let swapStartNs: bigint | undefined;
    let swappedAtNs: bigint | undefined;
    let lastEventNs = 0n;
    let swaps: Promise<string> | undefined;
    const record = await runBacktest(config, plan, source, {
      log: silent,
      onProgress: ({ eventNs }) => {
        lastEventNs = eventNs;
        if (swapStartNs === undefined && eventNs >= swapAfterNs) {
          swapStartNs = eventNs;
          swaps = deploy(["ETH-USDC-PERP"], Date.parse("2026-12-06T11:00:00Z")).finally(() => {
            swappedAtNs = lastEventNs;
          });
        }
      },
    }).finally(() => source.close());
    await swaps;
    expect(swappedAtNs).toBeDefined();
    expect(swappedAtNs! - swapStartNs!).toBeLessThan(60n * NS_PER_S); // leaves a minute of replay after the reload
    const laggers = (from: bigint, to: bigint) =>
      new Set(record.decisions.filter((d) => d.tsNs >= from && d.tsNs < to && d.lagger !== "").map((d) => d.lagger));
    expect(laggers(0n, swapStartNs!)).toEqual(new Set(["ETH-USDC-PERP", "SOL-USDC-PERP"]));
    // The refresh timer fires within one interval of the swap; from then on only ETH is traded.
    const reloadedBy = swappedAtNs! + BigInt(REFRESH_S) * NS_PER_S + NS_PER_S;
    expect(laggers(reloadedBy, RECORDING_START_NS + BigInt(SECONDS) * NS_PER_S)).toEqual(new Set(["ETH-USDC-PERP"]));
  });
});
