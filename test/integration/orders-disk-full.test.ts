import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { compiledUrl } from "../../src/runtime/paths.js";
import { startSystem } from "../../src/supervisor/system.js";
import type { Supervisor } from "../../src/supervisor/supervisor.js";
import { parseConfig } from "../../src/config/index.js";
import { actorModule } from "../../src/supervisor/children.js";
import { actorSections } from "../../src/supervisor/sections.js";
import type { OrderDenied, PlaceOrder } from "../../src/protocol/orders.js";
import { LocalJournal } from "../../src/actors/orders/journal/local-log.js";
import { scanRecords } from "../../src/actors/orders/journal/record.js";
import type { ManualOrdersDriverControls } from "../fixtures/actors/manual-orders-driver.js";
import { waitFor } from "../fixtures/wait.js";
import type { OrdersStatus } from "../../src/protocol/status.js";

/**
 * A full disk under the journal and under the embedded database, on real small tmpfs mounts (this
 * needs root, as CI and the development machines have).
 */

const databaseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const driver = compiledUrl(new URL("../fixtures/actors/manual-orders-driver.ts", import.meta.url)).href;
const silent = pino({ level: "silent" });
const logLevel = process.env.TEST_LOG ?? "silent";

const mounts: string[] = [];
function mountTmpfs(size: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "leadlag-tmpfs-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
  mounts.push(dir);
  return dir;
}

/** Writes `file` until the disk refuses even one more byte. */
function fillDisk(file: string): void {
  const fd = openSync(file, "w");
  try {
    for (const size of [1 << 20, 1 << 16, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 0x5a);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "leadlag-disk-full-"));
});
let running: Supervisor | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});
afterAll(() => {
  for (const dir of mounts) {
    // Lazily: a file a failed test left open must not keep the mount (or the next run) busy.
    execFileSync("umount", ["--lazy", dir]);
    rmSync(dir, { recursive: true, force: true });
  }
  rmSync(work, { recursive: true, force: true });
});

interface Driven {
  controls: ManualOrdersDriverControls;
  placed: PlaceOrder[];
  denied: OrderDenied[];
}

const noEnv = { env: {} };

async function start(config: string, embedded: boolean): Promise<Driven> {
  const placed: PlaceOrder[] = [];
  const denied: OrderDenied[] = [];
  let controls: ManualOrdersDriverControls | undefined;
  const saved = process.env.DATABASE_URL;
  if (embedded) delete process.env.DATABASE_URL; // a worker copies the environment when it is spawned
  try {
    running = await startSystem(
      [
        {
          name: "driver",
          module: driver,
          thread: "main",
          config: {
            instrument: 0,
            symbol: "BTC-USDT-PERP",
            price: 100_000,
            size: 0.001,
            onPlace: (o: PlaceOrder) => placed.push(o),
            onDenied: (d: OrderDenied) => denied.push(d),
            expose: (c: ManualOrdersDriverControls) => (controls = c),
          },
        },
        {
          name: "orders",
          module: actorModule("orders"),
          thread: "worker-orders",
          config: actorSections(parseConfig(config, noEnv)).orders(),
        },
      ],
      { log: silent, logLevel },
    );
  } finally {
    if (saved !== undefined) process.env.DATABASE_URL = saved;
  }
  return { controls: controls!, placed, denied };
}

const status = () => running!.actorStatus("orders") as OrdersStatus | undefined;
const reasons = () => status()?.health.reasons ?? [];
const qty = () => status()?.positions[0]?.qty ?? 0;
const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;

const baseConfig = (lines: string) => `
mode: live
symbol_rules_path: configs/symbol_rules.csv
runtime:
${lines}
market_data: { provider: zmq }
execution: { provider: paper, mode: paper }
initial_balance: { USDC: 1000000 }
strategies: [{ name: s, type: leadlag, config: { symbols: [BTC-USDT-PERP] } }]
`;

describe("a full disk", () => {
  it("under the journal: entries halted, path and free space named, fills held, tail whole, resumes", async () => {
    const disk = mountTmpfs("4m");
    const journalPath = path.join(disk, "journal.log");
    const { controls, placed, denied } = await start(
      baseConfig(`  account_id: disk-full-${process.pid}-${Date.now()}
  database_url: ${databaseUrl}
  journal: { path: ${journalPath}, fsync: interval }`),
      false,
    );
    await waitFor(() => status()?.health.status === "ok" && status()!.balances.length > 0);
    controls.submit(50);
    await waitFor(() => placed.length === 50);

    fillDisk(path.join(disk, "filler"));
    controls.fillPlaced();
    await waitFor(() => reasons().some((r) => r.startsWith("holding ")));
    const health = status()!.health;
    expect(health.status).toBe("degraded");
    const noSpace = `writing ${journalPath}: ENOSPC: no space left on device, write`;
    expect(health.reasons[0]).toMatch(new RegExp(`^journal: ${noSpace} \\(\\d+ B free\\); entries halted$`));
    const holding = /^holding \d+ messages until the journal can be written$/;
    expect(health.reasons).toContainEqual(expect.stringMatching(holding));

    controls.submit(5);
    await waitFor(() => denied.length === 5);
    expect(denied.map((d) => d.rule)).toEqual(Array(5).fill("entries_halted"));
    expect(denied[0].reason).toContain(`journal: writing ${journalPath}: ENOSPC`);
    // An exit goes through if the journal still takes its one record (the last page may have room), else
    // it is refused naming the journal; either way nothing is sent that is not journaled.
    controls.submit(1, "exit");
    await waitFor(() => denied.length === 6 || placed.length === 51);
    const exitPlaced = placed.length === 51;
    const refused = { rule: "journal_unavailable", reason: expect.stringContaining(journalPath) };
    if (!exitPlaced) expect(denied[5]).toMatchObject(refused);
    // The tail is whole while the disk is full: every failed write was cut back.
    const onDisk = readFileSync(journalPath);
    expect(scanRecords(onDisk)).toMatchObject({ problem: "", validBytes: onDisk.length });
    expect(scanRecords(onDisk).records.filter((r) => r.event.type === "OrderSubmitted")).toHaveLength(placed.length);

    rmSync(path.join(disk, "filler"));
    await waitFor(() => status()?.health.status === "ok" && near(qty(), 0.05));
    expect(status()!.orders.filter((o) => o.status === "filled")).toHaveLength(50);
    controls.submit(10);
    const total = exitPlaced ? 61 : 60;
    await waitFor(() => placed.length === total);
    controls.fillPlaced();
    await waitFor(() => near(qty(), total * 0.001));
    await running!.stop();
    running = undefined;

    const reopened = LocalJournal.open({ path: journalPath, fsync: "none", fsyncIntervalMs: 100 }, silent);
    reopened.journal.close();
    expect(reopened.problem).toBe("");
    const types = reopened.records.map((r) => r.event.type);
    expect(types.filter((t) => t === "OrderSubmitted")).toHaveLength(total);
    expect(types.filter((t) => t === "OrderFilled")).toHaveLength(total);
    expect(reopened.records.map((r) => r.seq)).toEqual(reopened.records.map((_, i) => BigInt(i + 1)));
  });

  it("under the embedded database: entries halted, path and free space named, trading starts with room", async () => {
    const disk = mountTmpfs("48m");
    fillDisk(path.join(disk, "filler"));
    const dbPath = path.join(disk, "db");
    const { controls, placed, denied } = await start(
      baseConfig(`  account_id: db-full
  db_path: ${dbPath}
  journal: { path: ${path.join(work, "journal.log")}, fsync: interval }`),
      true,
    );
    await waitFor(() => reasons().some((r) => r.startsWith("journal database: ")), 30_000);
    expect(status()!.health.status).toBe("degraded");
    const noSpace = `writing ${dbPath}: ENOSPC in the embedded database`;
    expect(reasons()[0]).toMatch(new RegExp(`^journal database: ${noSpace} \\(\\d+ B free\\); entries halted$`));
    controls.submit(3);
    await waitFor(() => denied.length === 3);
    expect(denied.map((d) => d.rule)).toEqual(Array(3).fill("entries_halted"));
    expect(denied[0].reason).toContain(`writing ${dbPath}: ENOSPC`);

    rmSync(path.join(disk, "filler"));
    await waitFor(() => status()?.health.status === "ok", 60_000);
    controls.submit(5);
    await waitFor(() => placed.length === 5);
    controls.fillPlaced();
    await waitFor(() => near(qty(), 0.005));
    expect(statSync(dbPath).isDirectory()).toBe(true);
  }, 120_000);
});
