/**
 * The live status page in a real headless Chromium, on a daemon paper-trading the synthetic lead-lag market
 * (tuned like trading.test.ts to trade within a minute or two): it loads with no console error and no request
 * beyond the daemon, follows /status.json, and shows the position the daemon traded.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromRoot } from "../../src/runtime/paths.js";
import { freePort } from "../fixtures/ports.js";
import { spedUpMarketYaml, spedUpStrategyYaml } from "../fixtures/sped-up-demo.js";
import { runDaemon } from "../fixtures/daemon-process.js";

/** Debian's chromium (`.ci/run` installs it when missing). */
const CHROMIUM = "/usr/bin/chromium";
/** Set to refresh docs/images/status-page.png from this test's page. */
const UPDATE_SCREENSHOT = process.env.UPDATE_STATUS_SCREENSHOT === "1";
/** Without CI a machine may lack the browser; under CI the test must run (and fails when it cannot). */
const skip = !existsSync(CHROMIUM) && !process.env.CI;

function pagedConfig(dir: string, ports: { trades: number; books: number; health: number }): string {
  return `
mode: live
runtime:
  account_id: status-page-${process.pid}-${Date.now()}
  database_url: ${process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test"}
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")} }
${spedUpMarketYaml(ports)}
execution: { provider: paper, mode: paper }
initial_balance: { USDT: 100000 }
${spedUpStrategyYaml({ name: "paged", dir, timeLimitSeconds: 30 })}
observability:
  logging: { level: warn }
  health_server: { host: 127.0.0.1, port: ${ports.health} }
`;
}

interface StatusJson {
  positions: { symbol: string }[];
  orders_by_status: Record<string, number>;
  decisions: unknown[];
}

describe.skipIf(skip)("live status page in headless Chromium", () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (CI=true): apt-get install -y chromium`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("loads with no console error or outside request and shows the position the daemon traded", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-status-page-"));
    const ports = { trades: await freePort(), books: await freePort(), health: await freePort() };
    const configPath = path.join(dir, "config.yaml");
    writeFileSync(configPath, pagedConfig(dir, ports));
    const { child, exited, output } = runDaemon(configPath);
    const base = `http://127.0.0.1:${ports.health}`;
    try {
      // The page is opened before the daemon trades: it must follow the position in, not only render once.
      let up = false;
      for (const until = Date.now() + 60_000; !up && Date.now() < until; ) {
        await new Promise((r) => setTimeout(r, 500));
        up = await fetch(`${base}/status.json`).then(
          (r) => r.ok,
          () => false,
        );
      }
      expect(up, `status.json never answered:\n${output().slice(-3000)}`).toBe(true);

      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const errors: string[] = [];
      const outside: string[] = [];
      page.on("console", (msg) => {
        if (msg.type() === "error" || msg.type() === "warning") errors.push(`${msg.type()}: ${msg.text()}`);
      });
      page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
      page.on("request", (req) => {
        if (!req.url().startsWith(base) && !req.url().startsWith("data:")) outside.push(req.url());
      });
      await page.goto(`${base}/`);
      await page.waitForSelector("body[data-updates]", { timeout: 15_000 });

      let status: StatusJson | undefined;
      for (const until = Date.now() + 150_000; Date.now() < until; ) {
        status = (await (await fetch(`${base}/status.json`)).json()) as StatusJson;
        if (status.positions.length > 0 && (status.orders_by_status.filled ?? 0) > 0) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect(status?.positions.length, `no position after 150 s:\n${output().slice(-3000)}`).toBeGreaterThan(0);
      const symbol = status!.positions[0].symbol;
      // Two more polls, so the page shows at least what status.json showed above.
      const seen = Number(await page.getAttribute("body", "data-updates"));
      const updates = async () => Number(await page.getAttribute("body", "data-updates"));
      for (const until = Date.now() + 10_000; (await updates()) < seen + 2 && Date.now() < until; )
        await new Promise((r) => setTimeout(r, 200));
      expect(await updates()).toBeGreaterThanOrEqual(seen + 2);

      const positionCells = await page.locator("#positions td").allTextContents();
      expect(positionCells).toContain(symbol);
      const orderStates = await page.locator("#order-states td").allTextContents();
      expect(orderStates).toContain("filled");
      expect(await page.locator("#decisions tr").count()).toBeGreaterThan(1);
      expect(await page.locator("#actors td").allTextContents()).toEqual(
        expect.arrayContaining(["feed", "strategy", "orders", "risk", "venue"]),
      );
      expect(await page.textContent("#health")).toMatch(/^(healthy|degraded)$/);

      const shot = UPDATE_SCREENSHOT ? fromRoot("docs", "images", "status-page.png") : path.join(dir, "status.png");
      await page.screenshot({ path: shot, fullPage: true });
      expect((await stat(shot)).size).toBeGreaterThan(30_000);
      await page.close();
      expect(errors).toEqual([]);
      expect(outside).toEqual([]);
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
  }, 260_000);
});
