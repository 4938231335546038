import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fromRoot } from "../../src/runtime/paths.js";
import { freePort } from "../fixtures/ports.js";
import { spedUpMarketYaml, spedUpStrategyYaml } from "../fixtures/sped-up-demo.js";
import { runDaemon } from "../fixtures/daemon-process.js";
import { instrumentNamed, parseSymbolRules } from "../../src/model/instruments.js";
import { priceDecimals } from "../../src/model/display.js";
import { decimalsOf } from "../../src/model/rounding.js";

/** trading_core's debug lines, each logged by the actor that does the thing. */
const DEBUG_ACTORS: Record<string, string> = {
  "market data received": "feed",
  "risk validation": "risk",
  "sent to execution": "orders",
  "execution report": "orders",
  "entry opened": "strategy",
  "HY pass": "strategy",
  jump: "jumps",
  "ATR status": "strategy",
  "IM reservation": "orders",
};
const DEBUG_LINES = Object.keys(DEBUG_ACTORS);

async function writeConfig(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "leadlag-log-lines-"));
  const ports = { trades: await freePort(), books: await freePort(), health: await freePort() };
  const file = path.join(dir, "config.yaml");
  writeFileSync(
    file,
    `
mode: live
runtime:
  account_id: e2e-log-lines-${process.pid}-${Date.now()}
  database_url: ${process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test"}
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")} }
${spedUpMarketYaml(ports)}
execution: { provider: paper, mode: paper }
initial_balance: { USDT: 100000 }
${spedUpStrategyYaml({ name: "e2e", dir, timeLimitSeconds: 5 })}
observability:
  health_server: { host: 127.0.0.1, port: ${ports.health} }
`,
  );
  return file;
}

interface Line {
  level: number;
  msg: string;
  actor?: string;
  [field: string]: unknown;
}
const linesOf = (text: string): Line[] =>
  text
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Line);

/** Polls every half second: the output at debug runs to megabytes. */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 500));
  }
}

const registry = parseSymbolRules(readFileSync(fromRoot("configs/symbol_rules.csv"), "utf8"));

/** Every number of the text has at most the decimals the instrument's price grid (or lot) has. */
function expectVenuePrecision(symbol: string, priceText: string, sizeText: string): void {
  const inst = instrumentNamed(registry, symbol)!;
  const decimals = (t: string) => t.split(".")[1]?.length ?? 0;
  expect(decimals(priceText), `${symbol} price ${priceText}`).toBeLessThanOrEqual(
    priceDecimals(Number(priceText), inst.priceRules),
  );
  expect(decimals(sizeText), `${symbol} size ${sizeText}`).toBe(decimalsOf(inst.lotSize));
}

describe("what the daemon logs while it trades", () => {
  it("at --log-level debug, one line for each of trading_core's debug events, from the actor doing it", async () => {
    const d = runDaemon(await writeConfig(), ["--log-level", "debug"]);
    try {
      await until(() => DEBUG_LINES.every((m) => d.output().includes(`"msg":"${m}"`)), 150_000);
      d.child.kill("SIGTERM");
      expect(await d.exited).toBe(0);
    } finally {
      d.child.kill("SIGKILL");
    }
    const lines = linesOf(d.output());
    for (const msg of DEBUG_LINES) {
      const line = lines.find((l) => l.msg === msg);
      expect(line?.level, msg).toBe(20);
      expect(line?.actor, msg).toBe(DEBUG_ACTORS[msg]);
    }
    const first = (msg: string) => lines.find((l) => l.msg === msg)!;
    expect(first("jump").symbol).toMatch(/-USDT-PERP$/);
    expect(Number.isFinite(first("jump").jumpBps)).toBe(true);
    expect(first("IM reservation").asset).toBe("USD"); // USDT is booked as the one USD collateral
    expect(first("IM reservation").amount as number).toBeGreaterThan(0);
    expect(first("ATR status")).toHaveProperty("ready");
    expect(first("HY pass").lagger).not.toBe(first("HY pass").leader);
    expect(first("entry opened").avgPrice as number).toBeGreaterThan(0);
  }, 200_000);

  it("at info: none of them, but an entry line (symbol, side, size, price, strength, tau*) and an exit line, numbers at the venue's precision", async () => {
    const d = runDaemon(await writeConfig());
    try {
      await until(() => d.output().includes('"msg":"position closed: '), 150_000);
      d.child.kill("SIGTERM");
      expect(await d.exited).toBe(0);
    } finally {
      d.child.kill("SIGKILL");
    }
    const lines = linesOf(d.output());
    expect(lines.filter((l) => l.level < 30)).toEqual([]);
    for (const msg of DEBUG_LINES) expect(lines.find((l) => l.msg === msg)).toBeUndefined();

    const entries = lines.filter((l) => l.msg.startsWith("entry: "));
    expect(entries.length).toBeGreaterThanOrEqual(1);
    for (const e of entries) {
      expect(e.level).toBe(30);
      const m = /^entry: (\S+) (buy|sell) (\S+) @ (\S+), strength (\S+), tau\* (\S+) s after (\S+)$/.exec(e.msg);
      expect(m, e.msg).not.toBeNull();
      const [, symbol, side, size, price, strength, tau] = m!;
      expect(symbol).toBe(e.symbol);
      expect(side).toBe(e.side);
      expect(Number(size)).toBe(e.size);
      // The proposal's price, printed at the venue's precision (risk snaps it before it is sent).
      const shown = priceDecimals(e.price as number, instrumentNamed(registry, symbol)!.priceRules);
      expect(Math.abs(Number(price) - (e.price as number))).toBeLessThanOrEqual(0.5 * 10 ** -shown + 1e-9);
      expect(Number(strength)).toBeCloseTo(e.strength as number, 2);
      expect(Number(tau)).toBeCloseTo(e.tauStarS as number, 3);
      expectVenuePrecision(symbol, price, size);
    }
    const exits = lines.filter((l) => l.msg.startsWith("position closed: "));
    for (const x of exits) {
      const m =
        /^position closed: (\S+) (sl|tp|time_limit|flattened), (buy|sell) (\S+) (\S+) → (\S+), PnL ([+-]\d+\.\d\d) USD$/.exec(
          x.msg,
        );
      expect(m, x.msg).not.toBeNull();
      const [, symbol, closedBy, , size, entry, exit, pnl] = m!;
      expect(closedBy).toBe(x.closedBy);
      expect(Number(pnl)).toBeCloseTo(x.pnl as number, 2);
      expectVenuePrecision(symbol, entry, size);
      expectVenuePrecision(symbol, exit, size);
    }
  }, 200_000);
});
