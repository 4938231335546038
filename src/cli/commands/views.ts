import type { Command } from "../command.js";
import { parseCommandArgs } from "../args.js";
import { type InstrumentRegistry, loadInstrumentRegistry } from "../../model/instruments.js";
import { fromRoot } from "../../runtime/paths.js";
import { viewCell } from "./view-cells.js";

const DEFAULT_URL = "http://127.0.0.1:8082";

async function getJson(base: string, path: string): Promise<unknown> {
  const res = await fetch(new URL(path, base));
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

function table(rows: Record<string, unknown>[], columns: string[], registry: InstrumentRegistry): string {
  if (rows.length === 0) return "(none)";
  const cells = rows.map((r) => columns.map((c) => viewCell(registry, r, c)));
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
      `usage: leadlag ${name} [--url ${DEFAULT_URL}] [--json]${name === "orders" ? " [--all]" : ""} ` +
      `[--symbol-rules FILE]\n\nReads the running daemon's control API. Prices and sizes print at the ` +
      `instrument's precision from the symbol rules (default configs/symbol_rules.csv); --json is exact.`,
    async run(argv) {
      const { values } = parseCommandArgs(
        argv,
        {
          url: { type: "string", default: DEFAULT_URL },
          json: { type: "boolean", default: false },
          all: { type: "boolean", default: false },
          "symbol-rules": { type: "string", default: fromRoot("configs", "symbol_rules.csv") },
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
      if (values.json) {
        process.stdout.write(JSON.stringify(body) + "\n");
        return 0;
      }
      let registry: InstrumentRegistry;
      try {
        registry = await loadInstrumentRegistry(values["symbol-rules"]!);
      } catch (err) {
        process.stderr.write(`leadlag ${name}: ${(err as Error).message}\n`);
        return 1;
      }
      process.stdout.write(table(body[key] ?? [], columns, registry) + "\n");
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
