import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { main } from "../../src/cli/main.js";

/** What a daemon's control API serves after a few fills: averages and PnL with float noise. */
const BODIES: Record<string, unknown> = {
  "/positions": {
    positions: [
      {
        symbol: "ETH-USDT-PERP",
        qty: 0.52000000001,
        avg_price: 3110.2276500000003,
        realized_pnl: -1.2340000000000002,
        unrealized_pnl: 7.934999,
      },
      { symbol: "DOGE-USDT-PERP", qty: 12.5, avg_price: 0.123456789, realized_pnl: 0, unrealized_pnl: 0 },
    ],
  },
  "/orders?state=open": {
    orders: [
      {
        cl_id: "c1",
        symbol: "BTC-USDT-PERP",
        side: "buy",
        type: "limit",
        tif: "gtc",
        price: 97834.03125,
        size: 0.00123,
        filled: 0,
        status: "accepted",
        role: "entry",
      },
    ],
  },
};

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(BODIES[req.url ?? ""] ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function run(argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, stdout };
}

describe("leadlag positions / orders", () => {
  it("prints prices and sizes at the instrument's precision, PnL in cents; an unknown symbol as sent", async () => {
    const { code, stdout } = await run(["positions", "--url", url]);
    expect(code).toBe(0);
    const rows = stdout
      .trim()
      .split("\n")
      .map((l) => l.trim().split(/\s+/));
    expect(rows).toEqual([
      ["symbol", "qty", "avg_price", "realized_pnl", "unrealized_pnl"],
      ["ETH-USDT-PERP", "0.5200", "3110.2", "-1.23", "7.93"],
      ["DOGE-USDT-PERP", "12.5", "0.123456789", "0.00", "0.00"],
    ]);
    const orders = await run(["orders", "--url", url]);
    expect(orders.stdout).toMatch(
      /^c1\s+BTC-USDT-PERP\s+buy\s+limit\s+gtc\s+97834\s+0\.00123\s+0\.00000\s+accepted\s+entry$/m,
    );
  });

  it("--json is the daemon's body, exact", async () => {
    const { stdout } = await run(["positions", "--url", url, "--json"]);
    expect(JSON.parse(stdout)).toEqual(BODIES["/positions"]);
  });
});
