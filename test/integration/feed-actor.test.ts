import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import type { FrameSourceConfig } from "../fixtures/actors/frame-source.js";
import { TRADE_PAYLOAD, TRADE_TOPIC } from "../fixtures/marketstream-examples.js";
import { waitFor } from "../fixtures/wait.js";
import { compiledUrl } from "../../src/runtime/paths.js";
import { actorModule } from "../../src/supervisor/children.js";
import { actorSections } from "../../src/supervisor/sections.js";
import { parseConfig } from "../../src/config/index.js";
import type { Supervisor } from "../../src/supervisor/supervisor.js";
import { startSystem } from "../../src/supervisor/system.js";
import type { ActorHealth } from "../../src/protocol/status.js";

const config = parseConfig(
  `
market_data: { provider: zmq, exchanges: [HYPERLIQUID], max_clock_skew_ms: 1000 }
# Stale after 2 s: a busy machine's pause between two frames (every 20 ms) must not make ETH stale.
risk: { global: { reject_on_stale_data_ms: 2000 } }
strategies: [{ name: s, config: { symbols: [BTC-USDT-PERP, ETH-USDT-PERP] } }]
`,
  { env: {} },
);
const DAY_NS = 86_400_000_000_000n;
const fixture = (name: string) => compiledUrl(new URL(`../fixtures/actors/${name}.ts`, import.meta.url)).href;

let running: Supervisor | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe("feed actor", () => {
  it("publishes its health: degraded naming the symbol whose frames all drop, ok once they flow again", async () => {
    const seqs = new Map<string, number>();
    let poisonBtc = false;
    const trade = (symbol: string, receiptNs: bigint): [string, string] => {
      const seq = (seqs.get(symbol) ?? 0) + 1;
      seqs.set(symbol, seq);
      const payload = TRADE_PAYLOAD.replaceAll("BTC", symbol)
        .replace('"seq":2,', `"seq":${seq},`)
        .replace("1763380800345678901", String(receiptNs));
      return [TRADE_TOPIC.replace("BTC", symbol), payload];
    };
    const source: FrameSourceConfig = {
      everyMs: 20,
      framesAt: (now) => [trade("BTC", poisonBtc ? now + DAY_NS : now), trade("ETH", now)],
    };
    const lines: { msg: string; reason?: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { msg: string; reason?: string });
        done();
      },
    });
    running = await startSystem(
      [
        { name: "source", module: fixture("frame-source"), thread: "main", config: source },
        { name: "feed", module: actorModule("feed"), thread: "main", config: actorSections(config).feed() },
      ],
      { log: pino({ level: "warn" }, sink), logLevel: "warn" },
    );
    const supervisor = running;
    const health = () => (supervisor.actorStatus("feed") as { health?: ActorHealth } | undefined)?.health;

    await waitFor(() => health()?.status === "ok");
    poisonBtc = true;
    await waitFor(() => health()?.reasons.some((r) => r.startsWith("BTC-USDC-PERP stale")) === true);
    const reasons = health()!.reasons;
    expect(health()!.status).toBe("degraded");
    const frozen = /^BTC-USDC-PERP trades: \d+ frames dropped, none accepted \(last: clock_skew\)$/;
    expect(reasons.some((r) => frozen.test(r))).toBe(true);
    expect(reasons.some((r) => r.startsWith("ETH"))).toBe(false);
    // Dozens of frames dropped for one reason, one log line.
    expect(lines.filter((l) => l.reason === "clock_skew")).toHaveLength(1);

    poisonBtc = false;
    await waitFor(() => health()?.status === "ok");
  });

  it("logs each seq gap and each price outlier, at most 5 lines per symbol in 10 s, and counts outliers per symbol", async () => {
    let seq = 0;
    let n = 0;
    const source: FrameSourceConfig = {
      everyMs: 10,
      framesAt: (now) => {
        n++;
        seq += 3; // two trades lost before every frame: a gap each time
        // Every 4th trade 10 % off: past the 200 bps floor, and never 3 in a row (so never a new level).
        const price = n > 12 && n % 4 === 0 ? 106703.85 : 97003.5;
        const payload = TRADE_PAYLOAD.replace('"seq":2,', `"seq":${seq},`)
          .replace('"price":97003.5,', `"price":${price},`)
          .replace("1763380800345678901", String(now));
        return [[TRADE_TOPIC, payload]];
      },
    };
    type Line = { msg: string; symbol?: string; stream?: string; expected?: number; got?: number; missing?: number };
    const lines: (Line & { topic?: string; suppressed?: number; detail?: string })[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const counted = new Map<string, number>();
    running = await startSystem(
      [
        { name: "source", module: fixture("frame-source"), thread: "main", config: source },
        { name: "feed", module: actorModule("feed"), thread: "main", config: actorSections(config).feed() },
      ],
      {
        log: pino({ level: "warn" }, sink),
        logLevel: "warn",
        onMetrics: (samples) => {
          for (const m of samples)
            if (m.name.endsWith("feed_price_outliers_total") && m.labels.symbol === "BTC-USDC-PERP")
              counted.set(m.name, m.value);
        },
      },
    );
    await waitFor(() => [...counted.values()].some((v) => v >= 8));
    const gapLines = lines.filter((l) => l.msg.startsWith("market data seq gap"));
    expect(gapLines).toHaveLength(5);
    expect(gapLines[0]).toMatchObject({ symbol: "BTC-USDC-PERP", stream: "trades", expected: 4, got: 6, missing: 2 });
    expect(gapLines.every((l) => l.got === (l.expected ?? 0) + 2)).toBe(true);
    const outlierLines = lines.filter((l) => l.msg.startsWith("trade price outlier dropped"));
    expect(outlierLines).toHaveLength(5);
    expect(outlierLines[0]).toMatchObject({ topic: TRADE_TOPIC, suppressed: 0 });
    expect(outlierLines[0].detail).toMatch(/^price 106703.85 is 953\.1 bps from the mean 97003\.500/);
  });
});
