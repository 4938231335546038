import type { Command } from "../command.js";
import { parseCommandArgs } from "../args.js";

const DEFAULT_URL = "http://127.0.0.1:8082";

async function getJson(base: string, path: string): Promise<unknown> {
  const res = await fetch(new URL(path, base));
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return "(none)";
  const cells = rows.map((r) => columns.map((c) => String(r[c] ?? "")));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join("  ");
  return [line(columns), ...cells.map(line)].join("\n");
}

function viewCommand(
  name: string,
  summary: string,
  path: (all: boolean) => string,
  key: string,
  columns: string[],
): Command {
  return {
    name,
    summary,
    usage:
      `usage: leadlag ${name} [--url ${DEFAULT_URL}] [--json]${name === "orders" ? " [--all]" : ""}\n\nReads ` +
      `the running daemon's control API.`,
    async run(argv) {
      const { values } = parseCommandArgs(
        argv,
        {
          url: { type: "string", default: DEFAULT_URL },
          json: { type: "boolean", default: false },
          all: { type: "boolean", default: false },
        },
        false,
      );
      let body: Record<string, Record<string, unknown>[]>;
      try {
        body = (await getJson(values.url!, path(values.all ?? false))) as typeof body;
      } catch (err) {
        process.stderr.write(`leadlag ${name}: cannot reach the daemon at ${values.url}: ${(err as Error).message}\n`);
        return 1;
      }
      process.stdout.write((values.json ? JSON.stringify(body) : table(body[key] ?? [], columns)) + "\n");
      return 0;
    },
  };
}

export const positionsCommand = viewCommand(
  "positions",
  "positions of the running daemon (GET /positions)",
  () => "/positions",
  "positions",
  ["symbol", "qty", "avg_price", "realized_pnl", "unrealized_pnl"],
);

export const ordersCommand = viewCommand(
  "orders",
  "open (or --all) orders of the running daemon (GET /orders)",
  (all) => `/orders?state=${all ? "all" : "open"}`,
  "orders",
  ["cl_id", "symbol", "side", "type", "tif", "price", "size", "filled", "status", "role"],
);
