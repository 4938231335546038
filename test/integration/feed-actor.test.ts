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
});
